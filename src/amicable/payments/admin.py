from django.contrib import admin

from amicable.identity.admin import ReadOnlyAdmin
from amicable.payments.models import Payment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "receipt_number",
        "debt",
        "amount",
        "method_type",
        "last4",
        "status",
        "requested_at",
    ]
    list_filter = ["status", "method_type"]
    raw_id_fields = ["debt", "ledger_entry"]
