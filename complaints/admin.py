"""The Django admin, for administrators only: configuration and users. It can never delete anything."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import models
from .history import recorded
from .roles import ADMINISTRATOR, account_roles, role_permissions
from .services import record_role_change

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


ROLE_REASON = forms.CharField(
    label=_("Reason for this change"), max_length=500,
    help_text=_("Kept in the history of role changes, which auditors read."),
)
OWN_ROLES_REFUSED = _("Nobody changes their own roles, permissions or account status; ask another administrator.")
ACCOUNT_FIELDS = ("groups", "user_permissions", "is_active", "is_staff")


class AccountChangeForm(UserChangeForm):
    change_reason = ROLE_REASON

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk == self.acting_user.pk and set(ACCOUNT_FIELDS) & set(self.changed_data):
            raise ValidationError(OWN_ROLES_REFUSED, code="own_roles")
        return cleaned


class AccountCreationForm(UserCreationForm):
    change_reason = ROLE_REASON


class RoleForm(forms.ModelForm):
    change_reason = ROLE_REASON

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.acting_user.groups.filter(pk=self.instance.pk).exists() and (
            "permissions" in self.changed_data
        ):
            raise ValidationError(OWN_ROLES_REFUSED, code="own_roles")
        return cleaned


class RoleChangesKept:
    """Admin mixin: every save of an account or a role keeps what changed, who and why (RoleChange)."""

    snapshot = staticmethod(account_roles)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"acting_user": request.user})

    def save_model(self, request, obj, form, change):
        request._roles_before = self.snapshot(type(obj).objects.get(pk=obj.pk) if change else None)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        subject = {"group": obj} if isinstance(obj, Group) else {"user": obj}
        record_role_change(before=request._roles_before, after=self.snapshot(obj), by=request.user,
                           reason=form.cleaned_data["change_reason"], **subject)


class NoDeleteUserAdmin(RoleChangesKept, UserAdmin):
    """Staff accounts are deactivated, never deleted: history points at them. Superuser status is never set
    here (only `createsuperuser` on the server), and nobody edits their own roles."""

    form = AccountChangeForm
    add_form = AccountCreationForm
    readonly_fields = ["is_superuser", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Roles"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (None, {"fields": ("change_reason",)}),
    ]
    add_fieldsets = [
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2",
                                                  "change_reason")}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False


class NoDeleteGroupAdmin(RoleChangesKept, GroupAdmin):
    form = RoleForm
    fields = ["name", "permissions", "change_reason"]
    snapshot = staticmethod(role_permissions)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    """Role changes, read-only: the list auditors and administrators check for grants of case access."""

    list_display = ["changed_at", "user", "group", "roles_added", "roles_removed", "flags_changed",
                    "grants_case_access", "changed_by", "reason"]
    list_filter = ["grants_case_access"]

    def has_view_permission(self, request, obj=None):
        return _is_administrator(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, NoDeleteUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, NoDeleteGroupAdmin)
