from django.apps import AppConfig


class NegotiationConfig(AppConfig):
    name = "amicable.negotiation"
    label = "negotiation"
    verbose_name = "Negotiation"

    def ready(self) -> None:
        from amicable.negotiation import receivers  # noqa: F401  (payment_posted)
