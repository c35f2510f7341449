"""The review desk's pages: thin views that read through selectors and write through services."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from surveys.models import LinkProposal, Observation, Photo, Site
from surveys.roles import is_editor, role_of
from surveys.selectors import desk as selectors
from surveys.selectors.scoping import discrepancies_for
from surveys.services.desk import (
    discrepancy_assign, discrepancy_comment_add, link_proposal_decide, photo_approve, site_verify,
)
from surveys.services.review import discrepancy_review
from surveys.services.visits import observation_update
from surveys.vocab import Metric, ReviewStatus, Role, Severity
from surveys.web.forms import (
    DECISIONS, ApprovePhotoForm, AssignForm, CommentForm, LinkDecisionForm, RejectObservationForm, ReviewForm, editors,
)
from surveys.web.presenters import history_rows, observation_rows, photo_card, value_text, vocab_options

PAGE_SIZE = 25


def editors_only(view):
    """Logged-in editors and admins; anyone else gets 403 (a reporter has their own page)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_editor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _page(request, rows, size: int = PAGE_SIZE):
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def home(request):
    if role_of(request.user) == Role.REPORTER:
        return redirect("desk-mine")
    return queue(request)


def _status_rows(request, counts: dict[str, int]) -> list[tuple[str, str, int, str]]:
    """(status, label, count, link keeping the other filters) for the counts bar."""
    rows = []
    for value, label in vocab_options(ReviewStatus):
        params = request.GET.copy()
        params.pop("page", None)
        params["status"] = value
        rows.append((value, label, counts[value], params.urlencode()))
    return rows


@editors_only
def queue(request):
    filters = selectors.QueueFilters.from_params(request.GET, default_status=ReviewStatus.OPEN)
    rows = filters.apply(discrepancies_for(request.user)).order_by("-severity_rank", "-created_at", "-id")
    return render(request, "desk/queue.html", {
        "page": _page(request, rows),
        "filters": filters,
        "status_rows": _status_rows(request, selectors.status_counts(request.user, filters)),
        "sites": selectors.queue_sites(),
        "editors": editors(),
        "metrics": vocab_options(Metric),
        "severities": vocab_options(Severity)[::-1],
        "query": _query_without_page(request),
    })


@editors_only
def discrepancy_detail(request, pk):
    discrepancy = get_object_or_404(selectors.discrepancies_with_evidence(request.user), pk=pk)
    return render(request, "desk/discrepancy.html", {
        "d": discrepancy,
        "claim": discrepancy.claim,
        "claimed": value_text(discrepancy.claimed),
        "observed": value_text(discrepancy.observed),
        "observations": observation_rows(discrepancy.observations.all()),
        "photos": [photo_card(photo, with_originals=True) for photo in selectors.evidence_photos(discrepancy)],
        "comments": discrepancy.comments.select_related("author").order_by("created_at", "id"),
        "history": history_rows(selectors.discrepancy_history(discrepancy)[:50]),
        "review_form": ReviewForm(initial={"note": discrepancy.review_note}),
        "assign_form": AssignForm(initial={"assignee": discrepancy.assignee}),
        "comment_form": CommentForm(),
        "decisions": DECISIONS,
    })


