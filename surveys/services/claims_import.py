"""Claims from a CSV or JSON-lines file: per-row errors, valid rows kept, re-imports create nothing.

Each row is read into typed values by a form built from the Claim model's fields, then checked
by the same rules as `POST /api/v1/claims/` (`claim_values_validate`: values, or a text to
extract them from); its site and organization are given by id or by a name or alias in any script.
A row's import key is a hash of its validated values, so the same claim written with an
alias instead of an id, or imported twice, is created once.
"""
import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import BinaryIO

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError
from django.forms.models import fields_for_model

from surveys.errors import ClaimTextError, ImportFileError
from surveys.filters import StrictBooleanField
from surveys.models import Claim, Organization, Site
from surveys.services.claims import claim_values_validate
from surveys.services.entities import claim_save
from surveys.services.linking import NameIndex

FIELDS = ["site", "organization", "metric", "low", "high", "unit", "qualifier", "status_value", "due_date",
          "is_target", "text", "source_name", "source_url", "source_kind", "published_on"]
SUBJECTS = {"site": Site, "organization": Organization}


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"rows": self.rows, "created": self.created, "unchanged": self.unchanged,
                "failed": len(self.errors), "errors": self.errors}


class _URL(forms.CharField):
    """A URL as given: no scheme guessed (Django's form field would prepend one)."""

    default_validators = [URLValidator()]


def _parsed(data: dict) -> tuple[dict, dict]:
    """(the values given, typed as the model's fields type them, field errors).

    Only the fields given are read, none required: defaults and what a claim needs are the
    claim rules' to decide.
    """
    errors = {name: ["Give a single value."] for name, value in data.items() if isinstance(value, (dict, list))}
    names = [name for name in data if name not in errors]
    fields = fields_for_model(Claim, fields=names, field_classes={"is_target": StrictBooleanField, "source_url": _URL})
    for form_field in fields.values():
        form_field.required = False
    form = type("ClaimRowForm", (forms.Form,), dict(fields))(data={name: data[name] for name in names})
    form.is_valid()
    errors.update({name: list(messages) for name, messages in form.errors.items()})
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}, errors


def _rows(stream: BinaryIO, name: str):
    """(line number, raw row or a parse error message) for each data row."""
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("The file is not UTF-8 text.") from None
    if name.lower().endswith((".jsonl", ".ndjson", ".json")) or text.lstrip().startswith("{"):
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"Not valid JSON: {exc.msg}."
                continue
            yield number, row if isinstance(row, dict) else "Each line must be a JSON object."
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    unknown = set(reader.fieldnames or ()) - set(FIELDS)
    if not reader.fieldnames or unknown:
        raise ImportFileError(f"Unknown CSV columns: {', '.join(sorted(unknown))}." if unknown
                              else "The CSV file has no header row.")
    for row in reader:
        if any((value or "").strip() for value in row.values()):
            yield reader.line_num, {k: v.strip() for k, v in row.items() if k and v is not None and v.strip() != ""}


def _as_id(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


class _Subjects:
    """Site and organization names resolved against one index per model, built once per import."""

    def __init__(self):
        self.indexes: dict[str, NameIndex] = {}

    def resolve(self, kind: str, value) -> tuple[int | None, list[str]]:
        if value in (None, "") or _as_id(value) is not None:
            return _as_id(value), []
        if not isinstance(value, str):
            return None, ["Give an id or a name."]
        index = self.indexes.get(kind) or self.indexes.setdefault(kind, NameIndex.of(SUBJECTS[kind]))
        found = sorted(index.exact([value]))
        if len(found) == 1:
            return found[0], []
        if found:
            return None, [f"{value!r} names several {kind}s ({', '.join(f'#{pk}' for pk in found)}): give the id."]
        similar = index.fuzzy([(value, [value])]).get(value, [])
        hint = "; did you mean " + ", ".join(f"{p.target_name!r} (#{p.target_id})" for p in similar) if similar else ""
        return None, [f"No {kind} is named {value!r}{hint}."]


def _import_key(values: dict) -> str:
    normalised = {name: getattr(value, "pk", value) for name, value in sorted(values.items())}
    return hashlib.sha256(json.dumps(normalised, sort_keys=True, default=str).encode()).hexdigest()


def _validated(raw: dict, subjects: _Subjects) -> tuple[dict | None, dict]:
    """(values, {}) for a valid row, else (None, field errors)."""
    errors = {name: ["Unknown field."] for name in raw if name not in FIELDS}
    data = {name: value for name, value in raw.items() if name in FIELDS}
    for kind in SUBJECTS:
        data[kind], messages = subjects.resolve(kind, data.get(kind))
        if messages:
            errors[kind] = messages
    if errors:
        return None, errors
    values, errors = _parsed({k: v for k, v in data.items() if v is not None})
    if errors:
        return None, errors
    try:
        return claim_values_validate(values), {}
    except ClaimTextError as exc:
        return None, exc.errors
    except ValidationError as exc:
        return None, exc.message_dict


def claims_import(*, stream: BinaryIO, name: str = "", actor=None) -> ImportReport:
    """Import every valid row (each in its own transaction, via claim_save) and report the others."""
    report, subjects, seen = ImportReport(), _Subjects(), set()
    for line, raw in _rows(stream, name):
        report.rows += 1
        values, errors = (None, {"non_field_errors": [raw]}) if isinstance(raw, str) else _validated(raw, subjects)
        if errors:
            report.errors.append({"row": report.rows, "line": line, "errors": errors})
            continue
        key = _import_key(values)
        if key in seen or Claim.objects.filter(import_key=key).exists():
            report.unchanged += 1
            continue
        seen.add(key)
        try:
            claim_save(claim=None, values={**values, "import_key": key}, actor=actor)
        except IntegrityError:  # a concurrent import of the same row won
            report.unchanged += 1
            continue
        except ValidationError as exc:  # model rules the API checks do not cover
            report.errors.append({"row": report.rows, "line": line, "errors": exc.message_dict})
            continue
        report.created += 1
    return report
