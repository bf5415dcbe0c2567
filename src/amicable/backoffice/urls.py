from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", views.account_search, name="account_search"),
    path("accounts/<int:consumer_id>/", views.account_detail, name="account_detail"),
    path("imports/", views.placement_list, name="placement_list"),
    path("imports/<int:placement_id>/", views.placement_detail, name="placement_detail"),
    path("imports/<int:placement_id>/errors.csv", views.placement_errors, name="placement_errors"),
]
