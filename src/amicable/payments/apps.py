from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "amicable.payments"
    label = "payments"
    verbose_name = "Payments"
