from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "amicable.strategy"
    label = "strategy"
    verbose_name = "Work queues and call outcomes"
