"""`sites.csv`, the form's media file: every site as a choice, searchable by name, alias and pinyin.

Collect's autocomplete matches what the reporter types against the label, so the label
carries the name, the aliases and the toneless pinyin of the Chinese ones.
"""
import csv
import hashlib
import io
from dataclasses import dataclass

from surveys.odk.form import NEW_SITE

NEW_SITE_LABEL = "+ A site not in the list · 列表中没有的地点"
UNVERIFIED_MARK = "(unverified · 未核实)"


@dataclass(frozen=True)
class SiteRow:
    id: int
    name: str
    aliases: tuple[str, ...]
    verified: bool


def _pinyin(names: list[str]) -> list[str]:
    from surveys.engine.entities import pinyin_spellings

    return pinyin_spellings(names)


def site_label(row: SiteRow) -> str:
    names = list(dict.fromkeys([row.name, *row.aliases]))
    parts = names + [spelling for spelling in _pinyin(names) if spelling.casefold() not in
                     {name.casefold() for name in names}]
    label = " · ".join(" ".join(part.split()) for part in parts if part.strip())
    return label if row.verified else f"{label} {UNVERIFIED_MARK}"


def sites_csv(rows: list[SiteRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "label", "verified"])
    for row in rows:
        writer.writerow([row.id, site_label(row), int(row.verified)])
    writer.writerow([NEW_SITE, NEW_SITE_LABEL, 0])
    return buffer.getvalue().encode("utf-8")


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()
