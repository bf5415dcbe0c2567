from django.urls import path

from . import views

urlpatterns = [
    path("approvals/", views.approvals, name="supervisor_approvals"),
    path("approvals/<int:approval_id>/decide/", views.decide, name="supervisor_decide"),
]
