"""Adapts the pure matching engine to the models: one discrepancy per claim and site.

Incremental and idempotent: re-matching a site or a claim recomputes the system
fields (figures, severity, explanation, evidence) and never touches what editors
decided, except that an `open` discrepancy whose contradiction has gone becomes
`resolved` (and a `resolved` one whose contradiction is back opens again).

Set-based so that the number of queries does not grow with the number of claims,
observations or sites matched together: a batch of sites costs the same handful of
queries as one.
"""
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from surveys.models import Claim, Discrepancy, Observation, Organization, Site
from surveys.services import outbox
from surveys.vocab import SEVERITY_RANK, ReviewStatus, Severity

CLAIM_FIELDS = ["id", "site_id", "organization_id", "metric", "low", "high", "unit", "qualifier", "status_value",
                "due_date", "text", "source_name", "published_on", "is_target"]
OBSERVATION_FIELDS = ["id", "visit_id", "visit__started_at", "visit__site_id", "metric", "low", "high", "unit",
                      "qualifier", "status_value", "confidence", "quote", "method", "source_role"]
SYSTEM_FIELDS = ["metric", "kind", "claimed", "observed", "ratio", "severity", "severity_rank", "explanation",
                 "explanation_zh", "observed_visit_id"]
Links = Discrepancy.observations.through
DECIDED = (ReviewStatus.CONFIRMED, ReviewStatus.DISMISSED, ReviewStatus.NEEDS_FOLLOWUP)


def _settings():
    from surveys.engine import MatchSettings

    return MatchSettings(ratio_band=(settings.MATCH_RATIO_LOW, settings.MATCH_RATIO_HIGH))


def _ancestors(organization_ids: set[int]) -> dict[int, list[int]]:
    """Each organization with its parent groups, nearest first (one query per level)."""
    parent: dict[int, int | None] = {}
    frontier = set(organization_ids)
    while frontier:
        rows = dict(Organization.objects.filter(pk__in=frontier).values_list("pk", "parent_id"))
        parent.update(rows)
        frontier = {p for p in rows.values() if p is not None and p not in parent}
    chains = {}
    for org_id in organization_ids:
        chain, current = [], org_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parent.get(current)
        chains[org_id] = chain
    return chains


