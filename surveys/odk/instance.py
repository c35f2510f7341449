"""A submitted instance of the site-visit form, parsed safely into plain data.

No DTD at all (so no external entities and no entity expansion), a size cap checked by
the caller before parsing and a depth cap checked while parsing. Values are typed here
(instants, numbers, points); their meaning (sites, vocabularies, ranges) is judged by
the same validation as the JSON API.
"""
import datetime as dt
import io
import math
import uuid
from dataclasses import dataclass, field

MAX_DEPTH = 16
TOP_LEVEL_FIELDS = ("started", "ended", "location", "site", "new_site_name", "new_site_location", "observed_status",
                    "activity_level", "activity_signs", "notes", "followup_of")
OBSERVATION_FIELDS = ("metric", "low", "high", "qualifier", "status_value", "method", "source_role", "quote")


class InstanceInvalid(ValueError):
    def __init__(self, message: str, *, field_name: str = "xml_submission_file"):
        super().__init__(message)
        self.message = message
        self.field_name = field_name


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    altitude: float | None = None
    accuracy: float | None = None


@dataclass(frozen=True)
class ObservationEntry:
    position: int  # 1-based, in document order
    values: dict


@dataclass(frozen=True)
class PhotoEntry:
    position: int
    filename: str
    caption: str


@dataclass(frozen=True)
class Instance:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str | None
    visit_id: uuid.UUID
    values: dict = field(default_factory=dict)  # top-level answers, typed; absent when empty
    observations: tuple[ObservationEntry, ...] = ()
    photos: tuple[PhotoEntry, ...] = ()
    instance_name: str = ""

    @property
    def attachment_names(self) -> list[str]:
        return list(dict.fromkeys(photo.filename for photo in self.photos))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_tree(xml: bytes):
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    depth, root = 0, None
    try:
        for event, element in iterparse(io.BytesIO(xml), events=("start", "end"), forbid_dtd=True,
                                        forbid_entities=True, forbid_external=True):
            if event == "start":
                depth += 1
                root = element if root is None else root
                if depth > MAX_DEPTH:
                    raise InstanceInvalid(f"The submission XML is nested deeper than {MAX_DEPTH} levels.")
            else:
                depth -= 1
    except DefusedXmlException:
        raise InstanceInvalid("The submission XML may not carry a DTD or entities.") from None
    except ParseError as error:
        raise InstanceInvalid(f"The submission is not well-formed XML: {error}.") from None
    if root is None:
        raise InstanceInvalid("The submission XML is empty.")
    return root


def instance_id_visit(instance_id: str) -> uuid.UUID:
    """The visit id an instanceID names: `uuid:<uuid>` (as ODK clients make them) or a bare UUID."""
    text = instance_id.removeprefix("uuid:")
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InstanceInvalid("The instanceID must be a UUID (uuid:...), as ODK clients make them.",
                              field_name="instanceID") from None


def _datetime(text: str, name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InstanceInvalid(f"{name}: not a date and time ({text[:40]!r}).", field_name=name) from None
    if value.tzinfo is None:
        raise InstanceInvalid(f"{name}: the time has no UTC offset.", field_name=name)
    return value


def _number(text: str, name: str, kind=float):
    try:
        value = kind(text)
    except ValueError:
        raise InstanceInvalid(f"{name}: not a number ({text[:40]!r}).", field_name=name) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise InstanceInvalid(f"{name}: not a finite number.", field_name=name)
    return value


def _point(text: str, name: str) -> Point:
    parts = text.split()
    if len(parts) < 2:
        raise InstanceInvalid(f"{name}: a point is 'latitude longitude [altitude accuracy]'.", field_name=name)
    numbers = [_number(part, name) for part in parts[:4]]
    return Point(*numbers)


_TYPES = {
    "started": _datetime, "ended": _datetime, "location": _point, "new_site_location": _point,
    "activity_level": lambda text, name: _number(text, name, int),
    "low": _number, "high": _number,
    "activity_signs": lambda text, name: text.split(),
}


def _typed(name: str, text: str):
    convert = _TYPES.get(name)
    return convert(text, name) if convert else text


def _children_text(element, names) -> dict:
    values = {}
    for child in element:
        name = _local(child.tag)
        text = (child.text or "").strip()
        if name in names and text:
            values[name] = _typed(name, text)
    return values


def parse_instance(xml: bytes) -> Instance:
    root = _parse_tree(xml)
    form_id = root.get("id") or ""
    if not form_id:
        raise InstanceInvalid("The submission XML has no form ID attribute (id) on its root element.")
    meta = next((child for child in root if _local(child.tag) == "meta"), None)
    meta_values = {_local(child.tag): (child.text or "").strip() for child in meta} if meta is not None else {}
    instance_id = meta_values.get("instanceID", "")
    if not instance_id:
        raise InstanceInvalid("The submission has no meta/instanceID.", field_name="instanceID")
    observations, photos = [], []
    for child in root:
        name = _local(child.tag)
        if name == "observation":
            observations.append(ObservationEntry(len(observations) + 1, _children_text(child, OBSERVATION_FIELDS)))
        elif name == "photo":
            values = _children_text(child, ("image", "caption"))
            if values.get("image"):
                photos.append(PhotoEntry(len(photos) + 1, values["image"], values.get("caption", "")))
    return Instance(
        form_id=form_id, version=root.get("version") or "", instance_id=instance_id,
        deprecated_id=meta_values.get("deprecatedID") or None, visit_id=instance_id_visit(instance_id),
        values=_children_text(root, TOP_LEVEL_FIELDS), observations=tuple(observations), photos=tuple(photos),
        instance_name=meta_values.get("instanceName", ""),
    )
