"""The review desk's pages: thin views that read through selectors and write through services."""
import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST

from surveys.exports.columns import FORMATS
from surveys.models import LinkProposal, Observation, Photo, Site, Visit
from surveys.roles import is_editor, role_of
from surveys.selectors import desk as selectors
from surveys.selectors.exports import export_jobs_for
from surveys.selectors.followups import followup_requests
from surveys.selectors.scoping import discrepancies_for
from surveys.services.desk import (
    ReviewState, discrepancies_assign, discrepancies_dismiss_as_duplicate, discrepancy_assign,
    discrepancy_comment_add, discrepancy_decide, discrepancy_review_undo, link_proposal_decide, photo_approve,
    photo_reject, site_verify,
)
from surveys.services.exports import export_job_create
from surveys.vocab import Metric, ReviewStatus, Role, Severity
from surveys.web import maps
from surveys.web.forms import (
    DECISIONS, MOVES_ON, ApprovePhotoForm, AssignForm, AuditFiltersForm, BulkForm, CommentForm, ExportFiltersForm,
    ExportJobForm, LinkDecisionForm, RejectObservationForm, RejectPhotoForm, ReviewForm, editors,
)
from surveys.web.formatting import local_time
from surveys.web.presenters import (
    audit_rows, format_label, metric_text, object_type_options, photo_card, visit_notes, vocab_label, vocab_options,
)

PAGE_SIZE = 25
UNDO_KEY = "desk_undo"
EXPORT_ROLES = {Role.EDITOR, Role.ADMIN, Role.EXPORTER}


def editors_only(view):
    """Logged-in editors and admins; anyone else gets 403 (reporters and exporters have their own pages)."""

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
    """Each role lands on its own page."""
    role = role_of(request.user)
    if role == Role.REPORTER:
        return redirect(resolve_url(settings.REPORTER_HOME))
    if role == Role.EXPORTER:
        return redirect("desk-exports")
    return queue(request)


# --- The queue ----------------------------------------------------------------

def _status_rows(request, counts: dict[str, int]) -> list[tuple[str, str, int, str]]:
    """(status, label, count, link keeping the other filters) for the counts bar."""
    rows = []
    for value, label in vocab_options(ReviewStatus):
        params = request.GET.copy()
        params.pop("page", None)
        params["status"] = value
        rows.append((value, label, counts[value], params.urlencode()))
    return rows


def _undo_offer(request) -> dict | None:
    """The last decision, while `u` can still undo it."""
    offer = request.session.get(UNDO_KEY)
    if not offer or offer["expires"] <= time.time():
        return None
    return {**offer, "seconds": max(1, int(offer["expires"] - time.time())),
            "status_label": vocab_label(offer["status"])}


@editors_only
def queue(request):
    filters = selectors.QueueFilters.from_params(request.GET, default_status=ReviewStatus.OPEN)
    return render(request, "desk/queue.html", {
        "page": _page(request, selectors.queue_rows(request.user, filters)),
        "filters": filters,
        "queue": filters.query_string(),
        "status_rows": _status_rows(request, selectors.status_counts(request.user, filters)),
        "sites": selectors.queue_sites(),
        "editors": editors(),
        "metrics": vocab_options(Metric),
        "severities": vocab_options(Severity)[::-1],
        "query": _query_without_page(request),
        "undo": _undo_offer(request),
    })


def _queue_of(request) -> selectors.QueueFilters:
    """The queue a POST came from (its filters travel in a `queue` field)."""
    return selectors.QueueFilters.from_params(QueryDict(request.POST.get("queue", "")),
                                              default_status=ReviewStatus.OPEN)


def _to_queue(filters: selectors.QueueFilters):
    return redirect(f"{reverse('desk-queue')}?{filters.query_string()}")


def _to_item(pk: int, filters: selectors.QueueFilters):
    return redirect(f"{reverse('desk-discrepancy', args=[pk])}?{filters.query_string()}")


