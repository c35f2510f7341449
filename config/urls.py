from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("v1/", include("api.odk.urls")),  # ODK Central's paths: OpenRosa, its REST subset, OData
    path("app/", include("surveys.reporter_app.urls")),  # the reporters' offline web app
    path("", include("surveys.web.urls")),
]

handler400 = "api.errors.api_400"
handler404 = "api.errors.api_404"
handler500 = "api.errors.api_500"
