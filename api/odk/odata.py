"""The OData service of the site-visit form (`.svc`): what Excel, Power BI, R and pyodk's get_table() read."""
from urllib.parse import urlencode

from django.db.models import Q
from django.http import HttpResponse, JsonResponse

from api.odk.central import iso, submitter_id
from api.odk.endpoints import CENTRAL, odk_endpoint
from api.odk.errors import OdkError, not_found
from api.odk.openrosa import project_url
from surveys.odk import odata
from surveys.odk.form import FORM_ID
from surveys.selectors.odk import odata_rows, submissions_for, submissions_with_rows
from surveys.selectors.policy import is_restricted, reporter_label

PARAMETERS = {"$top", "$skip", "$count", "$filter", "$select", "$wkt", "$expand", "$format", "$orderby", "$skiptoken"}
LOOKUPS = {"eq": "", "lt": "__lt", "le": "__lte", "gt": "__gt", "ge": "__gte"}


def _odata(view):
    """Turns ODataError into Central's JSON error (4xx) and sets OData-Version."""

    def wrapped(request, form_id: str, **kwargs):
        if form_id != FORM_ID:
            raise not_found()
        try:
            response = view(request, **kwargs)
        except odata.ODataError as error:
            raise OdkError(error.message, status=error.status, code=error.code) from None
        response["OData-Version"] = "4.0"
        return response

    return wrapped


def service_url(request) -> str:
    return f"{project_url(request)}/forms/{FORM_ID}.svc"


@odk_endpoint(CENTRAL, ("GET",))
@_odata
def service(request):
    return JsonResponse(odata.service_document(service_url(request)),
                        content_type="application/json; odata.metadata=minimal")


@odk_endpoint(CENTRAL, ("GET",))
@_odata
def metadata(request):
    return HttpResponse(odata.metadata_document(), content_type="application/xml")


def _filtered(queryset, expression: str | None):
    if not expression:
        return queryset
    condition = Q()
    for alternative in odata.parse_filter(expression):
        both = Q()
        for field, operator, value in alternative:
            if value is None and field == "review_state":
                value = ""  # no review state is stored blank
            term = Q(**{f"{field}{LOOKUPS.get(operator, '')}": value})
            both &= ~term if operator == "ne" else term
        condition |= both
    return queryset.filter(condition)


def _system(record, viewer) -> dict:
    present = sum(1 for attachment in record.attachments.all() if attachment.photo_id)
    return {"submissionDate": iso(record.created_at), "updatedAt": iso(record.updated_at), "deletedAt": None,
            "submitterId": str(submitter_id(viewer, record.submitter_id)),
            "submitterName": reporter_label(viewer, record.submitter_id, record.submitter.get_username()),
            "attachmentsPresent": present, "attachmentsExpected": len(record.attachments.all()), "status": None,
            "reviewState": record.review_state or None, "deviceId": None if is_restricted(viewer) else
            record.device_id or None, "edits": record.edits, "formVersion": record.form_version}


def _next_link(request, table: str, skip: int) -> str:
    params = {key: value for key, value in request.GET.items() if key != "$skip"}
    return f"{service_url(request)}/{table}?{urlencode({**params, '$skip': skip}, safe='$')}"


@odk_endpoint(CENTRAL, ("GET",))
@_odata
def table(request, table: str):
    if table not in odata.TABLES:
        raise not_found()
    unsupported = set(request.GET) - PARAMETERS
    if unsupported:
        raise odata.ODataError(f"The requested feature {sorted(unsupported)[0]} is not supported by this server.")
    page = odata.paging(request.GET)
    records = _filtered(submissions_for(request.user), request.GET.get("$filter")).order_by("created_at", "visit")
    wkt, expand = request.GET.get("$wkt", "").lower() == "true", request.GET.get("$expand") == "*"
    if table == "Submissions":
        total = records.count() if page.count else None
        chosen = records[page.skip:page.skip + page.top] if page.top is not None else records[page.skip:]
        rows = [row for record in submissions_with_rows(chosen) for row in odata_rows(
            record, request.user, table=table, wkt=wkt, expand=expand, system=_system(record, request.user))]
        more = page.top is not None and records[page.skip + page.top:page.skip + page.top + 1].exists()
    else:  # a repeat: its rows across the submissions, paged as one table
        every = [row for record in submissions_with_rows(records) for row in odata_rows(
            record, request.user, table=table, wkt=wkt, expand=False, system={})]
        total = len(every) if page.count else None
        rows = every[page.skip:page.skip + page.top] if page.top is not None else every[page.skip:]
        more = page.top is not None and page.skip + page.top < len(every)
    body = odata.feed(odata.select(rows, request.GET.get("$select")),
                      context_url=f"{service_url(request)}/$metadata#{table}", count=total,
                      next_link=_next_link(request, table, page.skip + page.top) if more else None)
    return JsonResponse(body, content_type="application/json; odata.metadata=minimal")
