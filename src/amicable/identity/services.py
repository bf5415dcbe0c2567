"""Writes for users, tokens and the audit trail."""

from datetime import datetime

from django.contrib.auth.models import Group, User
from django.db import transaction

from amicable.identity.models import ApiToken, AuditEvent
from amicable.identity.roles import Role
from amicable.kernel.errors import UnableTo


def record_audit_event(
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one audit event. `details` must hold identifiers and counts, never PII."""
    return AuditEvent.objects.create(
        at=at,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )


def ensure_role_groups() -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def create_user_with_roles(
    *,
    username: str,
    password: str,
    roles: list[Role],
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
) -> User:
    ensure_role_groups()
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
        is_superuser=is_staff and Role.ADMIN in roles,
    )
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    return user


@transaction.atomic
def issue_api_token(*, user_id: int, name: str, now: datetime) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored or shown again."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user_id=user_id,
        name=name,
        prefix=secret[:12],
        token_hash=ApiToken.hash_secret(secret),
        created_at=now,
    )
    record_audit_event(
        at=now,
        actor_id=user_id,
        action="api_token.issued",
        object_type="ApiToken",
        object_id=token.pk,
    )
    return token, secret


class UnableToRevokeToken(UnableTo):
    pass


@transaction.atomic
def revoke_api_token(*, token_id: int, actor_id: int | None, now: datetime) -> ApiToken:
    """Revoke a token for good (a revoked token is never made valid again: issue a new one).
    Revoking it twice keeps the first time and records nothing more."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise UnableToRevokeToken(f"no token with id {token_id}")
    if token.revoked_at is not None:
        return token
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    record_audit_event(
        at=now,
        actor_id=actor_id,
        action="api_token.revoked",
        object_type="ApiToken",
        object_id=token.pk,
    )
    return token


def user_for_api_secret(*, secret: str, now: datetime) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=ApiToken.hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        token.save(update_fields=["last_used_at"])
    return token.user
