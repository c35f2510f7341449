"""Plain-language shapes for the templates (no template tags: the pages stay logic-free)."""
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy as _, gettext_noop

from surveys.engine.metrics import metric_label
from surveys.vocab import Metric

FLAG_LABELS = {
    "far_from_site": _("Far from the site"),
    "reused": _("Reused photo"),
    "time_mismatch": _("Taken outside the visit"),
    "no_location": _("No location"),
    "edited": _("Edited"),
}


def _plain(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _describe(details) -> list[str]:
    """Every number behind a flag as "name: value", nested reasons flattened."""
    if not isinstance(details, dict):
        return []
    lines = []
    for name, value in details.items():
        label = name.replace("_", " ")
        if isinstance(value, dict):
            lines += [f"{label} · {line}" for line in _describe(value)]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines += [f"{label} · " + ", ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in item.items())
                      for item in value]
        elif isinstance(value, list):
            lines.append(f"{label}: {', '.join(_plain(v) for v in value)}")
        else:
            lines.append(f"{label}: {_plain(value)}")
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


def photo_card(photo, *, with_originals: bool) -> PhotoCard:
    """A photo for a page: protected file URLs, and each flag with the numbers behind it."""
    base = reverse("photo-file", args=[photo.pk])
    flags = [Flag(code=flag, label=FLAG_LABELS.get(flag, flag), lines=_describe(_flag_details(photo, flag)))
             for flag in photo.flags or []]
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
    gettext_noop("at most"), gettext_noop("vague"), gettext_noop("counted"), gettext_noop("estimated"), gettext_noop("interview"),
    gettext_noop("signage"), gettext_noop("document"), gettext_noop("photo"), gettext_noop("planned"),
    gettext_noop("not started"), gettext_noop("under construction"), gettext_noop("operating"), gettext_noop("idle"),
    gettext_noop("closed"), gettext_noop("government"), gettext_noop("company"), gettext_noop("media"),
    gettext_noop("other"), gettext_noop("factory"), gettext_noop("park"), gettext_noop("project"),
]


def vocab_options(enum) -> list[tuple[str, str]]:
    """(value, translated label) pairs for a filter's options."""
    from django.utils.translation import gettext

    if enum is Metric:
        return [(member.value, metric_label(member.value, get_language() or "en")) for member in enum]
    return [(member.value, gettext(member.value.replace("_", " "))) for member in enum]


def value_text(value: dict) -> str:
    """A quantity or status as a reader says it: "600–700 person", "≥ 150 enterprise", "operating"."""
    from django.utils.translation import gettext

    if not value:
        return "—"
    if value.get("status_value"):
        text = gettext(value["status_value"].replace("_", " "))
    else:
        low, high, unit = value.get("low"), value.get("high"), value.get("unit") or ""
        if low is not None and high is not None:
            text = _plain(low) if low == high else f"{_plain(low)}–{_plain(high)}"
        elif low is not None:
            text = f"≥ {_plain(low)}"
        elif high is not None:
            text = f"≤ {_plain(high)}"
        else:
            text = "?"
        text = f"{text} {unit}".strip()
    if value.get("due_date"):
        text += " · " + gettext("due %(date)s") % {"date": value["due_date"]}
    return text


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
    from django.utils.translation import gettext

    rows = []
    for fact in facts:
        source = gettext(fact["method"]) if fact["method"] else ""
        if fact["source_role"]:
            source += f" ({fact['source_role']})"
        rows.append(FactRow(
            metric=metric_label(fact["metric"], get_language() or "en"), value=value_text(fact),
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


@dataclass
class ObservationRow:
    observation: object
    value: str


def observation_rows(observations) -> list[ObservationRow]:
    return [ObservationRow(observation=o, value=value_text({"low": o.low, "high": o.high, "unit": o.unit,
                                                             "status_value": o.status_value}))
            for o in observations]


def history_rows(events) -> list[tuple[object, list[tuple[str, object, object]]]]:
    """Audit events with their changes as (field, before, after); a lone value is an "after"."""
    rows = []
    for event in events:
        changes = []
        for name, change in (event.changes or {}).items():
            if isinstance(change, list) and len(change) == 2:
                changes.append((name, change[0], change[1]))
            else:
                changes.append((name, None, change))
        rows.append((event, changes))
    return rows
