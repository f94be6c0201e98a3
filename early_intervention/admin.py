"""Rules and event types are data an administrator adds (every save asks why).

A rule is never edited in place: a change is a new version with its own effective date, so every alert keeps
naming the version that raised it. Alerts, events and interventions are not in the admin: they are answered on
the early-intervention pages.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaints.admin import RecordAdmin

from .models import EventType, Rule


@admin.register(Rule)
class RuleAdmin(RecordAdmin):
    list_display = ["code", "version", "kind", "name", "assignment_type", "unit", "threshold_count",
                    "percentile", "window_days", "effective_from", "retired"]
    list_filter = ["kind", "assignment_type", "retired"]
    search_fields = ["code", "name"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "notes" in form.base_fields:
            form.base_fields["notes"].help_text = _(
                "The seeded rules are starting points to calibrate, not findings: check how many officers each "
                "would flag in your own data before relying on it. To change a rule, add a new version (same code, "
                "next version number, a new effective date); the old version stays for the alerts it raised.")
        return form

    def has_change_permission(self, request, obj=None):
        # Versions are never edited: an alert must keep naming exactly the rule that raised it.
        return obj is None and super().has_change_permission(request, obj)


@admin.register(EventType)
class EventTypeAdmin(RecordAdmin):
    list_display = ["code", "label", "active"]
