"""Plain-language shapes for the templates: flags with their numbers, evidence, readable audit events."""
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, gettext_lazy as _, gettext_noop

from surveys.engine.metrics import metric_label
from surveys.vocab import Metric
from surveys.web.formatting import distance_text, local_time, number_text, value_text

FLAG_LABELS = {
    "far_from_site": _("Far from the site"),
    "reused": _("Reused photo"),
    "time_mismatch": _("Taken outside the visit"),
    "no_location": _("No location"),
    "edited": _("Edited"),
}
# The names behind a flag's numbers (the imaging flags' details), as an editor reads them.
DETAIL_LABELS = {
    "distance_m": _("distance"), "radius_m": _("site radius"), "tolerance_m": _("tolerance"),
    "excess_m": _("beyond the tolerance"), "matches": _("similar photos"), "photo_id": _("photo"),
    "distance": _("difference"), "threshold": _("threshold"), "taken_at": _("taken at"),
    "taken_at_has_offset": _("capture time has an offset"), "window": _("visit with tolerance"),
    "tolerance_minutes": _("tolerance (minutes)"), "delta_minutes": _("outside by (minutes)"),
    "reasons": _("reasons"), "software": _("software"), "value": _("value"), "matched": _("editing program"),
    "modified_after_capture": _("modified after capture"), "modified_at": _("modified at"),
    "gps_time_mismatch": _("GPS time differs"), "gps_time": _("GPS time"),
    "thumbnail_mismatch": _("embedded thumbnail differs"),
}


def _detail_label(name: str) -> str:
    return str(DETAIL_LABELS.get(name, name.replace("_", " ")))


def _detail_value(name: str, value, zone: str | None) -> str:
    """Metres as a distance, instants in the site's zone, names of reasons in words."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and name.endswith("_m"):
        return distance_text(value)
    if isinstance(value, str) and "T" in value:
        instant = parse_datetime(value)
        if instant is not None and instant.tzinfo is not None:
            local = local_time(instant, zone)
            return f"{local.text} {local.zone}"
    if isinstance(value, str) and name == "reasons":
        return _detail_label(value)
    return _plain(value)


def _plain(value) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, (int, float)):
        return number_text(value)
    return str(value)


def _describe(details, zone: str | None) -> list[str]:
    """Every number behind a flag as "name: value", nested reasons flattened."""
    if not isinstance(details, dict):
        return []
    lines = []
    for name, value in details.items():
        label = _detail_label(name)
        if isinstance(value, dict):
            lines += [f"{label} · {line}" for line in _describe(value, zone)]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines += [f"{label} · " + ", ".join(f"{_detail_label(k)}: {_detail_value(k, v, zone)}"
                                                for k, v in item.items()) for item in value]
        elif isinstance(value, list):
            lines.append(f"{label}: {', '.join(_detail_value(name, item, zone) for item in value)}")
        else:
            lines.append(f"{label}: {_detail_value(name, value, zone)}")
    return lines


def _flag_details(photo, flag: str):
    details = photo.flag_details or {}
    if isinstance(details, list):  # [{"flag": ..., "details": {...}}]
        return next((item.get("details") for item in details if item.get("flag") == flag), None)
    return details.get(flag)


@dataclass
class Flag:
    code: str
    label: str
    lines: list[str] = field(default_factory=list)


@dataclass
class PhotoCard:
    photo: object
    thumbnail_url: str
    display_url: str
    original_url: str | None
    flags: list[Flag]

    @property
    def far(self) -> bool:
        return any(flag.code == "far_from_site" for flag in self.flags)


def photo_card(photo, *, with_originals: bool, zone: str | None = None) -> PhotoCard:
    """A photo for a page: protected file URLs, and each flag with the numbers behind it (times in `zone`)."""
    base = reverse("photo-file", args=[photo.pk])
    flags = [Flag(code=flag, label=str(FLAG_LABELS.get(flag, flag)),
                  lines=_describe(_flag_details(photo, flag), zone)) for flag in photo.flags or []]
    return PhotoCard(
        photo=photo,
        thumbnail_url=f"{base}?variant=thumbnail",
        display_url=f"{base}?variant=display",
        original_url=f"{base}?variant=original" if with_originals else None,
        flags=flags,
    )


# Vocabulary values as `get_FOO_display()` shows them, listed so that makemessages extracts
# them; the templates translate with {% trans obj.get_status_display %}. Metrics are named by
# the engine's table in each language (surveys/engine/metrics.py), not here.
VOCABULARY_LABELS = [
    gettext_noop("open"), gettext_noop("confirmed"), gettext_noop("dismissed"), gettext_noop("needs followup"),
    gettext_noop("resolved"), gettext_noop("low"), gettext_noop("medium"), gettext_noop("high"),
    gettext_noop("numeric"), gettext_noop("status"), gettext_noop("timeline"),
    gettext_noop("exact"), gettext_noop("approx"), gettext_noop("range"), gettext_noop("at least"),
    gettext_noop("at most"), gettext_noop("vague"), gettext_noop("counted"), gettext_noop("estimated"),
    gettext_noop("interview"), gettext_noop("signage"), gettext_noop("document"), gettext_noop("photo"),
    gettext_noop("reporter"), gettext_noop("planned"),
    gettext_noop("not started"), gettext_noop("under construction"), gettext_noop("operating"), gettext_noop("idle"),
    gettext_noop("closed"), gettext_noop("government"), gettext_noop("company"), gettext_noop("media"),
    gettext_noop("other"), gettext_noop("factory"), gettext_noop("park"), gettext_noop("project"),
    gettext_noop("pending"), gettext_noop("ready"), gettext_noop("failed"), gettext_noop("done"),
    gettext_noop("running"), gettext_noop("expired"), gettext_noop("accepted"), gettext_noop("rejected"),
    gettext_noop("exact"), gettext_noop("approx"), gettext_noop("range"), gettext_noop("at least"),
    gettext_noop("at most"), gettext_noop("vague"),
]


def vocab_label(value: str) -> str:
    return gettext(value.replace("_", " "))


def vocab_options(enum) -> list[tuple[str, str]]:
    """(value, translated label) pairs for a filter's options."""
    if enum is Metric:
        return [(member.value, metric_text(member.value)) for member in enum]
    return [(member.value, vocab_label(member.value)) for member in enum]


