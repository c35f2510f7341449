"""Names to sites and organizations, in any script (pinyin too).

An exact key match (engine.entities.name_keys over name and aliases) links; a fuzzy one
only becomes a LinkProposal for an editor, never a link on its own.
"""
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from surveys import tasks
from surveys.models import LinkProposal, Organization, Site

MAX_PROPOSALS = 5


@dataclass
class NameIndex:
    """The names of every row of one model, keyed for exact lookups, kept for fuzzy ones."""

    names: dict[int, list[str]]
    keys: dict[str, set[int]]

    @classmethod
    def of(cls, model, *, exclude: int | None = None) -> "NameIndex":
        from surveys.engine import name_keys

        names, keys = {}, defaultdict(set)
        rows = model.objects.exclude(pk=exclude)
        if model is Site:
            rows = rows.filter(merged_into__isnull=True)  # a merged duplicate's names are the canonical site's
        for pk, name, aliases in rows.values_list("pk", "name", "aliases"):
            names[pk] = [name, *aliases]
            for each in names[pk]:
                for key in name_keys(each):
                    keys[key].add(pk)
        return cls(names, keys)

    def exact(self, names: list[str]) -> set[int]:
        """Rows sharing a key with any of `names`."""
        from surveys.engine import name_keys

        return {pk for name in names for key in name_keys(name) for pk in self.keys.get(key, ())}

    def fuzzy(self, sources: list[tuple[object, list[str]]]) -> dict[object, list]:
        """For each source, the best-scoring rows that are not exact matches (engine.link_proposals)."""
        from surveys.engine import link_proposals

        found = defaultdict(list)
        for proposal in link_proposals(sources, list(self.names.items())):
            if len(found[proposal.source_id]) < MAX_PROPOSALS:
                found[proposal.source_id].append(proposal)
        return found


def _propose(site: Site, proposals, *, field: str) -> int:
    """Store proposals; a pair an editor already decided is left as decided."""
    created = 0
    for proposal in proposals:
        _, was_created = LinkProposal.objects.get_or_create(
            site=site, **{f"{field}_id": proposal.target_id},
            defaults={"score": proposal.score, "site_name": proposal.source_name[:300],
                      "candidate_name": proposal.target_name[:300]},
        )
        created += was_created
    return created


@transaction.atomic
def site_link(*, site_id: int) -> int:
    """After a site is created or renamed: link it to the organization its name denotes exactly
    (when it has none), and propose the sites and organizations its name resembles.

    Another site with exactly the same name is a likely duplicate: two sites are never merged
    automatically, so that is a proposal too (score 100). Returns proposals created.
    """
    site = Site.objects.select_for_update().filter(pk=site_id).first()
    if site is None:
        return 0
    names = site.all_names()
    sites = NameIndex.of(Site, exclude=site.pk)
    duplicates = [_exact_proposal(site, pk, sites.names[pk]) for pk in sorted(sites.exact(names))]
    created = _propose(site, [*duplicates, *sites.fuzzy([(site.pk, names)])[site.pk]], field="candidate_site")
    if site.organization_id is None:
        organizations = NameIndex.of(Organization)
        exact = organizations.exact(names)
        if len(exact) == 1:
            _link_organization(site, exact.pop())
        else:
            created += _propose(site, organizations.fuzzy([(site.pk, names)])[site.pk],
                                field="candidate_organization")
    return created


def _exact_proposal(site: Site, pk: int, names: list[str]):
    from surveys.engine import LinkProposal as Proposal

    return Proposal(site.pk, pk, 100.0, site.name, names[0])


def _link_organization(site: Site, organization_id: int) -> None:
    from surveys.services.audit import audit_record

    site.organization_id = organization_id
    site.save(update_fields=["organization", "search_text", "updated_at"])
    audit_record(actor=None, action="site.link", obj=site, changes={"organization": [None, organization_id]})
    tasks.match_site.delay_on_commit(site.pk)


