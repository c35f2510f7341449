"""Adapts the pure matching engine to the models: one discrepancy per claim and site.

Incremental and idempotent: re-matching a site or a claim recomputes the system
fields (figures, severity, explanation, evidence) and never touches what editors
decided, except that an `open` discrepancy whose contradiction has gone becomes
`resolved` (and a `resolved` one whose contradiction is back opens again).
"""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from surveys.models import Claim, Discrepancy, Observation, Site
from surveys.vocab import SEVERITY_RANK, ReviewStatus, Severity


def _settings():
    from surveys.engine import MatchSettings

    return MatchSettings(ratio_band=(settings.MATCH_RATIO_LOW, settings.MATCH_RATIO_HIGH))


def claim_sites(claim: Claim) -> list[Site]:
    """The sites a claim is about: its site, or every site of its organization and its subsidiaries."""
    if claim.site_id:
        return [claim.site]
    organization_ids = {claim.organization_id}
    frontier = {claim.organization_id}
    from surveys.models import Organization

    while frontier:
        frontier = set(Organization.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - organization_ids
        organization_ids |= frontier
    return list(Site.objects.filter(organization_id__in=organization_ids))


def site_claims(site: Site) -> list[Claim]:
    """Claims made about a site directly or about its organization (or a parent organization)."""
    organization_ids = []
    organization = site.organization
    seen = set()
    while organization is not None and organization.pk not in seen:
        seen.add(organization.pk)
        organization_ids.append(organization.pk)
        organization = organization.parent
    subject = Q(site=site) | Q(site__isnull=True, organization_id__in=organization_ids)
    return list(Claim.objects.filter(subject).select_related("site", "organization"))


def _claim_input(claim: Claim, site: Site):
    from surveys.engine import ClaimInput

    return ClaimInput(
        id=claim.pk, metric=claim.metric, low=claim.low, high=claim.high, unit=claim.unit,
        qualifier=claim.qualifier, status_value=claim.status_value or None, due_date=claim.due_date,
        text=claim.text, source_name=claim.source_name, published_on=claim.published_on,
        is_target=claim.is_target, site_name=site.name,
    )


def _observation_inputs(observations) -> list:
    from surveys.engine import ObservationInput

    return [
        ObservationInput(
            id=obs.pk, visit_id=obs.visit_id, visited_at=obs.visit.started_at, metric=obs.metric, low=obs.low,
            high=obs.high, unit=obs.unit, qualifier=obs.qualifier, status_value=obs.status_value or None,
            confidence=obs.confidence, rejected=obs.rejected, quote=obs.quote, method=obs.method,
            source_role=obs.source_role,
        )
        for obs in observations
    ]


def _site_observations(site: Site) -> dict[str, list[Observation]]:
    by_metric: dict[str, list[Observation]] = {}
    rows = Observation.objects.filter(visit__site=site, rejected=False).select_related("visit")
    for obs in rows:
        by_metric.setdefault(obs.metric, []).append(obs)
    return by_metric


@transaction.atomic
def _apply(claim: Claim, site: Site, finding) -> None:
    existing = Discrepancy.objects.select_for_update().filter(claim=claim, site=site).first()
    if finding is None:
        if existing is not None and existing.status == ReviewStatus.OPEN:
            existing.status = ReviewStatus.RESOLVED
            existing.save(update_fields=["status", "updated_at"])
        return
    severity = Severity(finding.severity)
    values = {
        "metric": claim.metric, "kind": finding.kind.value if hasattr(finding.kind, "value") else finding.kind,
        "claimed": finding.claimed, "observed": finding.observed, "ratio": finding.ratio,
        "severity": severity.value, "severity_rank": SEVERITY_RANK[severity], "explanation": finding.explanation,
        "explanation_zh": finding.explanation_zh, "observed_visit_id": finding.observed_visit_id,
    }
    if existing is None:
        try:
            with transaction.atomic():
                existing = Discrepancy.objects.create(claim=claim, site=site, **values)
        except IntegrityError:  # a concurrent run created it first
            existing = Discrepancy.objects.select_for_update().get(claim=claim, site=site)
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    for name in changed:
        setattr(existing, name, values[name])
    if existing.status == ReviewStatus.RESOLVED:
        existing.status = ReviewStatus.OPEN
        changed.append("status")
    if changed:
        existing.save(update_fields=[*changed, "updated_at"])
    ids = set(finding.observation_ids)
    if {obs.pk for obs in existing.observations.all()} != ids:
        existing.observations.set(Observation.objects.filter(pk__in=ids))


def _match(claim: Claim, site: Site, observations: list[Observation]) -> None:
    from surveys.engine import match_claim

    finding = match_claim(_claim_input(claim, site), _observation_inputs(observations), settings=_settings())
    _apply(claim, site, finding)


def site_rematch(*, site_id: int) -> int:
    """Re-match every claim about a site against the site's observations. Returns claims checked."""
    site = Site.objects.select_related("organization__parent").filter(pk=site_id).first()
    if site is None:
        return 0
    observations = _site_observations(site)
    claims = site_claims(site)
    for claim in claims:
        _match(claim, site, observations.get(claim.metric, []))
    return len(claims)


def claim_rematch(*, claim_id: int) -> int:
    """Re-match one claim at every site it covers. Returns sites checked."""
    claim = Claim.objects.select_related("site", "organization").filter(pk=claim_id).first()
    if claim is None:
        return 0
    sites = claim_sites(claim)
    for site in sites:
        observations = Observation.objects.filter(visit__site=site, metric=claim.metric, rejected=False)
        _match(claim, site, list(observations.select_related("visit")))
    # A claim moved to another subject leaves discrepancies at sites it no longer covers.
    Discrepancy.objects.filter(claim=claim, status=ReviewStatus.OPEN).exclude(
        site__in=sites).update(status=ReviewStatus.RESOLVED)
    return len(sites)