def metric_text(metric: str) -> str:
    """A metric's name from the engine's table (surveys/engine/metrics.py), in the active language."""
    return metric_label(metric, get_language() or "en")


# --- What the engine reads in a sentence (the "try a sentence" page, `manage.py extract`) ---

@dataclass
class FactRow:
    """One fact the engine read, worded for a page."""

    metric: str
    value: str
    qualifier: str
    surface: str
    source: str
    confidence: str
    target: bool


def reading_rows(facts: list[dict]) -> list[FactRow]:
    """Facts as the engine read them (Fact.as_dict()), worded in the active language."""
    rows = []
    for fact in facts:
        source = gettext(fact["method"]) if fact["method"] else ""
        if fact["source_role"]:
            source += f" ({fact['source_role']})"
        rows.append(FactRow(
            metric=metric_text(fact["metric"]), value=value_text(fact, with_due=True),
            qualifier=gettext(fact["qualifier"].replace("_", " ")), surface=fact["surface"], source=source,
            confidence=f"{fact['confidence']:.2f}" if fact["method"] else "", target=fact["is_target"]))
    return rows


def fact_line(fact: dict) -> str:
    """One fact the engine read (Fact.as_dict()) on one line: value, qualifier, quote, how it is known."""
    row = reading_rows([fact])[0]
    parts = [f"{row.metric}: {row.value}", row.qualifier, f"«{row.surface}»"]
    if row.source:
        parts += [row.source, f"confidence {row.confidence}"]
    if row.target:
        parts.append("target")
    return " · ".join(parts)


# --- Evidence ---------------------------------------------------------------

@dataclass
class NoteSegment:
    text: str
    quoted: bool  # the span an observation was extracted from


@dataclass
class VisitNotes:
    visit: object
    segments: list[NoteSegment]


def _segments(notes: str, spans: list[tuple[int, int]]) -> list[NoteSegment]:
    segments, at = [], 0
    for start, end in sorted(spans):
        if start < at or end > len(notes) or start >= end:
            continue  # overlapping or stale span: leave the text plain
        if start > at:
            segments.append(NoteSegment(notes[at:start], False))
        segments.append(NoteSegment(notes[start:end], True))
        at = end
    if at < len(notes):
        segments.append(NoteSegment(notes[at:], False))
    return segments


