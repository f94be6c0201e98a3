"""The Django admin, for administrators only: configuration and users. It can never delete anything."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from simple_history.admin import SimpleHistoryAdmin

from . import models
from .history import recorded
from .roles import ADMINISTRATOR

admin.site.disable_action("delete_selected")
admin.site.site_header = "Complaint tracker administration"


def _is_administrator(request):
    user = request.user
    return user.is_active and user.is_staff and (
        user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists()
    )


admin.site.has_permission = _is_administrator


class ReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for this change", max_length=500, help_text="Kept in the record's history."
    )


class RecordAdmin(SimpleHistoryAdmin):
    """Admin for a record: every save asks why, nothing can be deleted."""

    form = ReasonForm

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        with recorded(by=request.user, reason=form.cleaned_data["change_reason"]):
            obj.save()

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "change_reason" in fields:
            fields.remove("change_reason")
        return fields + ["change_reason"]


@admin.register(models.Category)
class CategoryAdmin(RecordAdmin):
    list_display = ["code", "public_label", "agency_code", "active"]


@admin.register(models.Disposition)
class DispositionAdmin(RecordAdmin):
    list_display = ["code", "public_label", "is_sustained", "active"]


@admin.register(models.Unit)
class UnitAdmin(RecordAdmin):
    list_display = ["code", "name", "parent"]


@admin.register(models.Officer)
class OfficerAdmin(RecordAdmin):
    list_display = ["last_name", "first_name", "star_number", "rank", "unit", "employment_status"]
    search_fields = ["last_name", "first_name", "star_number", "employee_id"]
    list_filter = ["employment_status", "unit"]


class NoDeleteUserAdmin(UserAdmin):
    """Staff accounts are deactivated, never deleted: history points at them."""

    def has_delete_permission(self, request, obj=None):
        return False


class NoDeleteGroupAdmin(GroupAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, NoDeleteUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, NoDeleteGroupAdmin)
