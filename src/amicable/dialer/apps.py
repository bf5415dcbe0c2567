from django.apps import AppConfig


class DialerConfig(AppConfig):
    name = "amicable.dialer"
    label = "dialer"
    verbose_name = "Dialer"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_signed_out, dispatch_uid="dialer_agent_signed_out")


def _signed_out(sender, request, user, **kwargs) -> None:
    from amicable.dialer.agents import agent_signed_out
    from amicable.kernel.clock import utc_now

    if user is not None and user.pk is not None:
        agent_signed_out(agent_id=user.pk, now=utc_now())
