"""The ODK Central REST subset that pyodk uses: sessions, the user, the project, forms, submissions, attachments, comments."""
import tempfile
import uuid

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.http import FileResponse, HttpResponse, JsonResponse
from django.utils import timezone

from api.odk.body import read_chunked_body, too_large
from api.odk.endpoints import CENTRAL, SUBMITTERS, odk_endpoint
from api.odk.errors import OdkError, forbidden, not_found
from api.odk.openrosa import parsed_instance, served_form, xml_response
from api.odk.payload import submission_payload
from api.parsers import json_loads_bounded
from surveys.models import FormVersion, OdkSubmission
from surveys.odk.form import FORM_ID, FORM_TITLE, SITES_MEDIA
from surveys.odk.instance import InstanceInvalid, instance_id_visit
from surveys.roles import is_editor, role_of
from surveys.selectors.odk import submissions_for
from surveys.selectors.policy import can_fetch_originals, is_restricted, reporter_pseudonym
from surveys.services.photo_access import photo_file_open
from surveys.services.submissions import (
    submission_attachment_store, submission_comment_add, submission_receive, submission_review,
)
from surveys.services.tokens import token_create, token_lookup, token_revoke

JSON_LIMIT = 64 * 1024


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _json_body(request) -> dict:
    if int(request.META.get("CONTENT_LENGTH") or 0) > JSON_LIMIT:
        raise too_large(JSON_LIMIT)
    try:
        body = json_loads_bounded(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise OdkError("Could not parse the given data as JSON.", status=400, code=400.1) from None
    if not isinstance(body, dict):
        raise OdkError("Could not parse the given data as a JSON object.", status=400, code=400.1)
    return body


def _list(rows: list) -> JsonResponse:
    return JsonResponse(rows, safe=False)


@odk_endpoint(CENTRAL, ("POST",), authenticated=False)
def sessions(request):
    body = _json_body(request)
    login, password = str(body.get("email") or ""), str(body.get("password") or "")
    user = authenticate(request, username=login, password=password) if login and password else None
    if user is None and "@" in login:
        account = get_user_model().objects.filter(email__iexact=login).first()
        user = authenticate(request, username=account.username, password=password) if account else None
    if user is None or role_of(user) is None:
        raise OdkError("Could not authenticate with the provided credentials.", status=401, code=401.2)
    # One live session per user and client program, as for devices.
    client = request.META.get("HTTP_USER_AGENT", "")[:80]
    token, key = token_create(user=user, device=f"ODK session: {client}", ttl=settings.ODK_SESSION_TTL)
    return JsonResponse({"token": key, "csrf": "", "createdAt": iso(token.created_at),
                         "expiresAt": iso(token.expires_at)})


@odk_endpoint(CENTRAL, ("DELETE",))
def session(request, token: str):
    found = token_lookup(token)
    if found is None or found.user_id != request.user.pk:
        raise not_found()
    token_revoke(token=found)
    return JsonResponse({"success": True})


@odk_endpoint(CENTRAL, ("GET",))
def current_user(request):
    user = request.user
    return JsonResponse({"id": user.pk, "type": "user", "displayName": user.get_username(),
                         "email": user.email or user.get_username(), "createdAt": iso(user.date_joined),
                         "updatedAt": None, "deletedAt": None})


def project_json() -> dict:
    started = get_user_model().objects.order_by("date_joined").values_list("date_joined", flat=True).first()
    return {"id": 1, "name": settings.NEWSROOM_NAME, "description": None, "archived": False, "keyId": None,
            "createdAt": iso(started or timezone.now()), "updatedAt": None, "deletedAt": None}


@odk_endpoint(CENTRAL, ("GET",))
def projects(request):
    return _list([project_json()])


@odk_endpoint(CENTRAL, ("GET",))
def project(request):
    return JsonResponse(project_json())


def form_json() -> dict:
    form = served_form()
    first = FormVersion.objects.order_by("created_at").values_list("created_at", flat=True).first()
    current = FormVersion.objects.get(pk=form.version).created_at
    return {"projectId": 1, "xmlFormId": FORM_ID, "name": FORM_TITLE, "version": form.version, "hash": form.md5,
            "enketoId": None, "keyId": None, "state": "open", "createdAt": iso(first), "updatedAt": iso(current),
            "publishedAt": iso(current)}


def _form(form_id: str) -> None:
    if form_id != FORM_ID:
        raise not_found()


@odk_endpoint(CENTRAL, ("GET",))
def forms(request):
    return _list([form_json()])


@odk_endpoint(CENTRAL, ("GET",))
def form(request, form_id: str):
    _form(form_id)
    return JsonResponse(form_json())


@odk_endpoint(CENTRAL, ("GET",))
def form_xml(request, form_id: str):
    _form(form_id)
    return xml_response(served_form().xml)


@odk_endpoint(CENTRAL, ("GET",))
def form_attachment(request, form_id: str, name: str):
    _form(form_id)
    if name != SITES_MEDIA:
        raise not_found()
    response = HttpResponse(served_form().media, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{SITES_MEDIA}"'
    return response


def submitter_id(viewer, user_id: int) -> int:
    """Central's submitter id; an exporter gets a stable number from the pseudonym instead."""
    if is_restricted(viewer):
        return int(reporter_pseudonym(user_id).rsplit("-", 1)[1][:8], 16)
    return user_id


def submission_json(record: OdkSubmission, viewer) -> dict:
    restricted = is_restricted(viewer)
    return {"instanceId": f"uuid:{record.visit_id}", "submitterId": submitter_id(viewer, record.submitter_id),
            "deviceId": None if restricted else record.device_id or None,
            "userAgent": None if restricted else record.user_agent or None,
            "reviewState": record.review_state or None, "instanceName": record.instance_name or None,
            "createdAt": iso(record.created_at), "updatedAt": iso(record.updated_at),
            "currentVersion": {"instanceId": record.instance_id, "instanceName": record.instance_name or None,
                               "createdAt": iso(record.updated_at), "current": True}}


def visible_submission(request, instance_id: str) -> OdkSubmission:
    try:
        visit_id = instance_id_visit(instance_id)
    except InstanceInvalid:
        raise not_found() from None
    record = submissions_for(request.user).filter(pk=visit_id).first()
    if record is None:
        raise not_found()
    return record


@odk_endpoint(CENTRAL, ("GET", "POST"))
def submissions(request, form_id: str):
    _form(form_id)
    if request.method == "GET":
        rows = submissions_for(request.user).order_by("created_at", "visit")
        return _list([submission_json(record, request.user) for record in rows])
    if role_of(request.user) not in SUBMITTERS:
        raise forbidden()
    read_chunked_body(request, limit=settings.ODK_XML_MAX_BYTES)
    xml = request.body
    instance = parsed_instance(xml)
    record, created = submission_receive(submitter=request.user, payload=submission_payload(request, instance, xml),
                                         files={})
    if not created:
        raise OdkError(f"A resource already exists with instanceID value(s) of {instance.instance_id}.", status=409,
                       code=409.3)
    return JsonResponse(submission_json(record, request.user))


@odk_endpoint(CENTRAL, ("GET", "PATCH"))
def submission_detail(request, form_id: str, instance_id: str):
    _form(form_id)
    record = visible_submission(request, instance_id)
    if request.method == "PATCH":
        if not is_editor(request.user):
            raise forbidden()
        record = submission_review(record=record, review_state=str(_json_body(request).get("reviewState")),
                                   actor=request.user)
    return JsonResponse(submission_json(record, request.user))


@odk_endpoint(CENTRAL, ("GET",))
def submission_xml(request, form_id: str, instance_id: str):
    _form(form_id)
    record = visible_submission(request, instance_id)
    if is_restricted(request.user):
        raise forbidden()  # the XML holds the positions and the device the exporter policy withholds
    return xml_response(bytes(record.xml))


@odk_endpoint(CENTRAL, ("GET",))
def attachments(request, form_id: str, instance_id: str):
    _form(form_id)
    record = visible_submission(request, instance_id)
    return _list([{"name": attachment.name, "exists": attachment.photo_id is not None}
                  for attachment in record.attachments.all()])


@odk_endpoint(CENTRAL, ("GET", "POST"))
def attachment(request, form_id: str, instance_id: str, name: str):
    _form(form_id)
    record = visible_submission(request, instance_id)
    if request.method == "POST":
        return _attachment_upload(request, record, name)
    found = record.attachments.select_related("photo__visit").filter(name=name).first()
    if found is None or found.photo is None or not can_fetch_originals(request.user, found.photo):
        raise not_found()
    stream = photo_file_open(photo=found.photo, variant="original", actor=request.user)
    if stream is None:
        raise not_found()
    response = FileResponse(stream, content_type=f"image/{found.photo.original_format}")
    response["Content-Disposition"] = f'attachment; filename="{uuid.uuid4().hex}.{found.photo.original_format}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment_upload(request, record: OdkSubmission, name: str):
    if record.submitter_id != request.user.pk and not is_editor(request.user):
        raise forbidden()
    limit = settings.PHOTO_MAX_BYTES
    read_chunked_body(request, limit=limit)
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        raise too_large(limit)
    # The raw body is the file: read as a stream (request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE).
    spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
    while chunk := request.read(64 * 1024):
        spool.write(chunk)
    size = spool.tell()
    spool.seek(0)
    upload = InMemoryUploadedFile(spool, None, name, request.content_type or "application/octet-stream", size, None)
    submission_attachment_store(record=record, name=name, upload=upload, actor=request.user)
    return JsonResponse({"success": True})


def comment_json(comment) -> dict:
    return {"body": comment.body, "actorId": comment.author_id, "createdAt": iso(comment.created_at)}


@odk_endpoint(CENTRAL, ("GET", "POST"))
def comments(request, form_id: str, instance_id: str):
    _form(form_id)
    record = visible_submission(request, instance_id)
    if is_restricted(request.user):
        raise forbidden()
    if request.method == "POST":
        comment = submission_comment_add(record=record, body=str(_json_body(request).get("body") or ""),
                                         actor=request.user)
        return JsonResponse(comment_json(comment))
    return _list([comment_json(comment) for comment in record.comments.all()])
