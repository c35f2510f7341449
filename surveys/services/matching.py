"""Adapts the pure matching engine to the models: one discrepancy per claim and site.

Incremental and idempotent: re-matching a site or a claim recomputes the system
fields (figures, severity, explanation, evidence, supporting observations) of `open`
and `resolved` discrepancies: an `open` one whose contradiction has gone becomes
`resolved` (and a `resolved` one whose contradiction is back opens again).

A decided discrepancy (confirmed, dismissed, needs follow-up) keeps the figures and
evidence it was decided on: what matching finds now is kept beside them in `latest`,
the observations that arrived after the decision in `new_evidence`, and
`new_evidence_at` puts it back in the editors' queue (see docs/evidence.md).

Set-based so that the number of queries does not grow with the number of claims,
observations or sites matched together: a batch of sites costs the same handful of
queries as one.
"""
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.utils import timezone

from surveys.models import Claim, Discrepancy, Observation, Organization, Site
from surveys.services import outbox
from surveys.vocab import DECIDED_STATUSES, SEVERITY_RANK, ReviewStatus, Severity

CLAIM_FIELDS = ["id", "site_id", "organization_id", "metric", "low", "high", "unit", "qualifier", "status_value",
                "due_date", "text", "source_name", "published_on", "is_target"]
OBSERVATION_FIELDS = ["id", "visit_id", "visit__started_at", "visit__site_id", "metric", "low", "high", "unit",
                      "qualifier", "status_value", "confidence", "quote", "method", "source_role", "created_at"]
SYSTEM_FIELDS = ["metric", "kind", "claimed", "observed", "ratio", "severity", "severity_rank", "explanation",
                 "explanation_zh", "observed_visit_id", "observed_observation_id", "source_conflict"]
# What a decision was made on; the rest (the observed observation, a source conflict) is presentation.
DECIDED_FIELDS = ["metric", "kind", "claimed", "observed", "ratio", "severity", "explanation", "explanation_zh",
                  "observed_visit_id"]
Links = Discrepancy.observations.through
SupportingLinks = Discrepancy.supporting.through
NewEvidenceLinks = Discrepancy.new_evidence.through
LINK_TABLES = {"observations": Links, "supporting": SupportingLinks, "new_evidence": NewEvidenceLinks}


def _settings():
    from surveys.engine import MatchSettings

    return MatchSettings(ratio_band=(settings.MATCH_RATIO_LOW, settings.MATCH_RATIO_HIGH))


def _ancestors(parents: dict[int, int | None]) -> dict[int, list[int]]:
    """Each organization with its parent groups, nearest first, from {organization: its parent}
    (one query per level above those parents)."""
    parent = dict(parents)
    frontier = {p for p in parent.values() if p is not None and p not in parent}
    while frontier:
        rows = dict(Organization.objects.filter(pk__in=frontier).order_by().values_list("pk", "parent_id"))
        parent.update(rows)
        frontier = {p for p in rows.values() if p is not None and p not in parent}
    chains = {}
    for org_id in parents:
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
        children = Organization.objects.filter(parent_id__in=frontier).order_by().values_list("pk", flat=True)
        frontier = set(children) - found
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


@dataclass
class Evidence:
    """A run's observations grouped by (site id, metric), with when each arrived."""

    grouped: dict = field(default_factory=lambda: defaultdict(list))
    arrived: dict = field(default_factory=dict)


def _observations_by_site_metric(observations) -> Evidence:
    from surveys.engine import ObservationInput

    evidence = Evidence()
    for (obs_id, visit_id, visited_at, site_id, metric, low, high, unit, qualifier, status_value, confidence, quote,
         method, source_role, created_at) in observations.values_list(*OBSERVATION_FIELDS):
        evidence.arrived[obs_id] = created_at
        evidence.grouped[site_id, metric].append(ObservationInput(
            id=obs_id, visit_id=visit_id, visited_at=visited_at, metric=metric, low=low, high=high, unit=unit,
            qualifier=qualifier, status_value=status_value or None, confidence=confidence, quote=quote,
            method=method, source_role=source_role,
        ))
    return evidence


@dataclass(frozen=True)
class Outcome:
    """What matching found for one (claim, site) pair: a contradiction (or None), and the consistent side."""

    finding: object
    supporting_ids: list


def _findings(pairs: Iterable[tuple[dict, int]], site_names: dict[int, str], evidence: Evidence) -> dict:
    """{(claim id, site id): Outcome} for each (claim row, site id) pair."""
    from surveys.engine.matching import match_claim, supporting_observations

    match_settings = _settings()
    outcomes = {}
    for claim, site_id in pairs:
        claim_input = _claim_input(claim, site_names[site_id])
        observations = evidence.grouped.get((site_id, claim["metric"]), [])
        finding = match_claim(claim_input, observations, settings=match_settings)
        supporting = (finding.supporting_ids if finding is not None else
                      [o.id for o in supporting_observations(claim_input, observations, settings=match_settings)])
        outcomes[claim["id"], site_id] = Outcome(finding=finding, supporting_ids=supporting)
    return outcomes


