"""OpenRosa 1.0 documents: the form list, the manifest and the OpenRosaResponse (also for errors)."""
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape

OPENROSA_VERSION = "1.0"


@dataclass(frozen=True)
class ListedForm:
    form_id: str
    name: str
    version: str
    md5: str
    download_url: str
    manifest_url: str


@dataclass(frozen=True)
class MediaFile:
    filename: str
    md5: str
    download_url: str


def form_list(forms: list[ListedForm]) -> bytes:
    items = "".join(
        f"<xform><formID>{escape(form.form_id)}</formID><name>{escape(form.name)}</name>"
        f"<version>{escape(form.version)}</version><hash>md5:{form.md5}</hash>"
        f"<downloadUrl>{escape(form.download_url)}</downloadUrl><manifestUrl>{escape(form.manifest_url)}</manifestUrl>"
        "</xform>" for form in forms)
    return (f'<?xml version="1.0" encoding="UTF-8"?><xforms xmlns="http://openrosa.org/xforms/xformsList">{items}'
            "</xforms>").encode()


def manifest(files: list[MediaFile]) -> bytes:
    items = "".join(
        f"<mediaFile><filename>{escape(media.filename)}</filename><hash>md5:{media.md5}</hash>"
        f"<downloadUrl>{escape(media.download_url)}</downloadUrl></mediaFile>" for media in files)
    return (f'<?xml version="1.0" encoding="UTF-8"?><manifest xmlns="http://openrosa.org/xforms/xformsManifest">'
            f"{items}</manifest>").encode()


def response_message(message: str, *, nature: str = "") -> bytes:
    nature_attribute = f' nature="{escape(nature)}"' if nature else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><OpenRosaResponse xmlns="http://openrosa.org/http/response" '
            f'items="0"><message{nature_attribute}>{escape(message)}</message></OpenRosaResponse>').encode()


def url_name(name: str) -> str:
    return quote(name, safe="")
