"""Compliance endpoints (to be filled): scenario check, explain, eligibility."""

from ninja import Router

router = Router(tags=["compliance"])
