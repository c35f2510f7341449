from .access import ApiToken, IdempotencyRecord
from .audit import AppendOnlyError, AuditEvent
from .claims import Claim
from .discrepancies import Discrepancy, DiscrepancyComment
from .entities import LinkProposal, Organization, Site
from .exports import ExportJob
from .photos import Photo
from .unsent import UnsentTask
from .visits import Observation, SyncCounter, Tombstone, Visit

__all__ = [
    "ApiToken", "AppendOnlyError", "AuditEvent", "Claim", "Discrepancy", "DiscrepancyComment",
    "ExportJob", "IdempotencyRecord", "LinkProposal", "Observation", "Organization", "Photo",
    "Site", "SyncCounter", "Tombstone", "UnsentTask", "Visit",
]
