"""Which columns each export has, in their documented, stable order.

A column reads one value from the database (`source`, a Django lookup) and is
written according to its `kind`. A column whose source is among the exporter
policy's hidden fields for its dataset's resource
(surveys.selectors.policy.EXPORTER_HIDDEN_FIELDS) is selected as NULL for a
restricted viewer, in every format.
"""
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"          # formula-like CSV cells neutralised; empty written as an empty cell
    CODE = "code"          # a vocabulary value (surveys.vocab): never formula-like, so written as is
    NUMBER = "number"      # floats: shortest digits that read back as the same float
    INT = "int"
    BOOL = "bool"          # true / false
    DATETIME = "datetime"  # UTC, ISO 8601 with Z, fractional seconds only when present
    DATE = "date"
    UUID = "uuid"
    LIST = "list"          # JSON array in CSV (empty list: empty cell), a list in JSON
    REPORTER = "reporter"  # username, or the stable pseudonym under the exporter policy


@dataclass(frozen=True)
class Column:
    name: str
    source: str
    kind: Kind


def _cols(*specs) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


K = Kind
# The contract's value shape, as observations and claims both carry it (surveys.models.base.ValueShape).
VALUE_SPECS = (
    ("metric", "metric", K.CODE),
    ("low", "low", K.NUMBER),
    ("high", "high", K.NUMBER),
    ("unit", "unit", K.TEXT),
    ("qualifier", "qualifier", K.CODE),
    ("status_value", "status_value", K.CODE),
)
VISIT_COLUMNS = _cols(
    ("id", "id", K.UUID),
    ("site", "site_id", K.INT),
    ("site_name", "site__name", K.TEXT),
    ("reporter", "reporter_id", K.REPORTER),
    ("started_at", "started_at", K.DATETIME),
    ("ended_at", "ended_at", K.DATETIME),
    ("latitude", "latitude", K.NUMBER),
    ("longitude", "longitude", K.NUMBER),
    ("site_latitude", "site__latitude", K.NUMBER),
    ("site_longitude", "site__longitude", K.NUMBER),
    ("notes", "notes", K.TEXT),
    ("observed_status", "observed_status", K.CODE),
    ("activity_level", "activity_level", K.INT),
    ("activity_signs", "activity_signs", K.LIST),
    ("processing", "processing", K.CODE),
    ("created_at", "created_at", K.DATETIME),
    ("updated_at", "updated_at", K.DATETIME),
)

OBSERVATION_COLUMNS = _cols(
    ("id", "id", K.UUID),
    ("visit", "visit_id", K.UUID),
    ("site", "visit__site_id", K.INT),
    ("visit_started_at", "visit__started_at", K.DATETIME),
    *VALUE_SPECS,
    ("method", "method", K.CODE),
    ("source_role", "source_role", K.TEXT),
    ("quote", "quote", K.TEXT),
    ("confidence", "confidence", K.NUMBER),
    ("extracted", "extracted", K.BOOL),
    ("rejected", "rejected", K.BOOL),
    ("created_at", "created_at", K.DATETIME),
    ("updated_at", "updated_at", K.DATETIME),
)

CLAIM_COLUMNS = _cols(
    ("id", "id", K.INT),
    ("site", "site_id", K.INT),
    ("organization", "organization_id", K.INT),
    *VALUE_SPECS,
    ("due_date", "due_date", K.DATE),
    ("is_target", "is_target", K.BOOL),
    ("text", "text", K.TEXT),
    ("source_name", "source_name", K.TEXT),
    ("source_url", "source_url", K.TEXT),
    ("source_kind", "source_kind", K.CODE),
    ("published_on", "published_on", K.DATE),
    ("created_at", "created_at", K.DATETIME),
    ("updated_at", "updated_at", K.DATETIME),
)

DISCREPANCY_COLUMNS = _cols(
    ("id", "id", K.INT),
    ("claim", "claim_id", K.INT),
    ("site", "site_id", K.INT),
    ("metric", "metric", K.CODE),
    ("kind", "kind", K.CODE),
    ("claimed_low", "claimed__low", K.NUMBER),
    ("claimed_high", "claimed__high", K.NUMBER),
    ("claimed_unit", "claimed__unit", K.TEXT),
    ("claimed_status", "claimed__status_value", K.CODE),
    ("claimed_due_date", "claimed__due_date", K.CODE),
    ("observed_low", "observed__low", K.NUMBER),
    ("observed_high", "observed__high", K.NUMBER),
    ("observed_unit", "observed__unit", K.TEXT),
    ("observed_status", "observed__status_value", K.CODE),
    ("observed_visit", "observed_visit_id", K.UUID),
    ("ratio", "ratio", K.NUMBER),
    ("severity", "severity", K.CODE),
    ("explanation", "explanation", K.TEXT),
    ("explanation_zh", "explanation_zh", K.TEXT),
    ("status", "status", K.CODE),
    ("reviewed_at", "reviewed_at", K.DATETIME),
    ("created_at", "created_at", K.DATETIME),
    ("updated_at", "updated_at", K.DATETIME),
)

# The fields a ClaimReview is built from (not a CSV: see formats.claim_review).
CLAIM_REVIEW_COLUMNS = _cols(
    ("id", "id", K.INT),
    ("severity", "severity", K.CODE),
    ("kind", "kind", K.CODE),
    ("explanation", "explanation", K.TEXT),
    ("reviewed_at", "reviewed_at", K.DATETIME),
    ("claim_text", "claim__text", K.TEXT),
    ("source_name", "claim__source_name", K.TEXT),
    ("source_url", "claim__source_url", K.TEXT),
    ("source_kind", "claim__source_kind", K.CODE),
    ("published_on", "claim__published_on", K.DATE),
    ("site_name", "site__name", K.TEXT),
)

DATASET_COLUMNS: dict[str, tuple[Column, ...]] = {
    "visits": VISIT_COLUMNS,
    "observations": OBSERVATION_COLUMNS,
    "claims": CLAIM_COLUMNS,
    "discrepancies": DISCREPANCY_COLUMNS,
    "claimreview": CLAIM_REVIEW_COLUMNS,
}

# The exporter policy's resource name for each dataset's own fields.
POLICY_RESOURCE = {"visits": "visit", "observations": "observation", "claims": "claim",
                   "discrepancies": "discrepancy", "claimreview": "discrepancy"}


@dataclass(frozen=True)
class ExportFormat:
    name: str        # the URL's last segment, e.g. "visits.csv"
    dataset: str
    writer: str      # csv | jsonl | geojson | jsonld
    content_type: str


FORMATS: dict[str, ExportFormat] = {
    f.name: f for f in (
        ExportFormat("visits.csv", "visits", "csv", "text/csv; charset=utf-8"),
        ExportFormat("visits.jsonl", "visits", "jsonl", "application/jsonl; charset=utf-8"),
        ExportFormat("visits.geojson", "visits", "geojson", "application/geo+json"),
        ExportFormat("observations.csv", "observations", "csv", "text/csv; charset=utf-8"),
        ExportFormat("claims.csv", "claims", "csv", "text/csv; charset=utf-8"),
        ExportFormat("discrepancies.csv", "discrepancies", "csv", "text/csv; charset=utf-8"),
        ExportFormat("claimreview.jsonld", "claimreview", "jsonld", "application/ld+json"),
    )
}
