from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class BareView(APIView):
    """The floor: DRF parsing and rendering with no auth, validation or database."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        return Response({"received": len(request.data)}, status=201)


urlpatterns = [path("bench/bare/", BareView.as_view()), path("", include("config.urls"))]
