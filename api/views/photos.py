from django.conf import settings
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api.pagination import LimitPagination
from api.parsers import BoundedJSONParser
from api.permissions import EDITORS
from api.serializers.visits import PhotoSerializer, PhotoUploadSerializer
from api.uploads import SizeCapUploadHandler, content_length_over_cap
from api.views.base import ApiView, ApiViewSet
from surveys.errors import PayloadTooLarge
from surveys.filters import PhotoFilter
from surveys.roles import role_of
from surveys.selectors.policy import photo_variants
from surveys.selectors.scoping import photos_for, visits_for
from surveys.services.photos import photo_create
from surveys.services.photo_access import photo_file_open
from surveys.vocab import Role

CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heic": "image/heic"}


class VisitPhotosView(ApiView):
    """GET lists a visit's photos; POST uploads one (multipart `file`, optional `id` and `caption`)."""

    parser_classes = [MultiPartParser]
    pagination_class = LimitPagination  # GET is a paginated list (and the schema says so)
    write_roles = EDITORS | {Role.REPORTER}

    def initialize_request(self, request, *args, **kwargs):
        request.upload_handlers.insert(0, SizeCapUploadHandler(request))
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        if request.method == "POST" and content_length_over_cap(request):
            raise PayloadTooLarge(limit=settings.PHOTO_MAX_BYTES)
        super().initial(request, *args, **kwargs)

    def _visit(self, visit_id):
        return get_object_or_404(visits_for(self.request.user), pk=visit_id)

    @extend_schema(responses=PhotoSerializer(many=True))
    def get(self, request, visit_id):
        visit = self._visit(visit_id)
        photos = photos_for(request.user).filter(visit=visit).order_by("created_at", "id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(photos, request, view=self)
        return paginator.get_paginated_response(PhotoSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: PhotoSerializer, 200: PhotoSerializer})
    def post(self, request, visit_id):
        visit = self._visit(visit_id)
        if role_of(request.user) == Role.REPORTER and visit.reporter_id != request.user.pk:
            raise NotFound()
        upload = PhotoUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        photo, created = photo_create(visit=visit, client_id=data.get("id"), upload=data["file"],
                                      caption=data.get("caption", ""))
        body = PhotoSerializer(photo, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PhotoViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                   mixins.DestroyModelMixin, ApiViewSet):
    serializer_class = PhotoSerializer
    write_roles = EDITORS | {Role.REPORTER}
    filterset_class = PhotoFilter
    # Edits are JSON (every field optional: an unreadable multipart body would be an empty edit).
    parser_classes = [BoundedJSONParser]

    def get_queryset(self):
        return photos_for(self.request.user).order_by("-created_at", "id")

    def perform_destroy(self, instance):
        from surveys.services.photo_access import photo_delete

        photo_delete(photo=instance, actor=self.request.user)


VARIANT = OpenApiParameter("variant", OpenApiTypes.STR, enum=["display", "thumbnail", "original"],
                           description="display and thumbnail carry no metadata; original only for its owner and editors.")


class PhotoFileView(ApiView):
    @extend_schema(parameters=[VARIANT], responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, photo_id):
        photo = get_object_or_404(photos_for(request.user), pk=photo_id)
        variant = request.query_params.get("variant", "display")
        if variant not in ("display", "thumbnail", "original"):
            raise ValidationError({"variant": ["One of display, thumbnail, original."]})
        if variant not in photo_variants(request.user, photo):
            pending = variant != "original" and photo.status != "ready"
            raise NotFound(f"The {variant} image is not ready (photo status: {photo.status})." if pending else None)
        stream = photo_file_open(photo=photo, variant=variant, actor=request.user)
        if stream is None:
            raise NotFound()
        content_type = CONTENT_TYPES[photo.original_format] if variant == "original" else "image/jpeg"
        extension = photo.original_format if variant == "original" else "jpg"
        response = FileResponse(stream, content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{photo.pk}-{variant}.{extension}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store" if variant == "original" else "private, max-age=3600"
        return response
