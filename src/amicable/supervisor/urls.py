from django.urls import path

from . import campaigns, views

urlpatterns = [
    path("approvals/", views.approvals, name="supervisor_approvals"),
    path("approvals/<int:approval_id>/decide/", views.decide, name="supervisor_decide"),
    path("campaigns/", campaigns.campaign_list, name="supervisor_campaigns"),
    path(
        "campaigns/figures/", campaigns.campaign_figures_partial, name="supervisor_campaign_figures"
    ),
    path("campaigns/new/", campaigns.campaign_create, name="supervisor_campaign_create"),
    path(
        "campaigns/<int:campaign_id>/status/",
        campaigns.campaign_status,
        name="supervisor_campaign_status",
    ),
]
