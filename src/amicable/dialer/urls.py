from django.urls import path

from . import views

urlpatterns = [
    path("twilio/status/", views.twilio_status, name="dialer_twilio_status"),
]