@transaction.atomic
def site_merge(*, duplicate: Site, canonical: Site, actor) -> Site:
    """Merge a duplicate site into the canonical one (an accepted site-to-site link proposal).

    Its visits (with their observations and photos), claims, child sites, names and open proposals move to
    the canonical site; its discrepancies move too, except one for a claim the canonical site already has a
    discrepancy for, which is dropped only if nobody decided it (a decided one stays, with its decision, on
    the duplicate). The duplicate stays as a pointer (`merged_into`); the canonical site is re-matched on
    commit; audited on both sites with every id moved. Nothing is deleted.
    """
    from surveys.models import Claim, Discrepancy, Visit
    from surveys.services.audit import audit_record
    from surveys.services.sync import tombstone_record
    from surveys.vocab import DECIDED_STATUSES

    if duplicate.pk == canonical.pk:
        raise ValueError("a site cannot be merged into itself")
    locked = {site.pk: site for site in Site.objects.select_for_update().filter(
        pk__in=[duplicate.pk, canonical.pk]).order_by("pk")}
    duplicate, canonical = locked[duplicate.pk], locked[canonical.pk]
    if canonical.merged_into_id is not None:  # merged elsewhere meanwhile: follow the pointer
        canonical = Site.objects.select_for_update().get(pk=canonical.merged_into_id)

    visit_ids = [str(pk) for pk in Visit.objects.filter(site=duplicate).values_list("pk", flat=True)]
    Visit.objects.filter(site=duplicate).update(site=canonical)
    claim_ids = list(Claim.objects.filter(site=duplicate).values_list("pk", flat=True))
    Claim.objects.filter(site=duplicate).update(site=canonical)
    children = list(Site.objects.filter(parent=duplicate).exclude(pk=canonical.pk).values_list("pk", flat=True))
    Site.objects.filter(pk__in=children).update(parent=canonical)
    Site.objects.filter(merged_into=duplicate).update(merged_into=canonical)

    taken = set(Discrepancy.objects.filter(site=canonical).values_list("claim_id", flat=True))
    moved, dropped, kept = [], [], []
    for discrepancy in Discrepancy.objects.filter(site=duplicate).order_by("pk"):
        if discrepancy.claim_id not in taken:
            moved.append(discrepancy.pk)
        elif discrepancy.status in DECIDED_STATUSES:
            kept.append(discrepancy.pk)
        else:
            dropped.append(discrepancy.pk)
    Discrepancy.objects.filter(pk__in=moved).update(site=canonical)
    Discrepancy.objects.filter(pk__in=dropped).delete()

    # Open proposals about the duplicate are about the canonical site now; one pairing it with itself goes.
    pending = LinkProposal.objects.filter(decision=LinkProposal.Decision.PENDING)
    pending.filter(site=duplicate).update(site=canonical)
    pending.filter(candidate_site=duplicate).update(candidate_site=canonical)
    pending.filter(site=canonical, candidate_site=canonical).update(
        decision=LinkProposal.Decision.REJECTED, decided_by=actor, decided_at=timezone.now())

    names_before = list(canonical.aliases)
    canonical.aliases = [*canonical.aliases, *(n for n in duplicate.all_names() if n not in canonical.all_names())]
    if canonical.organization_id is None and duplicate.organization_id is not None:
        canonical.organization_id = duplicate.organization_id
    canonical.save()
    duplicate.merged_into = canonical
    duplicate.save()
    tombstone_record(obj=duplicate)  # phones syncing sites drop the duplicate

    changes = {"duplicate": duplicate.pk, "canonical": canonical.pk, "visits": visit_ids, "claims": claim_ids,
               "child_sites": children, "discrepancies_moved": moved, "discrepancies_dropped": dropped,
               "discrepancies_kept_on_duplicate": kept, "aliases": [names_before, canonical.aliases]}
    audit_record(actor=actor, action="site.merge", obj=canonical, changes=changes)
    audit_record(actor=actor, action="site.merged_into", obj=duplicate, changes=changes)
    tasks.match_site.delay_on_commit(canonical.pk)
    return canonical
