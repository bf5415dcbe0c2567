from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "amicable.communications"
    label = "communications"
    verbose_name = "Scripts and messages"
