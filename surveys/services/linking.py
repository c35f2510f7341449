"""Names to sites and organizations, in any script (pinyin too).

An exact key match (engine.entities.name_keys over name and aliases) links; a fuzzy one
only becomes a LinkProposal for an editor, never a link on its own.
"""
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

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
        for pk, name, aliases in model.objects.exclude(pk=exclude).values_list("pk", "name", "aliases"):
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
