"""The demo's users, one per role, with passwords printed by `amicable demo`.

They exist only in a demo database: `amicable demo` refuses to create them when
`SECRET_KEY` is set from the environment (a real installation)."""

from django.contrib.auth.models import User

from amicable.identity.roles import Role
from amicable.identity.services import create_user_with_roles
from amicable.portfolio.models import Creditor, CreditorUser

DEMO_USERS = (
    ("alice", "Alice", "Agent", Role.AGENT),
    ("sam", "Sam", "Supervisor", Role.SUPERVISOR),
    ("carla", "Carla", "Compliance", Role.COMPLIANCE),
    ("ada", "Ada", "Admin", Role.ADMIN),
    ("clio", "Clio", "Client (Mercy Regional Health)", Role.CLIENT),
)
DEMO_CLIENT_CREDITOR = "mercy-health"


def demo_password(username: str) -> str:
    return f"{username}-demo-2026"


def ensure_demo_users() -> list[tuple[str, str, Role]]:
    """Create missing demo users; returns (username, password, role) for all of them."""
    logins = []
    for username, first, last, role in DEMO_USERS:
        if not User.objects.filter(username=username).exists():
            user = create_user_with_roles(
                username=username,
                password=demo_password(username),
                roles=[role],
                first_name=first,
                last_name=last,
                is_staff=role == Role.ADMIN,
            )
            if role == Role.CLIENT:
                creditor = Creditor.objects.filter(code=DEMO_CLIENT_CREDITOR).first()
                if creditor is not None:
                    CreditorUser.objects.create(user=user, creditor=creditor)
        logins.append((username, demo_password(username), role))
    return logins
