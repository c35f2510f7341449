"""Editors' desk writes: assignment, comments, link decisions, site verification, photo approval.

Each function is one unit of work that records its before/after in the audit trail.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from surveys import tasks
from surveys.models import Discrepancy, DiscrepancyComment, LinkProposal, Photo, Site
from surveys.services.audit import audit_record
from surveys.vocab import PhotoStatus


@transaction.atomic
def discrepancy_assign(*, discrepancy: Discrepancy, assignee, actor) -> Discrepancy:
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
    """Accepting a site-organization pair links the site to it; a site-site pair shares its names.

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
        else:
            other = Site.objects.get(pk=proposal.candidate_site_id)
            new_aliases = [name for name in other.all_names() if name not in site.all_names()]
            changes["site.aliases"] = [list(site.aliases), [*site.aliases, *new_aliases]]
            site.aliases = [*site.aliases, *new_aliases]
        site.save()
        tasks.match_site.delay_on_commit(site.pk)
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
        photo.approved_at = timezone.now() if approved else None
        photo.approved_by = actor if approved else None
        photo.save(update_fields=["approved_at", "approved_by", "updated_at"])
        audit_record(actor=actor, action="photo.approve" if approved else "photo.unapprove", obj=photo,
                     changes={"approved": [was_approved, approved]})
    return photo
