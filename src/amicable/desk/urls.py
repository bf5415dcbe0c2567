from django.urls import path

from . import dialer_views, views

urlpatterns = [
    path("", views.home, name="desk_home"),
    path("status/", views.set_status, name="desk_status"),
    path("next/", views.next_account, name="desk_next"),
    path("dialer/", dialer_views.dialer_status, name="desk_dialer_status"),
    path("dialer/join/<int:campaign_id>/", dialer_views.join, name="desk_dialer_join"),
    path("dialer/leave/", dialer_views.leave, name="desk_dialer_leave"),
    path("softphone/", dialer_views.softphone, name="desk_softphone"),
    path("softphone/token/", dialer_views.softphone_token, name="desk_softphone_token"),
    path("open/<int:consumer_id>/", views.open_account, name="desk_open"),
    path("calls/<int:session_id>/", views.session_view, name="desk_session"),
    path("calls/<int:session_id>/call/", views.place_call, name="desk_call"),
    path("calls/<int:session_id>/verify/", views.verify, name="desk_verify"),
    path("calls/<int:session_id>/wrong-party/", views.wrong_party, name="desk_wrong_party"),
    path("calls/<int:session_id>/disclosure/", views.disclosure, name="desk_disclosure"),
    path("calls/<int:session_id>/hardship/", views.hardship, name="desk_hardship"),
    path("calls/<int:session_id>/arrangement/", views.arrangement, name="desk_arrangement"),
    path("calls/<int:session_id>/counter/", views.take_counter, name="desk_take_counter"),
    path("calls/<int:session_id>/payment/", views.payment, name="desk_payment"),
    path("calls/<int:session_id>/receipts/<int:payment_id>/", views.receipt, name="desk_receipt"),
    path("calls/<int:session_id>/callback/", views.callback, name="desk_callback"),
    path("calls/<int:session_id>/note/", views.note, name="desk_note"),
    path("calls/<int:session_id>/outcome/", views.dispose, name="desk_dispose"),
]
