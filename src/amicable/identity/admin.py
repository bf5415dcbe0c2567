from django.contrib import admin

from amicable.identity.models import ApiToken, AuditEvent
from amicable.identity.services import revoke_api_token
from amicable.kernel.clock import utc_now


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only tables: visible to administrators, never editable or deletable."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["object_id", "action"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Only the name may be edited: a token stays its user's, and a revoked one stays revoked
    (the action below revokes, with an audit event; a new token is issued with the CLI)."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "token_hash", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    @admin.action(description="Revoke the selected tokens")
    def revoke_selected(self, request, queryset):
        now = utc_now()
        for token_id in queryset.values_list("pk", flat=True):
            revoke_api_token(token_id=token_id, actor_id=request.user.pk, now=now)
        self.message_user(request, f"{queryset.count()} token(s) revoked.")

    def has_add_permission(self, request):
        return False  # issued with `amicable token issue` so the secret is shown once
