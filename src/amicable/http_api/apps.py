from django.apps import AppConfig


class HttpApiConfig(AppConfig):
    name = "amicable.http_api"
    label = "http_api"
    verbose_name = "HTTP API"
