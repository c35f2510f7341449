"""Writes to organizations, sites and claims; every claim change re-matches its sites."""
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from surveys import tasks
from surveys.models import Claim, Organization, Site
from surveys.services.audit import audit_record
from surveys.services.sync import tombstone_record


def _enqueue_site_followups(site_id: int, *, renamed: bool, rematch: bool) -> None:
    """A new name may denote a known site or organization; a new organization brings its claims."""
    if renamed:
        tasks.link_site.delay_on_commit(site_id)
    if rematch:
        tasks.match_site.delay_on_commit(site_id)


def _changes(before: dict, after: dict) -> dict:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def _snapshot(obj) -> dict:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(model_to_dict(obj), cls=DjangoJSONEncoder)) if obj.pk else {}


def site_timezone_validate(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError("Unknown time zone.") from None
    return value


def site_radius_validate(value: int) -> int:
    if not 1 <= value <= 100_000:
        raise ValidationError("Between 1 and 100000 metres.")
    return value


SITE_RULES = {"timezone": site_timezone_validate, "radius_m": site_radius_validate}


def site_values_validate(values: dict) -> dict:
    """The site's values that have a rule of their own, checked; ValidationError names each field at fault."""
    errors = {}
    for name, rule in SITE_RULES.items():
        if values.get(name) is not None:
            try:
                rule(values[name])
            except ValidationError as error:
                errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def site_save(*, site: Site | None, values: dict, actor, as_editor: bool) -> Site:
    """Create or edit a site. A reporter's new site is a proposal: unverified until an editor verifies it."""
    creating = site is None
    site_values_validate(values)
    site = site or Site()
    before = _snapshot(site)
    for name, value in values.items():
        setattr(site, name, value)
    if creating and not as_editor:
        site.verified = False
        site.proposed_by = actor
    site.full_clean(validate_unique=False, validate_constraints=False)
    site.save()
    changes = _changes(before, _snapshot(site))
    audit_record(actor=actor, action="site.create" if creating else "site.update", obj=site, changes=changes)
    _enqueue_site_followups(site.pk, renamed=creating or bool({"name", "aliases"} & changes.keys()),
                            rematch=not creating and "organization" in changes)
    return site


@transaction.atomic
def organization_save(*, organization: Organization | None, values: dict, actor) -> Organization:
    """Create or edit an organization; a new parent changes which group claims reach its sites."""
    creating = organization is None
    organization = organization or Organization()
    before = _snapshot(organization)
    for name, value in values.items():
        setattr(organization, name, value)
    organization.full_clean(validate_unique=False, validate_constraints=False)
    organization.save()
    changes = _changes(before, _snapshot(organization))
    audit_record(actor=actor, action="organization.create" if creating else "organization.update",
                 obj=organization, changes=changes)
    if "parent" in changes:
        for site_id in organization.sites.values_list("pk", flat=True):
            _enqueue_site_followups(site_id, renamed=False, rematch=True)
    return organization


@transaction.atomic
def entity_delete(*, obj: Organization | Site | Claim, actor) -> None:
    """Delete an organization, site or claim: audited with its last state, and a tombstone for sync."""
    audit_record(actor=actor, action=f"{obj._meta.model_name}.delete", obj=obj, changes={"before": _snapshot(obj)})
    tombstone_record(obj=obj)
    obj.delete()


@transaction.atomic
def claim_save(*, claim: Claim | None, values: dict, actor) -> Claim:
    creating = claim is None
    claim = claim or Claim(created_by=actor)
    before = _snapshot(claim)
    for name, value in values.items():
        setattr(claim, name, value)
    claim.full_clean(validate_unique=False, validate_constraints=False)
    claim.save()
    audit_record(actor=actor, action="claim.create" if creating else "claim.update", obj=claim,
                 changes=_changes(before, _snapshot(claim)))
    tasks.match_claim.delay_on_commit(claim.pk)
    return claim
