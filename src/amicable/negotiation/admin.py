from django.contrib import admin

from amicable.identity.admin import ReadOnlyAdmin
from amicable.negotiation.models import ApprovalRequest, Arrangement, HardshipAssessment


@admin.register(Arrangement)
class ArrangementAdmin(ReadOnlyAdmin):
    list_display = ["debt", "kind", "status", "total", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["debt", "consumer"]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ["arrangement", "status", "requested_at", "decided_at"]


@admin.register(HardshipAssessment)
class HardshipAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["consumer", "reason", "disposable_monthly", "created_at"]
    raw_id_fields = ["consumer"]
