from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "amicable.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
