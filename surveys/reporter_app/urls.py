from django.urls import path

from surveys.reporter_app import views

urlpatterns = [
    path("", views.shell, name="reporter-app"),
    path("manifest.webmanifest", views.manifest, name="reporter-app-manifest"),
    path("sw.js", views.service_worker, name="reporter-app-sw"),
]
