from django.contrib import admin

from amicable.communications.models import ScriptTemplate


@admin.register(ScriptTemplate)
class ScriptTemplateAdmin(admin.ModelAdmin):
    list_display = ["step", "language", "updated_at"]
    list_filter = ["language", "step"]
