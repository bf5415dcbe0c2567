"""The compliance officer's screens, under /compliance/."""

from django.urls import path

from . import compliance_views as views

urlpatterns = [
    path("", views.compliance_home, name="compliance_home"),
    path(
        "consumers/<int:consumer_id>/ledger/",
        views.consumer_ledger_view,
        name="compliance_ledger",
    ),
    path("refused/", views.refused_report, name="compliance_refused"),
    path("refused/<slug:rule>/", views.refused_rule, name="compliance_refused_rule"),
    path("contact-log.csv", views.contact_log_export, name="compliance_contact_log"),
]