def _next_or(request, default: str):
    """Back to the page the form was on, if it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _back_to(discrepancy_id):
    return redirect(reverse("desk-discrepancy", args=[discrepancy_id]))


@require_POST
@editors_only
def discrepancy_review_action(request, pk):
    discrepancy = get_object_or_404(discrepancies_for(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return _back_to(pk)
    discrepancy = discrepancy_review(discrepancy=discrepancy, reviewer=request.user, **form.cleaned_data)
    messages.success(request, _("Decision recorded: %(status)s.") % {"status": _(discrepancy.get_status_display())})
    return _back_to(pk)


@require_POST
@editors_only
def discrepancy_assign_action(request, pk):
    discrepancy = get_object_or_404(discrepancies_for(request.user), pk=pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        discrepancy_assign(discrepancy=discrepancy, assignee=form.cleaned_data["assignee"], actor=request.user)
        messages.success(request, _("Assignment saved."))
    return _back_to(pk)


@require_POST
@editors_only
def discrepancy_comment_action(request, pk):
    discrepancy = get_object_or_404(discrepancies_for(request.user), pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        discrepancy_comment_add(discrepancy=discrepancy, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Comment added."))
    return _back_to(pk)


@require_POST
@editors_only
def observation_reject_action(request, pk):
    observation = get_object_or_404(Observation, pk=pk)
    form = RejectObservationForm(request.POST)
    if form.is_valid():
        observation_update(observation=observation, values={"rejected": form.cleaned_data["rejected"]},
                           actor=request.user)
        messages.success(request, _("Observation rejected; the site is being re-matched.")
                         if form.cleaned_data["rejected"] else _("Observation restored; the site is being re-matched."))
    return _next_or(request, reverse("desk-queue"))


@editors_only
def site_detail(request, pk):
    site = get_object_or_404(Site.objects.select_related("organization", "parent", "proposed_by"), pk=pk)
    overview = selectors.site_overview(site)
    visits = [(visit, [photo_card(photo, with_originals=True) for photo in visit.photos.all()])
              for visit in overview.visits]
    return render(request, "desk/site.html", {"site": site, "overview": overview, "visits": visits})


@editors_only
def link_proposals(request):
    return render(request, "desk/links.html", {"page": _page(request, selectors.pending_link_proposals())})


@require_POST
@editors_only
def link_proposal_action(request, pk):
    proposal = get_object_or_404(LinkProposal, pk=pk)
    form = LinkDecisionForm(request.POST)
    if form.is_valid():
        try:
            link_proposal_decide(proposal=proposal, accept=form.cleaned_data["accept"], actor=request.user)
            messages.success(request, _("Link accepted.") if form.cleaned_data["accept"] else _("Link rejected."))
        except ValidationError:
            messages.error(request, _("This proposal has already been decided."))
    return redirect("desk-links")


@editors_only
def proposed_sites(request):
    return render(request, "desk/sites.html", {"page": _page(request, selectors.proposed_sites())})


@require_POST
@editors_only
def site_verify_action(request, pk):
    site = site_verify(site=get_object_or_404(Site, pk=pk), actor=request.user)
    messages.success(request, _("Site verified: %(name)s.") % {"name": site.name})
    return _next_or(request, reverse("desk-sites"))


@editors_only
def photos_awaiting(request):
    page = _page(request, selectors.photos_awaiting_approval(), size=24)
    return render(request, "desk/photos.html", {
        "page": page, "cards": [photo_card(photo, with_originals=True) for photo in page],
    })


@require_POST
@editors_only
def photo_approve_action(request, pk):
    photo = get_object_or_404(Photo, pk=pk)
    form = ApprovePhotoForm(request.POST)
    if form.is_valid():
        try:
            photo_approve(photo=photo, approved=form.cleaned_data["approved"], actor=request.user)
            messages.success(request, _("Photo approved for publication.") if form.cleaned_data["approved"]
                             else _("Approval withdrawn."))
        except ValidationError:
            messages.error(request, _("Only a processed photo can be approved."))
    return _next_or(request, reverse("desk-photos"))


@editors_only
def audit_log(request):
    events = selectors.audit_events(object_type=request.GET.get("object_type", ""),
                                    object_id=request.GET.get("object_id", ""), action=request.GET.get("action", ""))
    return render(request, "desk/audit.html", {"page": _page(request, events, size=50),
                                               "query": _query_without_page(request)})


@login_required
def mine(request):
    """A reporter's page: discrepancies resting on their visits, follow-up requests first."""
    if role_of(request.user) != Role.REPORTER:
        raise PermissionDenied
    rows = selectors.discrepancies_with_evidence(request.user)
    followups = [d for d in rows if d.status == ReviewStatus.NEEDS_FOLLOWUP]
    others = [d for d in rows if d.status != ReviewStatus.NEEDS_FOLLOWUP]
    return render(request, "desk/mine.html", {"followups": followups, "others": others})
