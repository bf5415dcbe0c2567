from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "amicable.compliance"
    label = "compliance"
    verbose_name = "Compliance"
