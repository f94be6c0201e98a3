"""Rule sets and rules are data an administrator edits (every save asks why).

Referrals and the export log are not in the admin: the liaison's queue shows them, and the administrator's role
is configuration, not case data.
"""

from django.contrib import admin

from complaints.admin import RecordAdmin
from complaints.history import recorded

from . import services
from .models import Rule, RuleSet


class RuleInline(admin.StackedInline):
    model = Rule
    extra = 0
    can_delete = False
    fields = ["code", "kind", "description", "min_suspension_days", "outcomes", "categories", "separation_reasons",
              "requires_notice", "active", "sort_order"]


@admin.register(RuleSet)
class RuleSetAdmin(RecordAdmin):
    list_display = ["state", "name", "effective_from", "effective_until", "due_days"]
    list_filter = ["state"]
    inlines = [RuleInline]

    def save_formset(self, request, form, formset, change):
        with recorded(by=request.user, reason=form.cleaned_data["change_reason"]):
            formset.save()

    def response_post_save_change(self, request, obj):
        _reevaluate(request)
        return super().response_post_save_change(request, obj)

    def response_post_save_add(self, request, obj):
        _reevaluate(request)
        return super().response_post_save_add(request, obj)


@admin.register(Rule)
class RuleAdmin(RecordAdmin):
    list_display = ["code", "rule_set", "kind", "active", "sort_order"]
    list_filter = ["rule_set__state", "kind", "active"]

    def response_post_save_change(self, request, obj):
        _reevaluate(request)
        return super().response_post_save_change(request, obj)

    def response_post_save_add(self, request, obj):
        _reevaluate(request)
        return super().response_post_save_add(request, obj)


def _reevaluate(request):
    # Referrals not yet sent follow the rules as edited; sent ones get a note if the rules now say otherwise.
    touched = services.evaluate_all(event=f"rules edited by {request.user.get_username()}")
    if touched:
        from django.contrib import messages

        messages.info(request, f"{len(touched)} referral(s) re-evaluated against the edited rules.")
