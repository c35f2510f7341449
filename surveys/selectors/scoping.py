"""Who sees what: every API list, object lookup and export starts from these querysets.

Reporters see their own visits, observations and photos; editors and admins see
everything; exporters read under the exporter policy (see `policy.py`): confirmed
discrepancies only, and no positions, originals or reporter identities.
"""
from django.db.models import QuerySet

from surveys.models import Claim, Discrepancy, Observation, Organization, Photo, Site, Tombstone, Visit
from surveys.roles import role_of
from surveys.vocab import ReviewStatus, Role


def organizations_for(user) -> QuerySet[Organization]:
    if role_of(user) is None:
        return Organization.objects.none()
    return Organization.objects.select_related("parent")


def sites_for(user) -> QuerySet[Site]:
    role = role_of(user)
    if role is None:
        return Site.objects.none()
    return Site.objects.select_related("organization", "parent")


def claims_for(user) -> QuerySet[Claim]:
    if role_of(user) is None:
        return Claim.objects.none()
    return Claim.objects.select_related("site", "organization")


def _reporters_own(rows: QuerySet, user, *, reporter: str) -> QuerySet:
    """A reporter's own rows (`reporter` is the lookup to their user); editors, admins and exporters see all."""
    role = role_of(user)
    if role == Role.REPORTER:
        return rows.filter(**{reporter: user})
    if role in (Role.EDITOR, Role.ADMIN, Role.EXPORTER):
        return rows
    return rows.none()


def visits_for(user) -> QuerySet[Visit]:
    return _reporters_own(Visit.objects.select_related("site", "reporter"), user, reporter="reporter")


def observations_for(user) -> QuerySet[Observation]:
    return _reporters_own(Observation.objects.select_related("visit"), user, reporter="visit__reporter")


def photos_for(user) -> QuerySet[Photo]:
    return _reporters_own(Photo.objects.select_related("visit__site"), user, reporter="visit__reporter")


def discrepancies_for(user) -> QuerySet[Discrepancy]:
    role = role_of(user)
    discrepancies = Discrepancy.objects.select_related("claim", "site", "assignee", "reviewer")
    if role in (Role.EDITOR, Role.ADMIN):
        return discrepancies
    if role == Role.EXPORTER:
        return discrepancies.filter(status=ReviewStatus.CONFIRMED)
    if role == Role.REPORTER:
        # Read-only: the discrepancies resting on the reporter's own visits.
        return discrepancies.filter(observations__visit__reporter=user).distinct()
    return Discrepancy.objects.none()


# Synced models whose rows belong to a reporter: their deletions are scoped like the rows.
_OWNED = frozenset({Visit._meta.model_name, Observation._meta.model_name})


def deletions_for(user, model) -> QuerySet[Tombstone]:
    """The deletion records of `model` the user may learn of, as `<model>s_for` scopes the rows."""
    role = role_of(user)
    tombstones = Tombstone.objects.filter(model=model._meta.model_name)
    if role is None:
        return Tombstone.objects.none()
    if role == Role.REPORTER and model._meta.model_name in _OWNED:
        return tombstones.filter(owner_id=user.pk)
    return tombstones
