from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "amicable.desk"
    label = "desk"
    verbose_name = "Collector's desk"
