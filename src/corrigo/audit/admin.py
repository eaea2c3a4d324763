"""The Django admin shows the site log read-only: no one edits history, not even staff."""

from django.contrib import admin

from corrigo.audit.models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "site", "message")
    list_filter = ("verb", "site")
    search_fields = ("message", "actor_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