def visit_notes(observations) -> list[VisitNotes]:
    """The full notes of the visits behind the evidence, newest first, the extracted spans marked."""
    visits, spans = {}, {}
    for observation in observations:
        visits.setdefault(observation.visit_id, observation.visit)
        if observation.extracted and observation.span_start is not None and observation.span_end is not None:
            spans.setdefault(observation.visit_id, []).append((observation.span_start, observation.span_end))
    ordered = sorted(visits.values(), key=lambda visit: visit.started_at, reverse=True)
    return [VisitNotes(visit=visit, segments=_segments(visit.notes, spans.get(visit.pk, [])))
            for visit in ordered if visit.notes]


# What each export format holds, for the exports page.
FORMAT_LABELS = {
    "visits.csv": _("Visits, a spreadsheet (CSV)"),
    "visits.jsonl": _("Visits, one JSON object per line"),
    "visits.geojson": _("Visits for a map (GeoJSON)"),
    "observations.csv": _("Observations, a spreadsheet (CSV)"),
    "claims.csv": _("Claims, a spreadsheet (CSV)"),
    "discrepancies.csv": _("Discrepancies, a spreadsheet (CSV)"),
    "claimreview.jsonld": _("Confirmed discrepancies as fact checks (ClaimReview)"),
}


def format_label(name: str) -> str:
    return str(FORMAT_LABELS.get(name, name))


# --- Audit ------------------------------------------------------------------

ACTION_LABELS = {
    "discrepancy.review": _("Decision"),
    "discrepancy.review_undo": _("Decision undone"),
    "discrepancy.assign": _("Assignment"),
    "discrepancy.comment": _("Comment"),
    "observation.reject": _("Observation rejected"),
    "observation.unreject": _("Observation restored"),
    "photo.approve": _("Photo approved"),
    "photo.unapprove": _("Photo approval withdrawn"),
    "photo.reject": _("Photo rejected"),
    "photo.original_access": _("Original photo opened"),
    "photo.delete": _("Photo deleted"),
    "site.create": _("Site created"),
    "site.update": _("Site changed"),
    "site.verify": _("Site verified"),
    "site.link": _("Site linked to an organization"),
    "site.delete": _("Site deleted"),
    "organization.create": _("Organization created"),
    "organization.update": _("Organization changed"),
    "organization.delete": _("Organization deleted"),
    "claim.create": _("Claim created"),
    "claim.update": _("Claim changed"),
    "claim.delete": _("Claim deleted"),
    "linkproposal.accepted": _("Link accepted"),
    "linkproposal.rejected": _("Link rejected"),
    "tokens.revoke_all": _("All tokens revoked"),
}
# Keys of `changes` that are not model fields.
CHANGE_LABELS = {
    "comment": _("comment"), "comment_id": _("comment number"), "undoes": _("undoes event"),
    "approved": _("approved"), "rejected": _("rejected"), "before": _("before deletion"),
    "revoked": _("tokens revoked"), "sha256": _("SHA-256"), "reviewer": _("reviewer"),
}
# Object types the audit page filters by, in the order offered.
AUDITED_MODELS = ["surveys.discrepancy", "surveys.photo", "surveys.observation", "surveys.visit", "surveys.site",
                  "surveys.claim", "surveys.organization", "surveys.linkproposal", "auth.user"]


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def object_type_options() -> list[tuple[str, str]]:
    return [(label, str(_model(label)._meta.verbose_name)) for label in AUDITED_MODELS]


def _field(model, name: str):
    """The model field a change key names: "status", or "site.organization" on another model."""
    if model is None:
        return None
    prefix, _dot, rest = name.partition(".")
    if rest:
        return _field(_model(f"{model._meta.app_label}.{prefix}"), rest)
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


@dataclass
class Change:
    label: str
    before: str | None  # None: no "before" (a value set for the first time, or a lone fact)
    after: str


@dataclass
class AuditRow:
    event: object
    action: str
    object_url: str | None
    changes: list[Change]
    names: "_Names"
    model: object

    @property
    def object_label(self) -> str:
        """"Discrepancy: Hengda · headcount"; names are loaded (one query per model) only if a page shows them."""
        event, model = self.event, self.model
        if model is None:
            return f"{event.object_type} #{event.object_id}"
        type_label = capfirst(model._meta.verbose_name)
        if not event.object_id.isdigit():  # a UUID: its first characters tell it apart
            return f"{type_label} {event.object_id[:8]}"
        name = self.names.name(model, event.object_id)
        return f"{type_label} #{event.object_id}" if name.startswith("#") else _truncated(f"{type_label}: {name}", 80)


