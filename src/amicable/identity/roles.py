"""The five roles, as Django groups.

A user may hold several roles; each view and endpoint names the roles it admits.
CLIENT users belong to one creditor and see only that creditor's accounts.
"""

from enum import StrEnum


class Role(StrEnum):
    AGENT = "AGENT"
    SUPERVISOR = "SUPERVISOR"
    COMPLIANCE = "COMPLIANCE"
    ADMIN = "ADMIN"
    CLIENT = "CLIENT"


#: Who may use the back office (search, account detail, imports list).
BACK_OFFICE = frozenset({Role.AGENT, Role.SUPERVISOR, Role.COMPLIANCE, Role.ADMIN, Role.CLIENT})
#: Who may import placement files and manage creditors.
IMPORTERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


def roles_of(user) -> frozenset[Role]:
    """The user's roles, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_amicable_roles", None)
    if cached is None:
        names = {group.name for group in user.groups.all()}
        if getattr(user, "is_superuser", False):
            names.add(Role.ADMIN.value)  # `amicable createsuperuser` makes an administrator
        cached = frozenset(Role(name) for name in names if name in Role.__members__)
        user._amicable_roles = cached
    return cached


def has_any_role(user, allowed: frozenset[Role] | set[Role]) -> bool:
    return bool(roles_of(user) & set(allowed))
