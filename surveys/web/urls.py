from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from surveys.web import notifications, odk, try_sentence, views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="desk-queue"), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("desk/", views.home, name="desk-queue"),
    path("desk/bulk/", views.bulk_action, name="desk-bulk"),
    path("desk/mine/", views.mine, name="desk-mine"),
    path("desk/discrepancies/<int:pk>/", views.discrepancy_detail, name="desk-discrepancy"),
    path("desk/discrepancies/<int:pk>/review/", views.discrepancy_review_action, name="desk-review"),
    path("desk/discrepancies/<int:pk>/undo/", views.discrepancy_undo_action, name="desk-undo"),
    path("desk/discrepancies/<int:pk>/assign/", views.discrepancy_assign_action, name="desk-assign"),
    path("desk/discrepancies/<int:pk>/comment/", views.discrepancy_comment_action, name="desk-comment"),
    path("desk/observations/<uuid:pk>/reject/", views.observation_reject_action, name="desk-observation-reject"),
    path("desk/sites/", views.proposed_sites, name="desk-sites"),
    path("desk/sites/<int:pk>/", views.site_detail, name="desk-site"),
    path("desk/sites/<int:pk>/photos/", views.site_photos, name="desk-site-photos"),
    path("desk/sites/<int:pk>/verify/", views.site_verify_action, name="desk-site-verify"),
    path("desk/visits/<uuid:pk>/photos/", views.visit_photos, name="desk-visit-photos"),
    path("desk/followups/", views.followup_requests_page, name="desk-followups"),
    path("desk/links/", views.link_proposals, name="desk-links"),
    path("desk/links/<int:pk>/decide/", views.link_proposal_action, name="desk-link-decide"),
    path("desk/photos/", views.photos_awaiting, name="desk-photos"),
    path("desk/photos/<uuid:pk>/approve/", views.photo_approve_action, name="desk-photo-approve"),
    path("desk/photos/<uuid:pk>/reject/", views.photo_reject_action, name="desk-photo-reject"),
    path("desk/audit/", views.audit_log, name="desk-audit"),
    path("desk/odk/", odk.devices, name="desk-odk-devices"),
    path("desk/odk/<int:pk>/revoke/", odk.device_revoke, name="desk-odk-device-revoke"),
    path("desk/exports/", views.exports, name="desk-exports"),
    path("desk/exports/jobs/", views.export_job_action, name="desk-export-job"),
    path("desk/try/", try_sentence.try_sentence, name="desk-try"),
    path("desk/notifications/", notifications.notification_settings, name="notification-settings"),
]
