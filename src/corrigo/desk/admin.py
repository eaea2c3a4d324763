"""The Django admin shows the case audit log read-only: no one edits history, not even staff."""

from django.contrib import admin

from corrigo.reports.models import CaseEvent


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "case", "actor_name", "action", "before", "after")
    list_filter = ("action",)
    search_fields = ("actor_name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
