from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api.views.auth import RevokeUserTokensView, TokenView
from api.views.audit import AuditEventViewSet
from api.views.claims_import import ClaimsImportView
from api.views.desk_actions import LinkProposalDecideView, LinkProposalViewSet, PhotoApproveView, SiteVerifyView
from api.views.discrepancies import (
    DiscrepancyAssignView, DiscrepancyCommentsView, DiscrepancyDecisionsView, DiscrepancyReviewView,
    DiscrepancyViewSet,
)
from api.views.docs import DocsView
from api.views.followups import FollowupViewSet
from api.views.entities import ClaimViewSet, OrganizationViewSet, SiteViewSet
from api.views.exports import ExportJobDownloadView, ExportJobsView, ExportJobView, ExportView
from api.views.notifications import NotificationPreferenceView
from api.views.photos import PhotoFileView, PhotoViewSet, VisitPhotosView
from api.views.visits import ObservationViewSet, VisitViewSet
from api.views.webhooks import DeliveryReplayView, DeliveryViewSet

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("sites", SiteViewSet, basename="site")
router.register("claims", ClaimViewSet, basename="claim")
router.register("visits", VisitViewSet, basename="visit")
router.register("observations", ObservationViewSet, basename="observation")
router.register("photos", PhotoViewSet, basename="photo")
router.register("discrepancies", DiscrepancyViewSet, basename="discrepancy")
router.register("link-proposals", LinkProposalViewSet, basename="linkproposal")
router.register("audit", AuditEventViewSet, basename="audit")
router.register("outbox/deliveries", DeliveryViewSet, basename="delivery")
router.register("followups", FollowupViewSet, basename="followup")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("users/<str:username>/revoke-tokens/", RevokeUserTokensView.as_view(), name="user-revoke-tokens"),
    path("visits/<uuid:visit_id>/photos/", VisitPhotosView.as_view(), name="visit-photos"),
    path("photos/<uuid:photo_id>/file/", PhotoFileView.as_view(), name="photo-file"),
    path("claims/import/", ClaimsImportView.as_view(), name="claims-import"),  # before the router's claims/<pk>/
    path("discrepancies/<int:pk>/review/", DiscrepancyReviewView.as_view(), name="discrepancy-review"),
    path("discrepancies/<int:pk>/assign/", DiscrepancyAssignView.as_view(), name="discrepancy-assign"),
    path("discrepancies/<int:pk>/decisions/", DiscrepancyDecisionsView.as_view(), name="discrepancy-decisions"),
    path("discrepancies/<int:pk>/comments/", DiscrepancyCommentsView.as_view(), name="discrepancy-comments"),
    path("link-proposals/<int:pk>/decide/", LinkProposalDecideView.as_view(), name="linkproposal-decide"),
    path("sites/<int:pk>/verify/", SiteVerifyView.as_view(), name="site-verify"),
    path("photos/<uuid:photo_id>/approve/", PhotoApproveView.as_view(), name="photo-approve"),
    path("outbox/deliveries/<uuid:pk>/replay/", DeliveryReplayView.as_view(), name="delivery-replay"),
    path("me/notifications/", NotificationPreferenceView.as_view(), name="notification-preferences"),
    path("exports/jobs/", ExportJobsView.as_view(), name="export-jobs"),
    path("exports/jobs/<uuid:job_id>/", ExportJobView.as_view(), name="export-job"),
    path("exports/jobs/<uuid:job_id>/download/", ExportJobDownloadView.as_view(), name="export-job-download"),
    path("exports/<str:export_name>", ExportView.as_view(), name="export"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="schema"), name="docs"),
    *router.urls,
]
