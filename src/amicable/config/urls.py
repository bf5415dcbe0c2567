from django.contrib import admin
from django.urls import include, path

from amicable.http_api.api import api

admin.site.site_header = "Amicable administration"
admin.site.site_title = "Amicable"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("amicable.identity.urls")),
    path("", include("amicable.backoffice.urls")),
    path("compliance/", include("amicable.backoffice.compliance_urls")),
    path("desk/", include("amicable.desk.urls")),
    path("supervisor/", include("amicable.supervisor.urls")),
    path("dialer/", include("amicable.dialer.urls")),
]
