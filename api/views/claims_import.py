from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api.permissions import EditorsOnly
from api.views.base import ApiView
from surveys.errors import PayloadTooLarge
from surveys.services.claims_import import claims_import

MAX_BYTES = 20 * 1024 * 1024


class ClaimsImportView(ApiView):
    """POST a CSV or JSON-lines `file` of claims: 200 with a report (created, unchanged, per-row errors)."""

    permission_classes = [EditorsOnly]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Attach a CSV or JSON-lines file as `file`."]})
        if upload.size > MAX_BYTES:
            raise PayloadTooLarge(limit=MAX_BYTES)
        report = claims_import(stream=upload, name=upload.name, actor=request.user)
        return Response(report.as_dict())