_OBJECT_URLS = {
    "surveys.discrepancy": lambda pk: reverse("desk-discrepancy", args=[pk]),
    "surveys.site": lambda pk: reverse("desk-site", args=[pk]),
    "surveys.visit": lambda pk: reverse("desk-visit-photos", args=[pk]),
    "surveys.photo": lambda pk: reverse("photo-file", args=[pk]) + "?variant=display",
}


def _object_url(object_type: str, object_id: str) -> str | None:
    make = _OBJECT_URLS.get(object_type)
    try:
        return make(object_id) if make else None
    except NoReverseMatch:  # an id that is not this route's shape: no link
        return None


def _truncated(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _discrepancy_name(discrepancy) -> str:
    return f"{discrepancy.site.name} · {metric_text(discrepancy.metric)}"


def _claim_name(claim) -> str:
    return f"{metric_text(claim.metric)}: {_truncated(claim.text, 60)}" if claim.text else metric_text(claim.metric)


# How an object an event names reads, and what that needs loaded along with it.
_NAMERS = {
    "surveys.discrepancy": (("site",), _discrepancy_name),
    "surveys.claim": ((), _claim_name),
    "surveys.linkproposal": ((), lambda proposal: f"{proposal.site_name} ↔ {proposal.candidate_name}"),
}


class _Names:
    """Names of the objects events point at by id, loaded once per model for a whole page."""

    def __init__(self):
        self.wanted: dict[type, set] = {}
        self.loaded: dict[type, dict[str, object]] = {}

    def want(self, model, value):
        if isinstance(value, int) and not isinstance(value, bool) or isinstance(value, str) and value.isdigit():
            self.wanted.setdefault(model, set()).add(int(value))

    def name(self, model, value) -> str:
        related, namer = _NAMERS.get(model._meta.label_lower, ((), None))
        if model not in self.loaded:
            found = model._default_manager.select_related(*related).in_bulk(self.wanted.get(model, set()))
            self.loaded[model] = {str(pk): obj for pk, obj in found.items()}
        obj = self.loaded[model].get(str(value))
        if obj is None:
            return f"#{value}"
        if isinstance(obj, get_user_model()):
            return obj.get_username()
        return namer(obj) if namer else str(obj)


def _value_text(field_obj, value, names: _Names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(field_obj, models.ForeignKey) and not isinstance(value, (dict, list)):
        if isinstance(value, str) and not value.isdigit() and field_obj.related_model is get_user_model():
            return value  # stored as a username already
        return names.name(field_obj.related_model, value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, list):
        return ", ".join(_value_text(None, item, names) for item in value)
    if isinstance(value, dict):
        return _truncated("; ".join(f"{key}: {_value_text(None, item, names)}" for key, item in value.items()))
    if field_obj is not None and getattr(field_obj, "choices", None):
        return vocab_label(value)
    return _truncated(str(value))


def _change_label(field_obj, name: str) -> str:
    if name in CHANGE_LABELS:
        return str(CHANGE_LABELS[name])
    if field_obj is not None:
        return str(field_obj.verbose_name)
    return name.replace("_", " ").replace(".", " · ")


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def audit_rows(events) -> list[AuditRow]:
    """Events with their changes as "field: before → after", names instead of ids, in the page's language.

    A value set from nothing reads "field: value"; names are loaded once per model for the page.
    """
    events = list(events)
    names = _Names()
    parsed = []
    for event in events:
        model = _model(event.object_type)
        if model is not None:
            names.want(model, event.object_id)
        entries = []
        for name, change in (event.changes or {}).items():
            field_obj = _field(model, name)
            pair = isinstance(change, list) and len(change) == 2 and name != "before"
            before, after = (change[0], change[1]) if pair else (None, change)
            if pair and _empty(before) and _empty(after):
                continue
            if isinstance(field_obj, models.ForeignKey):
                names.want(field_obj.related_model, before)
                names.want(field_obj.related_model, after)
            entries.append((name, field_obj, pair and not _empty(before), before, after))
        parsed.append((event, model, entries))
    rows = []
    for event, model, entries in parsed:
        changes = [Change(label=_change_label(field_obj, name),
                          before=_value_text(field_obj, before, names) if has_before else None,
                          after=_value_text(field_obj, after, names))
                   for name, field_obj, has_before, before, after in entries]
        rows.append(AuditRow(event=event, action=str(ACTION_LABELS.get(event.action, event.action)),
                             object_url=_object_url(event.object_type, event.object_id), changes=changes,
                             names=names, model=model))
    return rows
