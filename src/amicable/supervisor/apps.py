from django.apps import AppConfig


class SupervisorConfig(AppConfig):
    name = "amicable.supervisor"
    label = "supervisor"
    verbose_name = "Supervisor"
