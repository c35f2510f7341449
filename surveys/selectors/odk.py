"""Reads for ODK clients: the form as it is now (choices, sites.csv, version, XForm) and the submissions a user may see."""
import functools
from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet
from django.utils import translation
from django.utils.translation import gettext_noop

from surveys.engine.metrics import METRICS
from surveys.models import OdkSubmission, Site
from surveys.odk import form as odk_form
from surveys.odk.media import SiteRow, md5_hex, sites_csv
from surveys.roles import role_of
from surveys.selectors.scoping import visits_for
from surveys.vocab import ActivitySign, Method, Metric, Qualifier, Status

CHOICE_LISTS = {"status": Status, "metric": Metric, "qualifier": Qualifier, "method": Method,
                "activity_sign": ActivitySign}
# Set by the server, never picked in the form: the visit's own observed_status is the reporter's mark.
NOT_IN_FORM = {Method.REPORTER}
METRIC_LABELS = {row.key: row.labels for row in METRICS}
LANGUAGE_CODES = ("en", "zh-hans")  # in the order of odk_form.LANGUAGES
# Labels only the form uses, listed so that makemessages extracts them (the desk lists the others).
FORM_LABELS = [
    gettext_noop("gate open"), gettext_noop("gate closed"),
    gettext_noop("cars parked"), gettext_noop("trucks"), gettext_noop("workers seen"), gettext_noop("machine noise"),
    gettext_noop("lights on"), gettext_noop("smoke or steam"), gettext_noop("construction work"),
    gettext_noop("signboard"), gettext_noop("weeds"), gettext_noop("empty guard room"), gettext_noop("empty plots"),
]


@dataclass(frozen=True)
class CurrentForm:
    version: str
    xml: bytes
    md5: str
    media: bytes
    media_md5: str


def _label(value: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(value.replace("_", " "))


def _labels(list_name: str, value: str) -> tuple[str, ...]:
    if list_name == "metric":  # the engine's table names each metric in each language
        labels = METRIC_LABELS[value]
        return labels["en"], labels["zh"]
    return tuple(_label(value, code) for code in LANGUAGE_CODES)


def form_choices() -> tuple[odk_form.Choice, ...]:
    """Every choice list of the form, from the vocabulary, labelled in English and Chinese."""
    return tuple(
        odk_form.Choice(list_name, member.value, _labels(list_name, member.value))
        for list_name, enum in CHOICE_LISTS.items() for member in enum if member not in NOT_IN_FORM
    )


@functools.lru_cache(maxsize=4)
def _media_for(fingerprint: tuple) -> tuple[bytes, str]:
    rows = [SiteRow(id=pk, name=name, aliases=tuple(aliases or ()), verified=verified)
            for pk, name, aliases, verified in Site.objects.order_by("name", "id").values_list(
                "id", "name", "aliases", "verified")]
    media = sites_csv(rows)
    return media, md5_hex(media)


def sites_media() -> tuple[bytes, str]:
    """sites.csv and its md5, rebuilt only when a site was added, changed or removed."""
    state = Site.objects.aggregate(count=Count("id"), latest=Max("updated_at"), top=Max("id"))
    return _media_for((state["count"], state["latest"], state["top"]))


def current_form() -> CurrentForm:
    media, media_md5 = sites_media()
    choices = form_choices()
    version = odk_form.form_version(choices, media_md5)
    xml = odk_form.xform_bytes(choices, version)
    return CurrentForm(version=version, xml=xml, md5=md5_hex(xml), media=media, media_md5=media_md5)


def submissions_for(user) -> QuerySet[OdkSubmission]:
    """The submissions whose visits the user may see (a reporter: their own)."""
    if role_of(user) is None:
        return OdkSubmission.objects.none()
    return OdkSubmission.objects.filter(visit__in=visits_for(user).values("pk")).select_related(
        "visit__site", "submitter")


def submissions_with_rows(queryset: QuerySet[OdkSubmission]) -> QuerySet[OdkSubmission]:
    """With everything an OData row or a JSON summary reads, in a fixed number of queries."""
    from django.db.models import Prefetch

    from surveys.models import Observation, Photo

    return queryset.prefetch_related(
        Prefetch("visit__observations", queryset=Observation.objects.order_by("created_at", "id")),
        Prefetch("visit__photos", queryset=Photo.objects.order_by("created_at", "id")),
        "attachments",
    )


def _repeat_id(visit_id, table: str, pk) -> str:
    import hashlib

    return hashlib.sha1(f"{visit_id}/{table}/{pk}".encode(), usedforsecurity=False).hexdigest()


def _observation_row(visit, observation) -> dict:
    return {"__id": _repeat_id(visit.pk, "observation", observation.pk), "__Submissions-id": f"uuid:{visit.pk}",
            "metric": observation.metric, "low": observation.low, "high": observation.high, "unit": observation.unit,
            "qualifier": observation.qualifier, "status_value": observation.status_value or None,
            "method": observation.method, "source_role": observation.source_role or None,
            "quote": observation.quote or None, "confidence": observation.confidence,
            "extracted": observation.extracted, "rejected": observation.rejected}


def _photo_row(visit, photo, names: dict) -> dict:
    return {"__id": _repeat_id(visit.pk, "photo", photo.pk), "__Submissions-id": f"uuid:{visit.pk}",
            "image": names.get(photo.pk), "caption": photo.caption or None, "status": photo.status,
            "flags": " ".join(photo.flags) or None,
            "taken_at": photo.taken_at.isoformat() if photo.taken_at else None}


def odata_rows(record: OdkSubmission, viewer, *, table: str, wkt: bool, expand: bool, system: dict) -> list[dict]:
    """The OData rows of one submission for `table`, under the exporter policy."""
    from surveys.odk.odata import point
    from surveys.selectors.policy import is_restricted

    visit = record.visit
    names = {attachment.photo_id: attachment.name for attachment in record.attachments.all() if attachment.photo_id}
    observations = [_observation_row(visit, observation) for observation in visit.observations.all()]
    photos = [_photo_row(visit, photo, names) for photo in visit.photos.all()]
    if table == "Submissions.observation":
        return observations
    if table == "Submissions.photo":
        return photos
    hidden = is_restricted(viewer)
    row = {
        "__id": f"uuid:{visit.pk}", "__system": system,
        "started": visit.started_at.isoformat(), "ended": visit.ended_at.isoformat() if visit.ended_at else None,
        "location": None if hidden else point(visit.latitude, visit.longitude, wkt=wkt,
                                              accuracy=record.location_accuracy_m),
        "site": str(visit.site_id), "site_name": visit.site.name, "observed_status": visit.observed_status or None,
        "activity_level": visit.activity_level, "activity_signs": " ".join(visit.activity_signs) or None,
        "notes": visit.notes or None, "processing": visit.processing,
        "meta": {"instanceID": record.instance_id, "instanceName": record.instance_name or None},
    }
    for name, rows in (("observation", observations), ("photo", photos)):
        row[f"{name}@odata.navigationLink"] = f"Submissions('uuid:{visit.pk}')/{name}"
        if expand:
            row[name] = [{key: value for key, value in repeat.items() if key != "__Submissions-id"} for repeat in rows]
    return [row]
