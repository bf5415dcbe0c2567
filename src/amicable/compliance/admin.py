"""The ledger and the facts log are visible to administrators, never editable or deletable."""

from django.contrib import admin

from amicable.compliance.models import ComplianceFact, ContactAttempt


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "consumer_id", "channel", "to", "allowed", "rules", "result"]
    list_filter = ["allowed", "channel", "source"]
    raw_id_fields = ["consumer", "contact_point", "actor"]
    show_full_result_count = False


@admin.register(ComplianceFact)
class ComplianceFactAdmin(ReadOnlyAdmin):
    list_display = ["at", "consumer_id", "kind", "ended", "recorded_by"]
    list_filter = ["kind", "ended"]
    raw_id_fields = ["consumer", "contact_point", "recorded_by"]
    show_full_result_count = False