@require_POST
@editors_only
def bulk_action(request):
    """Assign or dismiss as duplicates the selected discrepancies: a confirmation page, then the change."""
    filters = _queue_of(request)
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Select at least one discrepancy, and an action."))
        return _to_queue(filters)
    action, assignee = form.cleaned_data["action"], form.cleaned_data["assignee"]
    chosen = list(discrepancies_for(request.user).filter(pk__in=[d.pk for d in form.cleaned_data["ids"]])
                  .order_by(*selectors.QUEUE_ORDER))
    if not form.cleaned_data["confirmed"]:
        return render(request, "desk/bulk_confirm.html", {
            "action": action, "assign": action == BulkForm.ASSIGN, "assignee": assignee, "rows": chosen,
            "queue": filters.query_string(), "note": _("Duplicate"),
        })
    if action == BulkForm.ASSIGN:
        count = discrepancies_assign(discrepancies=chosen, assignee=assignee, actor=request.user)
        who = assignee.username if assignee else _("nobody")
        messages.success(request, ngettext("%(n)s discrepancy assigned to %(who)s.",
                                           "%(n)s discrepancies assigned to %(who)s.", count)
                         % {"n": count, "who": who})
    else:
        count = discrepancies_dismiss_as_duplicate(discrepancies=chosen, actor=request.user,
                                                   note=form.cleaned_data["note"] or _("Duplicate"))
        messages.success(request, ngettext("%(n)s discrepancy dismissed as a duplicate.",
                                           "%(n)s discrepancies dismissed as duplicates.", count) % {"n": count})
    return _to_queue(filters)


# --- One discrepancy --------------------------------------------------------------

@editors_only
def discrepancy_detail(request, pk):
    filters = selectors.QueueFilters.from_params(request.GET, default_status=ReviewStatus.OPEN)
    discrepancy = get_object_or_404(selectors.discrepancies_with_evidence(request.user), pk=pk)
    observations = list(discrepancy.observations.all())
    return render(request, "desk/discrepancy.html", {
        "d": discrepancy,
        "claim": discrepancy.claim,
        "zone": discrepancy.site.timezone,
        "queue": filters.query_string(),
        "place": selectors.queue_place(request.user, filters, discrepancy),
        "against": observations,
        "supporting_known": True,
        "supporting": list(discrepancy.supporting.all()),
        "new_evidence": list(discrepancy.new_evidence.all()) if discrepancy.decision_id else [],
        "observed_rule": selectors.observed_rule(discrepancy),
        "decision_rows": list(selectors.decision_history(discrepancy)[:20]),
        "notes": visit_notes(observations),
        "photos": [photo_card(photo, with_originals=True, zone=discrepancy.site.timezone)
                   for photo in selectors.evidence_photos(discrepancy)],
        "comments": discrepancy.comments.select_related("author").order_by("created_at", "id"),
        "history": audit_rows(selectors.discrepancy_history(discrepancy)[:50]),
        "assign_form": AssignForm(initial={"assignee": discrepancy.assignee}),
        "decisions": DECISIONS,
        "undo": _undo_offer(request),
        "undo_seconds": settings.DESK_UNDO_SECONDS,
    })