def _descendants(organization_id: int) -> set[int]:
    """An organization and its subsidiaries (one query per level)."""
    found = {organization_id}
    frontier = {organization_id}
    while frontier:
        frontier = set(Organization.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


def _claim_input(row: dict, site_name: str):
    from surveys.engine import ClaimInput

    return ClaimInput(
        id=row["id"], metric=row["metric"], low=row["low"], high=row["high"], unit=row["unit"],
        qualifier=row["qualifier"], status_value=row["status_value"] or None, due_date=row["due_date"],
        text=row["text"], source_name=row["source_name"], published_on=row["published_on"],
        is_target=row["is_target"], site_name=site_name,
    )


def _observations_by_site_metric(observations) -> dict[tuple[int, str], list]:
    from surveys.engine import ObservationInput

    grouped = defaultdict(list)
    for (obs_id, visit_id, visited_at, site_id, metric, low, high, unit, qualifier, status_value, confidence, quote,
         method, source_role) in observations.values_list(*OBSERVATION_FIELDS):
        grouped[site_id, metric].append(ObservationInput(
            id=obs_id, visit_id=visit_id, visited_at=visited_at, metric=metric, low=low, high=high, unit=unit,
            qualifier=qualifier, status_value=status_value or None, confidence=confidence, quote=quote,
            method=method, source_role=source_role,
        ))
    return grouped


def _findings(pairs: Iterable[tuple[dict, int]], site_names: dict[int, str], observations) -> dict:
    """{(claim id, site id): Finding or None} for each (claim row, site id) pair."""
    from surveys.engine import match_claim

    match_settings = _settings()
    return {
        (claim["id"], site_id): match_claim(_claim_input(claim, site_names[site_id]),
                                            observations.get((site_id, claim["metric"]), []),
                                            settings=match_settings)
        for claim, site_id in pairs
    }


def _values(finding) -> dict:
    severity = Severity(finding.severity)
    return {
        "kind": str(finding.kind), "claimed": finding.claimed, "observed": finding.observed, "ratio": finding.ratio,
        "severity": severity.value, "severity_rank": SEVERITY_RANK[severity], "explanation": finding.explanation,
        "explanation_zh": finding.explanation_zh, "observed_visit_id": finding.observed_visit_id,
    }


@transaction.atomic
def _store(findings: dict, metrics: dict[int, str], existing_rows) -> None:
    """Write findings. `existing_rows` (a queryset, locked here) holds every discrepancy the run
    covers; one whose pair has no finding lost its contradiction."""
    now = timezone.now()
    existing = {(d.claim_id, d.site_id): d for d in existing_rows.select_for_update().order_by("pk")}
    current_links = defaultdict(set)
    for discrepancy_id, observation_id in Links.objects.filter(
            discrepancy_id__in=[d.pk for d in existing.values()]).values_list("discrepancy_id", "observation_id"):
        current_links[discrepancy_id].add(observation_id)

    created, updated, relinked = [], [], {}
    for key in existing.keys() | findings.keys():
        row, finding = existing.get(key), findings.get(key)
        if finding is None:
            if row is not None and row.status == ReviewStatus.OPEN:
                row.status, row.updated_at = ReviewStatus.RESOLVED, now
                updated.append(row)
            continue
        values = {**_values(finding), "metric": metrics[key[0]]}
        wanted = set(finding.observation_ids)
        if row is None:
            created.append((Discrepancy(claim_id=key[0], site_id=key[1], **values), wanted))
            continue
        changed = any(getattr(row, name) != value for name, value in values.items())
        if changed or row.status == ReviewStatus.RESOLVED:
            for name, value in values.items():
                setattr(row, name, value)
            if row.status == ReviewStatus.RESOLVED:
                row.status = ReviewStatus.OPEN
            row.updated_at = now
            updated.append(row)
        if current_links[row.pk] != wanted:
            relinked[row.pk] = wanted

    if updated:
        # The rows are locked, so writing `status` back cannot undo an editor's concurrent review.
        Discrepancy.objects.bulk_update(updated, [*SYSTEM_FIELDS, "status", "updated_at"], batch_size=1000)
    rows = []
    if created:
        rows = Discrepancy.objects.bulk_create([row for row, _ in created], batch_size=1000)
        relinked.update({row.pk: wanted for row, (_, wanted) in zip(rows, created, strict=True)})
    if relinked:
        Links.objects.filter(discrepancy_id__in=list(relinked)).delete()
        Links.objects.bulk_create(
            [Links(discrepancy_id=d_id, observation_id=o_id) for d_id, ids in relinked.items() for o_id in ids],
            batch_size=5000,
        )
    _emit(opened=rows, changed_decided=[row for row in updated if row.status in DECIDED])


def _emit(*, opened: list, changed_decided: list) -> None:
    """Outbox events of a run, in its transaction: new discrepancies; new evidence on decided ones (to their assignee)."""
    if opened:
        outbox.emit_many("discrepancy.opened", opened)  # rows created just now: each is new once
    by_assignee = defaultdict(list)
    for row in changed_decided:
        if row.assignee_id is not None:
            by_assignee[row.assignee_id].append(row)
    if by_assignee:
        assignees = get_user_model().objects.in_bulk(list(by_assignee))
        for assignee_id, decided in by_assignee.items():
            outbox.emit_many("discrepancy.new_evidence", decided, recipients=[assignees.get(assignee_id)])


def _store_retrying(findings: dict, metrics: dict[int, str], existing_rows) -> None:
    try:
        _store(findings, metrics, existing_rows)
    except IntegrityError:  # a concurrent run created one of the rows first; its row is now visible
        _store(findings, metrics, existing_rows)


def sites_rematch(*, site_ids: Iterable[int]) -> int:
    """Re-match every claim about these sites (directly, or about their organizations and parent
    groups) against the sites' observations. Returns the (claim, site) pairs checked."""
    sites = {pk: (name, org_id) for pk, name, org_id in
             Site.objects.filter(pk__in=list(site_ids)).values_list("pk", "name", "organization_id")}
    if not sites:
        return 0
    chains = _ancestors({org_id for _, org_id in sites.values() if org_id is not None})
    organization_ids = {org for chain in chains.values() for org in chain}
    claims = list(Claim.objects.filter(
        Q(site_id__in=list(sites)) | Q(site__isnull=True, organization_id__in=list(organization_ids))
    ).values(*CLAIM_FIELDS))
    by_site, by_organization = defaultdict(list), defaultdict(list)
    for claim in claims:
        if claim["site_id"] is not None:
            by_site[claim["site_id"]].append(claim)
        else:
            by_organization[claim["organization_id"]].append(claim)
    pairs = []
    for site_id, (_, org_id) in sites.items():
        pairs += [(claim, site_id) for claim in by_site[site_id]]
        pairs += [(claim, site_id) for org in chains.get(org_id, []) for claim in by_organization[org]]
    observations = _observations_by_site_metric(
        Observation.objects.filter(visit__site_id__in=list(sites), rejected=False))
    findings = _findings(pairs, {pk: name for pk, (name, _) in sites.items()}, observations)
    metrics = {claim["id"]: claim["metric"] for claim in claims}
    _store_retrying(findings, metrics, Discrepancy.objects.filter(site_id__in=list(sites)))
    return len(pairs)


def site_rematch(*, site_id: int) -> int:
    """Re-match every claim about a site against the site's observations. Returns claims checked."""
    return sites_rematch(site_ids=[site_id])


def claim_rematch(*, claim_id: int) -> int:
    """Re-match one claim at every site it covers. Returns sites checked.

    Discrepancies at sites the claim no longer covers (it moved to another subject) are resolved.
    """
    claim = Claim.objects.filter(pk=claim_id).values(*CLAIM_FIELDS).first()
    if claim is None:
        return 0
    if claim["site_id"] is not None:
        subject = Q(pk=claim["site_id"])
    else:
        subject = Q(organization_id__in=list(_descendants(claim["organization_id"])))
    site_names = dict(Site.objects.filter(subject).values_list("pk", "name"))
    observations = _observations_by_site_metric(Observation.objects.filter(
        visit__site_id__in=list(site_names), metric=claim["metric"], rejected=False))
    findings = _findings([(claim, site_id) for site_id in site_names], site_names, observations)
    _store_retrying(findings, {claim["id"]: claim["metric"]}, Discrepancy.objects.filter(claim_id=claim_id))
    return len(site_names)
