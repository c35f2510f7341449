"""Exports: streamed files for API clients, and export jobs for large or bundled ones.

Editors and admins export everything; exporters export under the exporter policy;
reporters are not export clients (403). The content is decided in
surveys.selectors.exports, from the same scoping and policy as the API.
"""
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from api.serializers.exports import ExportJobCreateSerializer, ExportJobSerializer
from api.views.base import ApiView
from surveys.errors import Gone, NotReady
from surveys.exports.columns import FORMATS
from surveys.filters import ExportFilter, cleaned, export_filters_of
from surveys.models import ExportJob
from surveys.roles import role_of
from surveys.selectors.exports import export_format, export_jobs_for, export_stream
from surveys.services.exports import export_filename, export_job_create
from surveys.vocab import Role

EXPORT_ROLES = frozenset({Role.EDITOR, Role.ADMIN, Role.EXPORTER})
EXPIRED = "This export has expired."


class ExportClients(BasePermission):
    message = "Exports are for editors, admins and exporters."

    def has_permission(self, request, view):
        return role_of(request.user) in EXPORT_ROLES


class AnyAccept(BaseContentNegotiation):
    """Clients ask for text/csv or application/geo+json; errors still answer in JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportApiView(ApiView):
    permission_classes = [ExportClients]
    content_negotiation_class = AnyAccept


class ExportView(ExportApiView):
    filterset_class = ExportFilter  # parsed in get(); named here for the schema (api/schema.py)

    @extend_schema(responses={
        (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description=", ".join(FORMATS))})
    def get(self, request, export_name):
        export = export_format(export_name)
        if export is None:
            raise Http404
        values = cleaned(ExportFilter, request.query_params)
        bom = export.writer == "csv" and bool(values["bom"])
        stream = export_stream(export, user=request.user, filters=export_filters_of(values), bom=bom)
        response = StreamingHttpResponse(stream, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.name}"'
        response["Cache-Control"] = "private, no-store"
        response["X-Accel-Buffering"] = "no"  # let a proxy pass the chunks on as they come
        return response


class ExportJobsView(ExportApiView):
    @extend_schema(request=ExportJobCreateSerializer, responses={202: ExportJobSerializer})
    def post(self, request):
        body = ExportJobCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = export_job_create(user=request.user, export=FORMATS[body.validated_data["format"]],
                                filters=body.to_filters(), include_photos=body.validated_data["include_photos"])
        data = ExportJobSerializer(job, context={"request": request}).data
        location = request.build_absolute_uri(reverse("export-job", args=[job.pk]))
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class ExportJobView(ExportApiView):
    @extend_schema(responses=ExportJobSerializer)
    def get(self, request, job_id):
        job = get_object_or_404(export_jobs_for(request.user), pk=job_id)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


class ExportJobDownloadView(ExportApiView):
    extra_error_codes = ("409", "410")  # not ready yet; expired
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, job_id):
        job = get_object_or_404(export_jobs_for(request.user), pk=job_id)
        if job.status == ExportJob.State.EXPIRED:
            raise Gone(EXPIRED)
        if job.status != ExportJob.State.DONE:
            raise NotReady(f"The export is not ready (status: {job.status}).")
        filename = export_filename(FORMATS[job.format], include_photos=job.include_photos)
        try:
            result = job.result.open("rb")
        except FileNotFoundError:  # expired between the lookup and now
            raise Gone(EXPIRED) from None
        return FileResponse(result, as_attachment=True, filename=filename)
