"""Sign-ins and sign-in failures go to the audit trail (user id only, never the password)."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from amicable.identity.services import record_audit_event
from amicable.kernel.clock import utc_now


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs) -> None:
    record_audit_event(
        at=utc_now(),
        actor_id=user.pk,
        action="auth.signed_in",
        object_type="User",
        object_id=user.pk,
    )


@receiver(user_login_failed)
def audit_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    record_audit_event(
        at=utc_now(),
        actor_id=None,
        action="auth.sign_in_failed",
        object_type="User",
        details={"username_length": len(str(credentials.get("username", "")))},
    )
