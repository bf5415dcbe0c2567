from django import forms
from django.contrib import admin

from amicable.identity.admin import ReadOnlyAdmin
from amicable.portfolio.models import (
    Consumer,
    ContactPoint,
    Creditor,
    CreditorUser,
    Debt,
    LedgerEntry,
    Placement,
)


class CreditorAdminForm(forms.ModelForm):
    class Meta:
        model = Creditor
        fields = [
            "code",
            "name",
            "industry",
            "contingency_fee_rate",
            "min_settlement_rate",
            "max_plan_months",
            "allocation_rule",
            "is_active",
        ]

    def clean_code(self):
        """Lower-case before the uniqueness check, so `ACME` is refused when `acme` exists."""
        from amicable.portfolio.services import normalize_creditor_code

        return normalize_creditor_code(self.cleaned_data["code"])


@admin.register(Creditor)
class CreditorAdmin(admin.ModelAdmin):
    form = CreditorAdminForm
    list_display = [
        "code",
        "name",
        "industry",
        "contingency_fee_rate",
        "min_settlement_rate",
        "max_plan_months",
        "is_active",
    ]
    search_fields = ["code", "name"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        """Creditors made or changed here are in the audit trail, like those made with
        `amicable creditor add` or the API (codes are kept lower-case there too)."""
        from amicable.identity.services import record_audit_event
        from amicable.kernel.clock import utc_now

        now = utc_now()
        if obj.created_at is None:
            obj.created_at = now
        super().save_model(request, obj, form, change)
        record_audit_event(
            at=now,
            actor_id=request.user.pk,
            action="creditor.changed" if change else "creditor.created",
            object_type="Creditor",
            object_id=obj.pk,
            details={"fields": sorted(form.changed_data)},
        )


@admin.register(CreditorUser)
class CreditorUserAdmin(admin.ModelAdmin):
    list_display = ["user", "creditor"]


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "creditor",
        "file_name",
        "status",
        "received_at",
        "created",
        "updated",
        "rejected",
    ]
    list_filter = ["status", "creditor"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["debt", "kind", "amount", "effective_on", "recorded_at"]
    list_filter = ["kind"]
    raw_id_fields = ["debt"]


@admin.register(Debt)
class DebtAdmin(ReadOnlyAdmin):
    """Debts change through imports, the desk and the ledger, never by hand."""

    list_display = ["account_number", "creditor", "status", "balance"]
    list_filter = ["creditor", "status"]
    search_fields = ["account_number"]
    list_select_related = ["creditor"]


@admin.register(Consumer)
class ConsumerAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "ssn_last4", "preferred_language"]
    search_fields = ["last_name", "ssn_last4"]
    exclude = ["ssn_encrypted", "ssn_hash"]


@admin.register(ContactPoint)
class ContactPointAdmin(ReadOnlyAdmin):
    list_display = ["consumer", "kind", "value", "status", "consent"]
    raw_id_fields = ["consumer"]
