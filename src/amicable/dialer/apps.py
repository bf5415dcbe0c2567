from django.apps import AppConfig


class DialerConfig(AppConfig):
    name = "amicable.dialer"
    label = "dialer"
    verbose_name = "Dialer"
