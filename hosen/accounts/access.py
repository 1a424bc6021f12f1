"""Who may do what in an authority: one table of named permissions, checked in one place."""

from dataclasses import dataclass

from django.db.models import Q

from hosen.tenancy.models import Authority

from .models import Role

# The role a user holds towards one authority. Network admins and cluster coordinators see the
# authorities they support read-only, as "overseer"; they never see private check-ins.
OVERSEER = "overseer"

PERMISSIONS: dict[str, frozenset[str]] = {
    # read the authority's pages and records
    "view": frozenset({Role.MANAGER, Role.TEAM, Role.VIEWER, OVERSEER}),
    # change the authority's records: checklist answers, registers
    "change": frozenset({Role.MANAGER, Role.TEAM}),
    # run the authority: emergencies and their phases, rounds, invitations, the audit history
    "manage": frozenset({Role.MANAGER}),
    # the private stage-1 check-in
    "checkin": frozenset({Role.MANAGER}),
}


@dataclass(frozen=True)
class Access:
    role: str

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    @property
    def perms(self) -> dict[str, bool]:
        """For templates: `{% if access.perms.change %}`."""
        return {name: self.role in roles for name, roles in PERMISSIONS.items()}


# When a user holds several roles towards one authority, the strongest wins.
_STRENGTH = [Role.MANAGER, Role.TEAM, Role.VIEWER, OVERSEER]


def access_for(user, authority: Authority) -> Access | None:
    """The user's access to the authority, or None for an outsider. One query."""
    if not user.is_authenticated:
        return None
    roles = set(
        user.memberships.filter(
            Q(authority=authority) | Q(cluster_id=authority.cluster_id) | Q(network_id=authority.cluster.network_id)
        ).values_list("role", flat=True)
    )
    if not roles:
        return None
    roles = {OVERSEER if r in (Role.NETWORK_ADMIN, Role.CLUSTER_COORDINATOR) else r for r in roles}
    return Access(next(r for r in _STRENGTH if r in roles))


def authorities_for(user):
    """Every authority the user may open, for the home redirect and the authority picker."""
    if not user.is_authenticated:
        return Authority.objects.none()
    mine = user.memberships.all()
    return Authority.objects.filter(
        Q(memberships__in=mine.filter(authority__isnull=False))
        | Q(cluster__in=mine.filter(cluster__isnull=False).values("cluster"))
        | Q(cluster__network__in=mine.filter(network__isnull=False).values("network"))
    ).distinct()