def _next_or(request, default: str):
    """Back to the page the form was on, if it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


@require_POST
@editors_only
def discrepancy_review_action(request, pk):
    """Record the decision, then move on to the next item of the same queue (`u` undoes it for a while)."""
    discrepancy = get_object_or_404(discrepancies_for(request.user), pk=pk)
    filters = _queue_of(request)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return _to_item(pk, filters)
    decision = discrepancy_decide(discrepancy=discrepancy, reviewer=request.user, **form.cleaned_data)
    decided = decision.discrepancy
    label = f"{decided.site.name} · {metric_text(decided.metric)}"
    messages.success(request, _("Decision recorded: %(status)s.") % {"status": vocab_label(decided.status)})
    if decided.status not in MOVES_ON:
        return _to_item(pk, filters)
    request.session[UNDO_KEY] = {
        "event": decision.event_id, "discrepancy": decided.pk, "label": label, "status": decided.status,
        "before": decision.before.to_json(), "queue": filters.query_string(),
        "expires": time.time() + settings.DESK_UNDO_SECONDS,
    }
    next_id = selectors.queue_next(request.user, filters, decided)
    if next_id is None:
        messages.info(request, _("That was the last discrepancy in this queue."))
        return _to_queue(filters)
    return _to_item(next_id, filters)


@require_POST
@editors_only
def discrepancy_undo_action(request, pk):
    offer = request.session.get(UNDO_KEY)
    filters = _queue_of(request)
    if not offer or offer["discrepancy"] != pk:
        messages.error(request, _("There is no decision to undo."))
        return _to_item(pk, filters)
    discrepancy = get_object_or_404(discrepancies_for(request.user), pk=pk)
    try:
        discrepancy_review_undo(discrepancy=discrepancy, actor=request.user, event_id=offer["event"],
                                before=ReviewState(**offer["before"]))
    except ValidationError as error:
        messages.error(request, " ".join(_(message) for message in error.message_dict.get("undo", error.messages)))
    else:
        messages.success(request, _("Decision undone."))
    request.session.pop(UNDO_KEY, None)
    return _to_item(pk, selectors.QueueFilters.from_params(QueryDict(offer["queue"])))


@require_POST
@editors_only
def discrepancy_assign_action(request, pk):
    discrepancy = get_object_or_404(discrepancies_for(request.user), pk=pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        discrepancy_assign(discrepancy=discrepancy, assignee=form.cleaned_data["assignee"], actor=request.user)
        messages.success(request, _("Assignment saved."))
    return _to_item(pk, _queue_of(request))


@require_POST
@editors_only
def discrepancy_comment_action(request, pk):
    discrepancy = get_object_or_404(discrepancies_for(request.user), pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        discrepancy_comment_add(discrepancy=discrepancy, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Comment added."))
    return _to_item(pk, _queue_of(request))


@require_POST
@editors_only
def observation_reject_action(request, pk):
    from surveys.services.visits import observation_update

    observation = get_object_or_404(Observation, pk=pk)
    form = RejectObservationForm(request.POST)
    if form.is_valid():
        observation_update(observation=observation, values={"rejected": form.cleaned_data["rejected"]},
                           actor=request.user)
        messages.success(request, _("Observation rejected; the site is being re-matched.")
                         if form.cleaned_data["rejected"] else _("Observation restored; the site is being re-matched."))
    return _next_or(request, reverse("desk-queue"))


# --- Sites, maps and galleries -----------------------------------------------------

def _visit_points(visits, cards_by_visit, zone: str) -> tuple[list[maps.MapPoint], int]:
    points, unplaced = [], 0
    for visit in visits:
        when = local_time(visit.started_at, zone)
        href = reverse("desk-visit-photos", args=[visit.pk])
        if visit.latitude is None:
            unplaced += 1
        points.append(maps.MapPoint(kind="visit", latitude=visit.latitude, longitude=visit.longitude,
                                    label=f"{when.text} {when.zone} · {visit.reporter.username}", href=href))
        for card in cards_by_visit.get(visit.pk, []):
            photo = card.photo
            if photo.latitude is None:
                unplaced += 1
            points.append(maps.MapPoint(kind="photo", latitude=photo.latitude, longitude=photo.longitude,
                                        label=photo.caption or _("Photo"), href=card.display_url, far=card.far,
                                        distance_m=photo.distance_m))
    return points, unplaced


def _site_map(site, points, unplaced) -> maps.SiteMap | None:
    return maps.site_map(site_latitude=site.latitude, site_longitude=site.longitude, radius_m=site.radius_m,
                         points=points, unplaced=unplaced)


@editors_only
def site_detail(request, pk):
    site = get_object_or_404(Site.objects.select_related("organization", "parent", "proposed_by"), pk=pk)
    overview = selectors.site_overview(site)
    cards = {visit.pk: [photo_card(photo, with_originals=True, zone=site.timezone) for photo in visit.photos.all()]
             for visit in overview.visits}
    points, unplaced = _visit_points(overview.visits, cards, site.timezone)
    points += [maps.MapPoint(kind="nearby", latitude=other.latitude, longitude=other.longitude, label=other.name,
                             href=reverse("desk-site", args=[other.pk])) for other in overview.nearby]
    return render(request, "desk/site.html", {
        "site": site, "overview": overview, "zone": site.timezone,
        "visits": [(visit, cards[visit.pk]) for visit in overview.visits],
        "map": _site_map(site, points, unplaced),
    })


def _gallery(request, *, title, site, photos, back_url):
    page = _page(request, photos, size=48)
    return render(request, "desk/gallery.html", {
        "title": title, "site": site, "zone": site.timezone, "page": page, "back_url": back_url,
        "cards": [photo_card(photo, with_originals=True, zone=site.timezone) for photo in page],
    })


@editors_only
def site_photos(request, pk):
    site = get_object_or_404(Site, pk=pk)
    return _gallery(request, title=_("Photos of %(site)s") % {"site": site.name}, site=site,
                    photos=selectors.gallery_photos(site=site), back_url=reverse("desk-site", args=[pk]))


@editors_only
def visit_photos(request, pk):
    visit = get_object_or_404(Visit.objects.select_related("site", "reporter"), pk=pk)
    when = local_time(visit.started_at, visit.site.timezone)
    title = _("Photos of the visit of %(when)s by %(who)s") % {"when": f"{when.text} {when.zone}",
                                                                "who": visit.reporter.username}
    return _gallery(request, title=title, site=visit.site, photos=selectors.gallery_photos(visit=visit),
                    back_url=reverse("desk-site", args=[visit.site_id]))


@editors_only
def link_proposals(request):
    return render(request, "desk/links.html", {"page": _page(request, selectors.pending_link_proposals())})


@editors_only
def followup_requests_page(request):
    """Every follow-up request, the longest waiting first; answered ones say when the answer came."""
    rows = followup_requests(request.user).select_related("site", "claim", "reviewer", "assignee")
    return render(request, "desk/followups.html", {"page": _page(request, rows)})


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
    page = _page(request, selectors.proposed_sites())
    rows = []
    for site in page:
        points, unplaced = _visit_points(site.visits.all(), {}, site.timezone)
        rows.append((site, _site_map(site, points, unplaced)))
    return render(request, "desk/sites.html", {"page": page, "rows": rows})


@require_POST
@editors_only
def site_verify_action(request, pk):
    site = site_verify(site=get_object_or_404(Site, pk=pk), actor=request.user)
    messages.success(request, _("Site verified: %(name)s.") % {"name": site.name})
    return _next_or(request, reverse("desk-sites"))


# --- Photos to approve ---------------------------------------------------------------

@editors_only
def photos_awaiting(request):
    page = _page(request, selectors.photos_awaiting_approval(), size=12)
    return render(request, "desk/photos.html", {
        "page": page, "cards": [photo_card(photo, with_originals=True, zone=photo.visit.site.timezone)
                                for photo in page],
        "reasons": [_("A face can be recognised"), _("Not the site"), _("Shows private information"),
                    _("Too blurred to use")],
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


@require_POST
@editors_only
def photo_reject_action(request, pk):
    photo = get_object_or_404(Photo, pk=pk)
    form = RejectPhotoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the photo is rejected."))
    else:
        photo_reject(photo=photo, reason=form.cleaned_data["reason"], actor=request.user)
        messages.success(request, _("Photo rejected: %(reason)s") % {"reason": form.cleaned_data["reason"]})
    return _next_or(request, reverse("desk-photos"))


# --- Audit ---------------------------------------------------------------------------

@editors_only
def audit_log(request):
    form = AuditFiltersForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(
        object_type=filters.get("object_type", ""), object_id=filters.get("object_id", ""),
        action=filters.get("action", ""), actor=filters.get("actor", ""), **form.period())
    page = _page(request, events, size=50)
    return render(request, "desk/audit.html", {
        "page": page, "rows": audit_rows(page), "query": _query_without_page(request), "filters": filters,
        "object_types": object_type_options(), "actors": selectors.audit_actors(),
        "zone": settings.DESK_TIME_ZONE,
    })


# --- Exports ---------------------------------------------------------------------------

def _export_clients_only(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if role_of(request.user) not in EXPORT_ROLES:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@_export_clients_only
def exports(request):
    """Links to every export format under the chosen filters, and the export jobs with their progress."""
    form = ExportFiltersForm(request.GET)
    params = form.api_params() if form.is_valid() else {}
    query = urlencode(params)
    links = [(name, format_label(name), f"{reverse('export', args=[name])}{'?' + query if query else ''}")
             for name in FORMATS]
    return render(request, "desk/exports.html", {
        "form": form, "links": links, "params": params, "query": _query_without_page(request),
        "jobs": selectors.recent_export_jobs(export_jobs_for(request.user)),
        "sites": Site.objects.order_by("name").only("id", "name"),
        "statuses": vocab_options(ReviewStatus), "metrics": vocab_options(Metric),
        "formats": [(name, format_label(name)) for name in FORMATS], "is_editor": is_editor(request.user),
        "zone": settings.DESK_TIME_ZONE,
    })


@require_POST
@_export_clients_only
def export_job_action(request):
    job_form = ExportJobForm(request.POST)
    filters_form = ExportFiltersForm(QueryDict(request.POST.get("filters", "")))
    if not job_form.is_valid() or not filters_form.is_valid():
        messages.error(request, _("Choose a format."))
    else:
        export_job_create(user=request.user, export=FORMATS[job_form.cleaned_data["format"]],
                          filters=filters_form.export_filters(),
                          include_photos=job_form.cleaned_data["include_photos"])
        messages.success(request, _("Export started; it appears below with its progress."))
    return redirect(f"{reverse('desk-exports')}?{request.POST.get('filters', '')}")


# --- Reporters -------------------------------------------------------------------------

@login_required
def mine(request):
    """A reporter's page: discrepancies resting on their visits, follow-up requests first."""
    if role_of(request.user) != Role.REPORTER:
        raise PermissionDenied
    rows = selectors.discrepancies_with_evidence(request.user)
    followups = [d for d in rows if d.status == ReviewStatus.NEEDS_FOLLOWUP]
    others = [d for d in rows if d.status != ReviewStatus.NEEDS_FOLLOWUP]
    return render(request, "desk/mine.html", {"followups": followups, "others": others})