def _values(finding) -> dict:
    severity = Severity(finding.severity)
    return {
        "kind": str(finding.kind), "claimed": finding.claimed, "observed": finding.observed, "ratio": finding.ratio,
        "severity": severity.value, "severity_rank": SEVERITY_RANK[severity], "explanation": finding.explanation,
        "explanation_zh": finding.explanation_zh, "observed_visit_id": finding.observed_visit_id,
        "observed_observation_id": finding.observed_observation_id, "source_conflict": finding.source_conflict,
    }


def _as_json(value):
    return str(value) if isinstance(value, uuid.UUID) else value


def _latest(values: dict | None, wanted: set, supporting: set) -> dict:
    """A decided discrepancy's latest evidence, as JSON: what it would show if it were open."""
    if values is None:  # the contradiction is gone
        return {"resolved": True, "observation_ids": [], "supporting_ids": sorted(map(str, supporting))}
    return {"resolved": False, **{name: _as_json(value) for name, value in values.items()},
            "observation_ids": sorted(map(str, wanted)), "supporting_ids": sorted(map(str, supporting))}


def _links(discrepancy_ids: list[int]) -> dict[str, dict[int, set]]:
    """{kind: {discrepancy id: observation ids}} for each kind of link, read in one query."""
    links = {kind: defaultdict(set) for kind in LINK_TABLES}
    if discrepancy_ids:
        first, *rest = [through.objects.filter(discrepancy_id__in=discrepancy_ids).annotate(kind=Value(kind))
                        .values_list("kind", "discrepancy_id", "observation_id")
                        for kind, through in LINK_TABLES.items()]
        for kind, discrepancy_id, observation_id in first.union(*rest, all=True):
            links[kind][discrepancy_id].add(observation_id)
    return links


def _relink(through, wanted: dict[int, set], current: dict[int, set]) -> None:
    """Make these discrepancies' links of one kind `wanted`: one that lost a link has its links rewritten,
    one that only gained links gets the new ones (new evidence usually adds to what was there)."""
    rewritten = {d_id for d_id, ids in wanted.items() if current[d_id] - ids}
    if rewritten:
        through.objects.filter(discrepancy_id__in=list(rewritten)).delete()
    through.objects.bulk_create(
        [through(discrepancy_id=d_id, observation_id=o_id) for d_id, ids in wanted.items()
         for o_id in (ids if d_id in rewritten else ids - current[d_id])],
        batch_size=5000,
    )


def _hold(row: Discrepancy, outcome: Outcome | None, metric: str, links: dict, evidence: Evidence, now,
          new_links: dict) -> bool:
    """A decided discrepancy keeps what it was decided on; what matching finds now goes beside it, in
    `latest` and `new_evidence` (the observations that arrived after the decision). Whether the row changed."""
    finding = outcome.finding if outcome is not None else None
    supporting = set(outcome.supporting_ids) if outcome is not None else set()
    values = {**_values(finding), "metric": metric} if finding is not None else None
    wanted = set(finding.observation_ids) if finding is not None else set()
    decided_observations, decided_supporting = links["observations"][row.pk], links["supporting"][row.pk]
    same = (values is not None and all(getattr(row, name) == values[name] for name in DECIDED_FIELDS)
            and wanted == decided_observations)
    decided_at = row.reviewed_at
    shown = wanted | supporting | ({finding.observed_observation_id} if finding is not None else set())
    arrived = {o for o in shown - decided_observations - decided_supporting
               if decided_at is None or (evidence.arrived.get(o) is not None and evidence.arrived[o] > decided_at)}
    if same and not arrived:
        latest, arrived = None, set()
    else:
        latest = _latest(values, wanted, supporting)
    if latest == row.latest and arrived == links["new_evidence"][row.pk]:
        return False
    if latest != row.latest:
        row.latest = latest
        # A follow-up that arrived keeps the discrepancy in the "new evidence" queue until it is decided again.
        row.new_evidence_at = now if latest is not None else row.followup_arrived_at
    if arrived != links["new_evidence"][row.pk]:
        new_links[row.pk] = arrived
    return True


