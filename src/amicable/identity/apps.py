from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "amicable.identity"
    label = "identity"
    verbose_name = "Users, roles and audit"

    def ready(self) -> None:
        from amicable.identity import signals  # noqa: F401  (sign-in audit receivers)
