"""The compliance officer's screens (to be filled)."""

urlpatterns: list = []
