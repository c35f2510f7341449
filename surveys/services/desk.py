"""Editors' desk writes: decisions with undo, bulk actions, assignment, comments, link decisions,
site verification, photo approval and rejection.

Each function is one unit of work that records its before/after in the audit trail.
"""
import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from surveys import tasks
from surveys.models import AuditEvent, Discrepancy, DiscrepancyComment, LinkProposal, Photo, Site
from surveys.roles import is_editor
from surveys.services import outbox
from surveys.services.audit import audit_record
from surveys.services.linking import site_merge
from surveys.services.review import SNAPSHOT_FIELDS, decision_undo, discrepancy_review
from surveys.vocab import PhotoStatus, ReviewStatus

REVIEW_ACTION = "discrepancy.review"
UNDO_ACTION = "discrepancy.review_undo"


@dataclass(frozen=True)
class ReviewState:
    """What a decision replaced, kept (in the editor's session) so that `u` can put it back."""

    status: str
    review_note: str
    reviewer_id: int | None
    reviewed_at: str | None  # ISO 8601

    @classmethod
    def of(cls, discrepancy: Discrepancy) -> "ReviewState":
        return cls(status=discrepancy.status, review_note=discrepancy.review_note,
                   reviewer_id=discrepancy.reviewer_id,
                   reviewed_at=discrepancy.reviewed_at.isoformat() if discrepancy.reviewed_at else None)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    discrepancy: Discrepancy
    event_id: int  # the decision's audit event
    before: ReviewState


@transaction.atomic
def discrepancy_decide(*, discrepancy: Discrepancy, reviewer, status: str, note: str = "") -> Decision:
    """An editor's decision from the desk, with what it replaced, for an undo."""
    locked = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    before = ReviewState.of(locked)
    decided = discrepancy_review(discrepancy=locked, reviewer=reviewer, status=status, note=note)
    event_id = (AuditEvent.objects.filter(object_type=Discrepancy._meta.label_lower, object_id=str(decided.pk),
                                          action=REVIEW_ACTION).order_by("-id").values_list("id", flat=True)[0])
    return Decision(discrepancy=decided, event_id=event_id, before=before)


@transaction.atomic
def discrepancy_review_undo(*, discrepancy: Discrepancy, actor, event_id: int, before: ReviewState) -> Discrepancy:
    """Put back what decision `event_id` replaced, if it is the actor's, recent, and still the latest.

    The undo is itself audited; a decision someone (or the system) has acted on since cannot be undone.
    """
    discrepancy = Discrepancy.objects.select_for_update(of=("self",)).select_related("reviewer").get(pk=discrepancy.pk)
    history = AuditEvent.objects.filter(object_type=Discrepancy._meta.label_lower, object_id=str(discrepancy.pk))
    event = history.filter(pk=event_id, action=REVIEW_ACTION).first()
    if event is None or event.actor_id != actor.pk:
        raise ValidationError({"undo": [gettext_noop("There is no decision of yours to undo here.")]})
    if timezone.now() - event.created_at > dt.timedelta(seconds=settings.DESK_UNDO_SECONDS):
        raise ValidationError({"undo": [gettext_noop("Too late to undo: decide again instead.")]})
    decided_status = (event.changes.get("status") or [None, None])[1]
    if history.filter(pk__gt=event.pk, action__in=[REVIEW_ACTION, UNDO_ACTION]).exists() \
            or discrepancy.status != decided_status:
        raise ValidationError({"undo": [gettext_noop("The discrepancy changed since this decision.")]})
    reviewer = get_user_model().objects.filter(pk=before.reviewer_id).first() if before.reviewer_id else None
    changes = {
        "status": [discrepancy.status, before.status],
        "review_note": [discrepancy.review_note, before.review_note],
        "reviewer": [discrepancy.reviewer.username if discrepancy.reviewer else None,
                     reviewer.username if reviewer else None],
        "undoes": event.pk,
    }
    discrepancy.status = before.status
    discrepancy.review_note = before.review_note
    discrepancy.reviewer = reviewer
    discrepancy.reviewed_at = dt.datetime.fromisoformat(before.reviewed_at) if before.reviewed_at else None
    decision_undo(discrepancy=discrepancy, undone_event_changes=event.changes, restored_status=before.status)
    discrepancy.save(update_fields=["status", "review_note", "reviewer", "reviewed_at", "decision", "severity_rank",
                                    *SNAPSHOT_FIELDS, "updated_at"])
    audit_record(actor=actor, action=UNDO_ACTION, obj=discrepancy, changes=changes)
    # What matching found since is measured against the decision now in force (or shown, if open).
    tasks.match_site.delay_on_commit(discrepancy.site_id)
    outbox.emit("discrepancy.decided", discrepancy)  # webhook clients learn the decision was taken back
    return discrepancy


@transaction.atomic
def discrepancies_assign(*, discrepancies, assignee, actor) -> int:
    """A bulk assignment: each discrepancy audited on its own. Returns how many changed hands."""
    changed = 0
    for discrepancy in discrepancies:
        before = discrepancy.assignee_id
        changed += discrepancy_assign(discrepancy=discrepancy, assignee=assignee, actor=actor).assignee_id != before
    return changed


@transaction.atomic
def discrepancies_dismiss_as_duplicate(*, discrepancies, actor, note: str) -> int:
    """Dismiss each as a duplicate (one audited decision per discrepancy); decided ones are left alone."""
    dismissed = 0
    for discrepancy in discrepancies:
        if discrepancy.status in (ReviewStatus.OPEN, ReviewStatus.RESOLVED):
            discrepancy_review(discrepancy=discrepancy, reviewer=actor, status=ReviewStatus.DISMISSED, note=note)
            dismissed += 1
    return dismissed


