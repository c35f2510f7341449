"""OData 4 for the site-visit form, as ODK Central serves it: a service document, $metadata and JSON tables.

The tables are `Submissions` and one per repeat (`Submissions.observation`,
`Submissions.photo`), each repeat row pointing at its visit by `__Submissions-id`.
Rows arrive here as plain dicts; this module types, selects, filters and pages them.
"""
import datetime as dt
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

NAMESPACE = "org.opendatakit.user.site_visit"
PARENT_ID = "__Submissions-id"
SYSTEM_FIELDS = (("submissionDate", "Edm.DateTimeOffset"), ("updatedAt", "Edm.DateTimeOffset"),
                 ("deletedAt", "Edm.DateTimeOffset"), ("submitterId", "Edm.String"), ("submitterName", "Edm.String"),
                 ("attachmentsPresent", "Edm.Int64"), ("attachmentsExpected", "Edm.Int64"),
                 ("status", "Edm.String"), ("reviewState", "Edm.String"), ("deviceId", "Edm.String"),
                 ("edits", "Edm.Int64"), ("formVersion", "Edm.String"))
SUBMISSION_FIELDS = (("started", "Edm.DateTimeOffset"), ("ended", "Edm.DateTimeOffset"),
                     ("location", "Edm.GeographyPoint"), ("site", "Edm.String"), ("site_name", "Edm.String"),
                     ("observed_status", "Edm.String"), ("activity_level", "Edm.Int64"),
                     ("activity_signs", "Edm.String"), ("notes", "Edm.String"), ("processing", "Edm.String"))
REPEATS = {
    "observation": (("metric", "Edm.String"), ("low", "Edm.Decimal"), ("high", "Edm.Decimal"), ("unit", "Edm.String"),
                    ("qualifier", "Edm.String"), ("status_value", "Edm.String"), ("method", "Edm.String"),
                    ("source_role", "Edm.String"), ("quote", "Edm.String"), ("confidence", "Edm.Decimal"),
                    ("extracted", "Edm.Boolean"), ("rejected", "Edm.Boolean")),
    "photo": (("image", "Edm.String"), ("caption", "Edm.String"), ("status", "Edm.String"),
              ("flags", "Edm.String"), ("taken_at", "Edm.DateTimeOffset")),
}
TABLES = ("Submissions", *(f"Submissions.{name}" for name in REPEATS))
# $filter reaches these, as Central allows: the submission's own metadata.
FILTERABLE = {"__system/submissionDate": "created_at", "__system/updatedAt": "updated_at",
              "__system/reviewState": "review_state"}


class ODataError(ValueError):
    def __init__(self, message: str, *, status: int = 400, code: float = 400.18):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def service_document(service_url: str) -> dict:
    return {"@odata.context": f"{service_url}/$metadata",
            "value": [{"name": table, "kind": "EntitySet", "url": table} for table in TABLES]}


def _properties(fields) -> str:
    return "".join(f'<Property Name="{name}" Type="{kind}"/>' for name, kind in fields)


def metadata_document() -> bytes:
    system = _properties(SYSTEM_FIELDS)
    navigation = "".join(f'<NavigationProperty Name="{name}" Type="Collection({NAMESPACE}.Submissions.{name})"/>'
                         for name in REPEATS)
    entity_types = [f'<EntityType Name="Submissions"><Key><PropertyRef Name="__id"/></Key>'
                    f'<Property Name="__id" Type="Edm.String"/>'
                    f'<Property Name="__system" Type="org.opendatakit.submission.metadata"/>'
                    f'{_properties(SUBMISSION_FIELDS)}<Property Name="meta" Type="{NAMESPACE}.meta"/>{navigation}'
                    "</EntityType>"]
    entity_types += [f'<EntityType Name="Submissions.{name}"><Key><PropertyRef Name="__id"/></Key>'
                     f'<Property Name="__id" Type="Edm.String"/><Property Name="{PARENT_ID}" Type="Edm.String"/>'
                     f"{_properties(fields)}</EntityType>" for name, fields in REPEATS.items()]
    sets = "".join(f'<EntitySet Name="{table}" EntityType="{NAMESPACE}.{table}"/>' for table in TABLES)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>'
            '<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="org.opendatakit.submission">'
            f'<ComplexType Name="metadata">{system}</ComplexType></Schema>'
            f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{escape(NAMESPACE)}">'
            f'{"".join(entity_types)}<ComplexType Name="meta"><Property Name="instanceID" Type="Edm.String"/>'
            '<Property Name="instanceName" Type="Edm.String"/></ComplexType>'
            f'<EntityContainer Name="site_visit">{sets}</EntityContainer></Schema>'
            "</edmx:DataServices></edmx:Edmx>").encode()


def point(latitude, longitude, *, wkt: bool, accuracy=None):
    if latitude is None or longitude is None:
        return None
    if wkt:
        return f"POINT ({longitude} {latitude})"
    value = {"type": "Point", "coordinates": [longitude, latitude]}
    if accuracy is not None:
        value["properties"] = {"accuracy": accuracy}
    return value


@dataclass(frozen=True)
class Paging:
    top: int | None
    skip: int
    count: bool


def _non_negative(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise ODataError(f"{name} must be a whole number of rows.", code=400.11)
    return int(value)


def paging(params) -> Paging:
    return Paging(top=_non_negative(params.get("$top"), "$top"), skip=_non_negative(params.get("$skip"), "$skip") or 0,
                  count=params.get("$count", "").lower() == "true")


_COMPARISON = re.compile(r"^\s*(?P<field>[\w/]+)\s+(?P<op>eq|ne|lt|le|gt|ge)\s+(?P<value>'[^']*'|\S+)\s*$")


def _literal(text: str, field: str):
    if text.startswith("'"):
        return text[1:-1]
    if text == "null":
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ODataError(f"The OData filter expression you provided could not be parsed: {text!r} is not a "
                         f"literal for {field}.") from None


def parse_filter(expression: str) -> list[list[tuple[str, str, object]]]:
    """`a and b or c` as [[a, b], [c]] (or of ands) over FILTERABLE fields: (model field, operator, value)."""
    alternatives = []
    for alternative in re.split(r"\s+or\s+", expression.strip()):
        terms = []
        for term in re.split(r"\s+and\s+", alternative):
            match = _COMPARISON.match(term.strip("() "))
            if match is None:
                raise ODataError(f"The OData filter expression you provided could not be parsed: {term!r}.")
            field = match["field"]
            if field not in FILTERABLE:
                raise ODataError(f"The given OData filter expression references fields not supported by this "
                                 f"server: {field}. Filter on {', '.join(FILTERABLE)}.", code=400.24)
            terms.append((FILTERABLE[field], match["op"], _literal(match["value"], field)))
        alternatives.append(terms)
    return alternatives


def select(rows: list[dict], expression: str | None) -> list[dict]:
    if not expression or expression == "*":
        return rows
    wanted = [name.strip() for name in expression.split(",") if name.strip()]
    known = set(rows[0]) if rows else None
    if known is not None:
        unknown = [name for name in wanted if name.split("/")[0] not in known]
        if unknown:
            raise ODataError(f"Could not find a property named '{unknown[0]}'", code=400.23)
    return [{name: row.get(name) for name in wanted if name in row} for row in rows]


def feed(rows: list[dict], *, context_url: str, count: int | None, next_link: str | None) -> dict:
    body = {"@odata.context": context_url, "value": rows}
    if next_link:
        body["@odata.nextLink"] = next_link
    if count is not None:
        body["@odata.count"] = count
    return body
