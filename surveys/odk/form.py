"""The site-visit form: its XLSForm source (site_visit.md) plus choices from the vocabulary, converted by pyxform.

The version is a digest of everything that makes the form a phone downloads: the survey
sheet, the choices and their labels, the pyxform release and the md5 of `sites.csv`. A
change to any of them is a new version, so phones update.
"""
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

FORM_ID = "site_visit"
FORM_TITLE = "Site visit · 现场走访"
LANGUAGES = ("English (en)", "中文 (zh)")
SITES_MEDIA = "sites.csv"
NEW_SITE = "other"  # the sites.csv choice for "a site not in the list"
SOURCE = Path(__file__).with_name("site_visit.md")


@dataclass(frozen=True)
class Choice:
    list_name: str
    value: str
    labels: tuple[str, str]  # in the order of LANGUAGES


@functools.cache
def survey_sheet() -> str:
    """The `| survey |` table of the reviewed source, as pyxform reads it."""
    text = SOURCE.read_text(encoding="utf-8")
    return text[text.index("| survey |"):].strip() + "\n"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def _choices_sheet(choices: tuple[Choice, ...]) -> str:
    header = " | ".join(["list_name", "name", *(f"label::{language}" for language in LANGUAGES)])
    rows = [f"| | {header} |"]
    rows += [f"| | {choice.list_name} | {choice.value} | {' | '.join(map(_cell, choice.labels))} |" for choice in choices]
    return "| choices |\n" + "\n".join(rows) + "\n"


def _settings_sheet(version: str) -> str:
    return ("| settings |\n| | form_title | form_id | version | default_language | instance_name |\n"
            f"| | {FORM_TITLE} | {FORM_ID} | {version} | {LANGUAGES[0]} | concat(${{site}}, ' ', ${{started}}) |\n")


def workbook(choices: tuple[Choice, ...], version: str) -> str:
    """The whole XLSForm as markdown: survey, choices, settings."""
    return "\n".join([survey_sheet(), _choices_sheet(choices), _settings_sheet(version)])


def form_version(choices: tuple[Choice, ...], media_md5: str) -> str:
    import pyxform

    digest = hashlib.sha256()
    for part in (survey_sheet(), _choices_sheet(choices), pyxform.__version__, media_md5):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


VERSION_SLOT = "0version0slot0"


@functools.lru_cache(maxsize=4)
def _converted(choices: tuple[Choice, ...]) -> bytes:
    from pyxform.xls2xform import convert

    return convert(xlsform=workbook(choices, VERSION_SLOT), file_type=".md").xform.encode("utf-8")


def xform_bytes(choices: tuple[Choice, ...], version: str) -> bytes:
    """The XForm served to phones, exactly: its md5 is the form list's hash.

    A new sites.csv changes only the version, so pyxform converts once per set of
    choices and the version is put into the root element's attribute.
    """
    slot = f'version="{VERSION_SLOT}"'.encode()
    converted = _converted(choices)
    if converted.count(slot) != 1:
        raise RuntimeError("pyxform no longer writes the version where it is expected")
    return converted.replace(slot, f'version="{version}"'.encode())
