"""Administrator configuration of the workflow: deadline targets, and a read of the imported encounter log."""

from django.contrib import admin

from complaints.admin import RecordAdmin

from .models import DeadlinePolicy, EncounterLog


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(RecordAdmin):
    list_display = ["phase", "target_days"]


@admin.register(EncounterLog)
class EncounterLogAdmin(RecordAdmin):
    list_display = ["source_id", "kind", "occurred_at", "officer", "subject_name"]
    search_fields = ["source_id", "subject_name", "officer_star"]

    def has_change_permission(self, request, obj=None):
        # Imported records are the agency's; they are corrected by a new import, not edited here.
        return False