NOT_AN_EDITOR = "No editor with this username."


@transaction.atomic
def discrepancy_assign(*, discrepancy: Discrepancy, assignee, actor) -> Discrepancy:
    """Hand the discrepancy to an editor (an admin is one too), or to nobody with `assignee` None."""
    if assignee is not None and not is_editor(assignee):
        raise ValidationError({"assignee": [NOT_AN_EDITOR]})
    # `of`: lock the discrepancy row only; PostgreSQL cannot lock the nullable side of the outer join.
    discrepancy = Discrepancy.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=discrepancy.pk)
    before = discrepancy.assignee.username if discrepancy.assignee else None
    after = assignee.username if assignee else None
    if before != after:
        discrepancy.assignee = assignee
        discrepancy.save(update_fields=["assignee", "updated_at"])
        audit_record(actor=actor, action="discrepancy.assign", obj=discrepancy, changes={"assignee": [before, after]})
    return discrepancy


@transaction.atomic
def discrepancy_comment_add(*, discrepancy: Discrepancy, author, text: str) -> DiscrepancyComment:
    comment = DiscrepancyComment(discrepancy=discrepancy, author=author, text=text.strip())
    comment.full_clean()
    comment.save()
    audit_record(actor=author, action="discrepancy.comment", obj=discrepancy,
                 changes={"comment": [None, comment.text], "comment_id": comment.pk})
    return comment


@transaction.atomic
def link_proposal_decide(*, proposal: LinkProposal, accept: bool, actor) -> LinkProposal:
    """Accepting a site-organization pair links the site to it; a site-site pair merges the duplicate into
    the canonical site (surveys.services.linking.site_merge).

    Either way the site re-matches, since claims about the organization or made under the
    other name may now apply.
    """
    proposal = LinkProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.decision != LinkProposal.Decision.PENDING:
        raise ValidationError({"decision": ["This proposal has already been decided."]})
    decision = LinkProposal.Decision.ACCEPTED if accept else LinkProposal.Decision.REJECTED
    proposal.decision = decision
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["decision", "decided_by", "decided_at"])
    changes = {"decision": [LinkProposal.Decision.PENDING.value, decision.value]}
    if accept:
        site = Site.objects.select_for_update().get(pk=proposal.site_id)
        if proposal.candidate_organization_id:
            changes["site.organization"] = [site.organization_id, proposal.candidate_organization_id]
            site.organization_id = proposal.candidate_organization_id
            site.save()
            tasks.match_site.delay_on_commit(site.pk)
        else:
            # A duplicate: the reporter's unverified site merges into the verified one (else into the candidate).
            other = Site.objects.get(pk=proposal.candidate_site_id)
            duplicate, canonical = (other, site) if site.verified and not other.verified else (site, other)
            merged = site_merge(duplicate=duplicate, canonical=canonical, actor=actor)
            changes["site.merged_into"] = [duplicate.pk, merged.pk]
    audit_record(actor=actor, action=f"linkproposal.{decision.value}", obj=proposal, changes=changes)
    return proposal


@transaction.atomic
def site_verify(*, site: Site, actor) -> Site:
    site = Site.objects.select_for_update().get(pk=site.pk)
    if not site.verified:
        site.verified = True
        site.save()
        audit_record(actor=actor, action="site.verify", obj=site, changes={"verified": [False, True]})
    return site


@transaction.atomic
def photo_approve(*, photo: Photo, approved: bool, actor) -> Photo:
    """Approve (or withdraw) a display image for publication: only approved ones are exported."""
    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    if approved and (photo.status != PhotoStatus.READY or not photo.display):
        raise ValidationError({"approved": ["Only a processed photo with a display image can be approved."]})
    was_approved = photo.approved_at is not None
    if was_approved != approved:
        changes = {"approved": [was_approved, approved]}
        if approved and photo.rejected_at is not None:  # an editor changed their mind
            changes["reject_reason"] = [photo.reject_reason, ""]
            photo.rejected_at, photo.rejected_by, photo.reject_reason = None, None, ""
        photo.approved_at = timezone.now() if approved else None
        photo.approved_by = actor if approved else None
        photo.save(update_fields=["approved_at", "approved_by", "rejected_at", "rejected_by", "reject_reason",
                                  "updated_at"])
        audit_record(actor=actor, action="photo.approve" if approved else "photo.unapprove", obj=photo,
                     changes=changes)
    return photo


@transaction.atomic
def photo_reject(*, photo: Photo, reason: str, actor) -> Photo:
    """Refuse a photo for publication, saying why; an approval it had is withdrawn."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [gettext_noop("Say why the photo is rejected.")]})
    if len(reason) > Photo._meta.get_field("reject_reason").max_length:
        raise ValidationError({"reason": [gettext_noop("Keep the reason under 500 characters.")]})
    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    changes = {"rejected": [photo.rejected_at is not None, True], "reject_reason": [photo.reject_reason, reason]}
    if photo.approved_at is not None:
        changes["approved"] = [True, False]
    photo.rejected_at, photo.rejected_by, photo.reject_reason = timezone.now(), actor, reason
    photo.approved_at, photo.approved_by = None, None
    photo.save(update_fields=["rejected_at", "rejected_by", "reject_reason", "approved_at", "approved_by",
                              "updated_at"])
    audit_record(actor=actor, action="photo.reject", obj=photo, changes=changes)
    return photo
