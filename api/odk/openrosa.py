"""OpenRosa 1.0 for ODK Collect, KoboCollect and Enketo, at ODK Central's paths."""
from django.conf import settings
from django.http import HttpResponse

from api.odk.body import read_chunked_body, too_large
from api.odk.endpoints import OPENROSA, SUBMITTERS, odk_endpoint
from api.odk.errors import OdkError
from api.odk.payload import submission_payload
from api.uploads import MULTIPART_OVERHEAD, SizeCapUploadHandler
from surveys.odk import openrosa as documents
from surveys.odk.form import FORM_ID, FORM_TITLE, SITES_MEDIA
from surveys.odk.instance import InstanceInvalid, parse_instance
from surveys.selectors.odk import current_form
from surveys.services.submissions import form_version_known, form_version_remember, submission_receive

XML_FIELD = "xml_submission_file"
INCOMPLETE_FIELD = "*isIncomplete*"


def project_url(request) -> str:
    """The project's base URL as this client reached it: with its device token when it came with one."""
    key = getattr(request, "odk_key", None)
    return request.build_absolute_uri(f"/v1/key/{key}/projects/1" if key else "/v1/projects/1")


def served_form():
    """The current form, recorded as a known version the first time it is served."""
    form = current_form()
    form_version_remember(version=form.version, md5=form.md5, media_md5=form.media_md5)
    return form


def xml_response(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


@odk_endpoint(OPENROSA, ("GET",))
def form_list(request):
    form = served_form()
    base = f"{project_url(request)}/forms/{FORM_ID}"
    listed = documents.ListedForm(form_id=FORM_ID, name=FORM_TITLE, version=form.version, md5=form.md5,
                                  download_url=f"{base}.xml", manifest_url=f"{base}/manifest")
    return xml_response(documents.form_list([listed]))


@odk_endpoint(OPENROSA, ("GET",))
def manifest(request, form_id: str):
    if form_id != FORM_ID:
        raise OdkError("Could not find the resource you were looking for.", status=404, code=404.1)
    form = served_form()
    url = f"{project_url(request)}/forms/{FORM_ID}/attachments/{documents.url_name(SITES_MEDIA)}"
    return xml_response(documents.manifest([documents.MediaFile(SITES_MEDIA, form.media_md5, url)]))


def submission_request_limit() -> int:
    return settings.PHOTO_MAX_BYTES + settings.ODK_XML_MAX_BYTES + MULTIPART_OVERHEAD


def parsed_instance(xml: bytes):
    if len(xml) > settings.ODK_XML_MAX_BYTES:
        raise OdkError(f"The submission XML is larger than {settings.ODK_XML_MAX_BYTES:,} bytes.", status=413,
                       code=413.1)
    try:
        instance = parse_instance(xml)
    except InstanceInvalid as invalid:
        raise OdkError(invalid.message, status=400, code=400.1) from None
    if instance.form_id != FORM_ID:
        raise OdkError("Could not find the form this submission is for.", status=404, code=404.1)
    if not form_version_known(instance.version):
        raise OdkError(f"The form version specified in this submission '{instance.version}' does not exist.",
                       status=404, code=404.6)
    return instance


@odk_endpoint(OPENROSA, ("HEAD", "GET", "POST"), roles=SUBMITTERS)
def submission(request):
    if request.method != "POST":
        return HttpResponse(status=204)  # OpenRosa: HEAD (and so GET) say where and how much to send
    limit = submission_request_limit()
    read_chunked_body(request, limit=limit)
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        raise too_large(limit)
    missing = OdkError(f"Required multipart POST field {XML_FIELD} missing.", status=400, code=400.7)
    if not request.content_type.startswith("multipart/"):
        raise missing
    request.upload_handlers.insert(0, SizeCapUploadHandler(request))
    files = request.FILES
    if XML_FIELD not in files:
        raise missing
    xml = files[XML_FIELD].read()
    instance = parsed_instance(xml)
    attachments = {name: upload for name, upload in files.items() if name != XML_FIELD}
    submission_receive(submitter=request.user, payload=submission_payload(request, instance, xml), files=attachments)
    partial = request.POST.get(INCOMPLETE_FIELD) == "yes"
    message = "partial submission upload was successful!" if partial else "full submission upload was successful!"
    return xml_response(documents.response_message(message), status=201)
