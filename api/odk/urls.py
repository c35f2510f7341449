"""/v1/: ODK Central's paths, with and without a device token in the path (`/v1/key/<token>/...`)."""
from django.urls import include, path

from api.odk import central, odata, openrosa

FORM = "projects/<int:project_id>/forms/<str:form_id>"
SUBMISSION = f"{FORM}/submissions/<str:instance_id>"

project_patterns = [
    path("projects", central.projects, name="odk-projects"),
    path("projects/<int:project_id>", central.project, name="odk-project"),
    path("projects/<int:project_id>/formList", openrosa.form_list, name="odk-form-list"),
    path("projects/<int:project_id>/submission", openrosa.submission, name="odk-submission"),
    path("projects/<int:project_id>/forms", central.forms, name="odk-forms"),
    path(f"{FORM}.xml", central.form_xml, name="odk-form-xml"),
    path(f"{FORM}.svc", odata.service, name="odk-odata"),
    path(f"{FORM}.svc/$metadata", odata.metadata, name="odk-odata-metadata"),
    path(f"{FORM}.svc/<str:table>", odata.table, name="odk-odata-table"),
    path(f"{FORM}/manifest", openrosa.manifest, name="odk-manifest"),
    path(f"{FORM}/attachments/<str:name>", central.form_attachment, name="odk-form-attachment"),
    path(f"{SUBMISSION}.xml", central.submission_xml, name="odk-submission-xml"),
    path(f"{SUBMISSION}/attachments", central.attachments, name="odk-attachments"),
    path(f"{SUBMISSION}/attachments/<str:name>", central.attachment, name="odk-attachment"),
    path(f"{SUBMISSION}/comments", central.comments, name="odk-comments"),
    path(SUBMISSION, central.submission_detail, name="odk-submission-detail"),
    path(f"{FORM}/submissions", central.submissions, name="odk-submissions"),
    path(FORM, central.form, name="odk-form"),
]

urlpatterns = [
    path("sessions", central.sessions, name="odk-sessions"),
    path("sessions/<str:token>", central.session, name="odk-session"),
    path("users/current", central.current_user, name="odk-current-user"),
    # KeyInPathMiddleware has moved the token out of the path by now.
    path("key/_/", include(project_patterns)),
    *project_patterns,
]
