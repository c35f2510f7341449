"""An OpenRosa client written from the spec and from what ODK Collect sends, for tests and the benchmark.

Collect first sends HEAD to the submission URL (204 and X-OpenRosa-Accept-Content-Length
answer it), then POSTs multipart/form-data: the instance as `xml_submission_file`, each
attachment as a part named by its file name, X-OpenRosa-Version: 1.0 and a Date header.
When the attachments do not fit in the accepted length it splits them over several
POSTs of the same XML, each but the last carrying the field `*isIncomplete*` = yes.
"""
import datetime as dt
import http.client
import uuid
from dataclasses import dataclass, field
from email.utils import formatdate
from xml.sax.saxutils import escape


@dataclass
class VisitForm:
    """The answers of one filled-in site-visit form."""

    site: str
    started: dt.datetime
    ended: dt.datetime | None = None
    location: tuple[float, float, float, float] | None = None  # lat lon altitude accuracy
    notes: str = ""
    observed_status: str = ""
    activity_level: int | None = None
    activity_signs: list[str] = field(default_factory=list)
    observations: list[dict] = field(default_factory=list)
    photos: list[tuple[str, str]] = field(default_factory=list)  # (file name, caption)
    new_site_name: str = ""
    new_site_location: tuple[float, float] | None = None
    followup_of: int | None = None
    instance_id: str = field(default_factory=lambda: f"uuid:{uuid.uuid4()}")
    deprecated_id: str | None = None


def _element(name: str, value) -> str:
    if value is None or value == "" or value == []:
        return f"<{name}/>"
    if isinstance(value, dt.datetime):
        value = value.isoformat(timespec="milliseconds")
    elif isinstance(value, (list, tuple)):
        value = " ".join(str(part) for part in value)
    return f"<{name}>{escape(str(value))}</{name}>"


def instance_xml(form: VisitForm, *, version: str, form_id: str = "site_visit") -> bytes:
    parts = [
        _element("started", form.started), _element("ended", form.ended), _element("location", form.location),
        _element("followup_of", form.followup_of),
        _element("site", form.site), _element("new_site_name", form.new_site_name),
        _element("new_site_location", (*form.new_site_location, 0, 5) if form.new_site_location else None),
        _element("observed_status", form.observed_status), _element("activity_level", form.activity_level),
        _element("activity_signs", form.activity_signs), _element("notes", form.notes),
    ]
    for observation in form.observations:
        parts.append("<observation>" + "".join(_element(name, observation.get(name)) for name in (
            "metric", "low", "high", "qualifier", "status_value", "method", "source_role", "quote")) + "</observation>")
    for filename, caption in form.photos:
        parts.append(f"<photo>{_element('image', filename)}{_element('caption', caption)}</photo>")
    meta = _element("instanceID", form.instance_id) + (_element("deprecatedID", form.deprecated_id)
                                                       if form.deprecated_id else "")
    return (f'<?xml version="1.0" encoding="UTF-8"?><data xmlns:jr="http://openrosa.org/javarosa" '
            f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">{"".join(parts)}'
            f"<meta>{meta}</meta></data>").encode()


def multipart(xml: bytes, files: dict[str, bytes], *, incomplete: bool = False) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = []

    def part(name: str, data: bytes, filename: str | None, content_type: str | None):
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        head += f'; filename="{filename}"' if filename else ""
        head += f"\r\nContent-Type: {content_type}" if content_type else ""
        chunks.append(head.encode() + b"\r\n\r\n" + data + b"\r\n")

    part("xml_submission_file", xml, "submission.xml", "text/xml")
    for name, data in files.items():
        part(name, data, name, "image/jpeg")
    if incomplete:
        part("*isIncomplete*", b"yes", None, None)
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def collect_batches(files: dict[str, bytes], xml: bytes, accept_length: int) -> list[dict[str, bytes]]:
    """Split attachments as Collect does: at least one file per POST, a new POST when the next would not fit."""
    batches, current, size = [], {}, len(xml)
    for name, data in files.items():
        if current and size + len(data) > accept_length:
            batches.append(current)
            current, size = {}, len(xml)
        current[name] = data
        size += len(data)
    return batches + [current] if current or not batches else batches


def chunked(data: bytes, size: int = 8192) -> bytes:
    pieces = [f"{len(data[i:i + size]):x}\r\n".encode() + data[i:i + size] + b"\r\n" for i in range(0, len(data), size)]
    return b"".join(pieces) + b"0\r\n\r\n"


class OpenRosaClient:
    """Talks to a real server over HTTP/1.1, as a phone does."""

    def __init__(self, host: str, port: int, project_path: str):
        self.host, self.port, self.project_path = host, port, project_path

    def _headers(self) -> dict:
        return {"X-OpenRosa-Version": "1.0", "Date": formatdate(usegmt=True), "User-Agent": "test-openrosa-client"}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                *, chunked_body: bool = False):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            all_headers = {**self._headers(), **(headers or {})}
            if chunked_body:
                all_headers["Transfer-Encoding"] = "chunked"
                connection.putrequest(method, path)
                for name, value in all_headers.items():
                    connection.putheader(name, value)
                connection.endheaders()
                connection.send(chunked(body or b""))
            else:
                connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def head_submission(self):
        return self.request("HEAD", f"{self.project_path}/submission")

    def submit(self, xml: bytes, files: dict[str, bytes], *, chunked_body: bool = False) -> list[int]:
        """HEAD, then as many POSTs as Collect would make; the status of each POST."""
        status, headers, _ = self.head_submission()
        assert status == 204, status
        accept = int({name.lower(): value for name, value in headers.items()}["x-openrosa-accept-content-length"])
        batches = collect_batches(files, xml, accept)
        statuses = []
        for index, batch in enumerate(batches):
            body, content_type = multipart(xml, batch, incomplete=index < len(batches) - 1)
            status, _, _ = self.request("POST", f"{self.project_path}/submission", body,
                                        {"Content-Type": content_type}, chunked_body=chunked_body)
            statuses.append(status)
        return statuses