@transaction.atomic
def _store(outcomes: dict, metrics: dict[int, str], existing_rows, evidence: Evidence) -> None:
    """Write findings. `existing_rows` (a queryset, locked here) holds every discrepancy the run
    covers; one whose pair has no finding lost its contradiction."""
    now = timezone.now()
    existing = {(d.claim_id, d.site_id): d for d in existing_rows.select_for_update().order_by("pk")}
    ids = [d.pk for d in existing.values()]
    links = _links(ids)

    created, updated, held = [], [], []
    relinked, resupported, new_links = {}, {}, {}
    for key in existing.keys() | outcomes.keys():
        row, outcome = existing.get(key), outcomes.get(key)
        if row is not None and row.status in DECIDED_STATUSES:
            if _hold(row, outcome, metrics.get(key[0], row.metric), links, evidence, now, new_links):
                held.append(row)
            continue
        finding = outcome.finding if outcome is not None else None
        if finding is None:
            if row is not None and row.status == ReviewStatus.OPEN:
                row.status, row.updated_at = ReviewStatus.RESOLVED, now
                updated.append(row)
            continue
        values = {**_values(finding), "metric": metrics[key[0]]}
        wanted, supporting = set(finding.observation_ids), set(outcome.supporting_ids)
        if row is None:
            created.append((Discrepancy(claim_id=key[0], site_id=key[1], **values), wanted, supporting))
            continue
        changed = any(getattr(row, name) != value for name, value in values.items())
        if changed or row.status == ReviewStatus.RESOLVED:
            for name, value in values.items():
                setattr(row, name, value)
            if row.status == ReviewStatus.RESOLVED:
                row.status = ReviewStatus.OPEN
            row.updated_at = now
            updated.append(row)
        if links["observations"][row.pk] != wanted:
            relinked[row.pk] = wanted
        if links["supporting"][row.pk] != supporting:
            resupported[row.pk] = supporting

    if updated:
        # The rows are locked, so writing `status` back cannot undo an editor's concurrent review.
        Discrepancy.objects.bulk_update(updated, [*SYSTEM_FIELDS, "status", "updated_at"], batch_size=1000)
    if held:
        for row in held:
            row.updated_at = now
        Discrepancy.objects.bulk_update(held, ["latest", "new_evidence_at", "updated_at"], batch_size=1000)
    rows = []
    if created:
        rows = Discrepancy.objects.bulk_create([row for row, _, _ in created], batch_size=1000)
        for row, (_, wanted, supporting) in zip(rows, created, strict=True):
            relinked[row.pk], resupported[row.pk] = wanted, supporting
    _relink(Links, relinked, links["observations"])
    _relink(SupportingLinks, resupported, links["supporting"])
    _relink(NewEvidenceLinks, new_links, links["new_evidence"])
    _emit(opened=rows, changed_decided=[row for row in held if row.latest is not None], arrived=new_links)


def _emit(*, opened: list, changed_decided: list, arrived: dict) -> None:
    """Outbox events of a run, in its transaction: new discrepancies; new evidence on decided ones (to their assignee)."""
    if opened:
        outbox.emit_many("discrepancy.opened", opened)  # rows created just now: each is new once
    answered = _answered_by_followups(changed_decided, arrived)
    by_assignee = defaultdict(list)
    for row in changed_decided:
        if row.assignee_id is not None and row.pk not in answered:
            by_assignee[row.assignee_id].append(row)
    if by_assignee:
        assignees = get_user_model().objects.in_bulk(list(by_assignee))
        for assignee_id, decided in by_assignee.items():
            outbox.emit_many("discrepancy.new_evidence", decided, recipients=[assignees.get(assignee_id)])


def _answered_by_followups(rows: list, arrived: dict) -> set[int]:
    """The decided discrepancies whose new evidence all comes from visits answering their follow-up request:
    visit processing tells the assignee of those (`followup.answered`), so they are not told twice."""
    candidates = {row.pk: arrived[row.pk] for row in rows if row.assignee_id is not None and arrived.get(row.pk)}
    if not candidates:
        return set()
    from_followups = defaultdict(set)
    for observation_id, discrepancy_id in Observation.objects.filter(
            pk__in=set().union(*candidates.values()), visit__followup_of_id__in=list(candidates)).values_list(
            "pk", "visit__followup_of_id"):
        from_followups[discrepancy_id].add(observation_id)
    return {pk for pk, ids in candidates.items() if ids <= from_followups[pk]}


def _store_retrying(outcomes: dict, metrics: dict[int, str], existing_rows, evidence: Evidence) -> None:
    try:
        _store(outcomes, metrics, existing_rows, evidence)
    except IntegrityError:  # a concurrent run created one of the rows first; its row is now visible
        _store(outcomes, metrics, existing_rows, evidence)


def sites_rematch(*, site_ids: Iterable[int]) -> int:
    """Re-match every claim about these sites (directly, or about their organizations and parent
    groups) against the sites' observations. Returns the (claim, site) pairs checked."""
    rows = Site.objects.filter(pk__in=list(site_ids)).order_by().values_list(
        "pk", "name", "organization_id", "organization__parent_id")
    sites, parents = {}, {}
    for pk, name, org_id, parent_id in rows:
        sites[pk] = (name, org_id)
        if org_id is not None:
            parents[org_id] = parent_id
    if not sites:
        return 0
    chains = _ancestors(parents)
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
    _store_retrying(findings, metrics, Discrepancy.objects.filter(site_id__in=list(sites)), observations)
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
    site_names = dict(Site.objects.filter(subject).order_by().values_list("pk", "name"))
    observations = _observations_by_site_metric(Observation.objects.filter(
        visit__site_id__in=list(site_names), metric=claim["metric"], rejected=False))
    findings = _findings([(claim, site_id) for site_id in site_names], site_names, observations)
    _store_retrying(findings, {claim["id"]: claim["metric"]}, Discrepancy.objects.filter(claim_id=claim_id),
                    observations)
    return len(site_names)
