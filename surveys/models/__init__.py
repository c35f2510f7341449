from .access import ApiToken, IdempotencyRecord
from .audit import AppendOnlyError, AuditEvent
from .claims import Claim
from .discrepancies import Discrepancy, DiscrepancyComment, DiscrepancyDecision
from .entities import LinkProposal, Organization, Site
from .exports import ExportJob
from .outbox import Delivery, DeliveryAttempt, NotificationPreference, OutboxEvent, WebhookEndpoint
from .photos import Photo
from .submissions import FormVersion, OdkAttachment, OdkComment, OdkInstance, OdkSubmission
from .unsent import UnsentTask
from .visits import Observation, SyncCounter, Tombstone, Visit

__all__ = [
    "ApiToken", "AppendOnlyError", "AuditEvent", "Claim", "Delivery", "DeliveryAttempt", "Discrepancy",
    "DiscrepancyComment", "DiscrepancyDecision", "ExportJob", "FormVersion", "IdempotencyRecord", "LinkProposal", "NotificationPreference",
    "Observation", "OdkAttachment", "OdkComment", "OdkInstance", "OdkSubmission", "Organization", "OutboxEvent",
    "Photo", "Site", "SyncCounter", "Tombstone", "UnsentTask", "Visit", "WebhookEndpoint",
]
