from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "amicable.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"
