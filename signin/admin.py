"""Sign-in records in the admin: read-only lists, with the two things an administrator must be able to do —
lift a lockout and reset a lost authenticator. Like every admin page here, nothing offers delete."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

for _model in (AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class LockoutAdmin(NoDeleteMixin, AccessAttemptAdmin):
    actions = ["lift_lockout"]

    @admin.action(description=_("Lift the lockout of the selected sign-in attempts"))
    def lift_lockout(self, request, queryset):
        # Axes keeps only counters of wrong passwords; lifting a lockout means forgetting them.
        count = queryset.count()
        queryset.delete()
        messages.success(request, _("Lockouts lifted: %(count)s.") % {"count": count})


@admin.register(AccessLog)
class SignInLogAdmin(NoDeleteMixin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class SignInFailureLogAdmin(NoDeleteMixin, AccessFailureLogAdmin):
    pass


@admin.register(TOTPDevice)
class AuthenticatorAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["reset_authenticator"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Reset: the user sets up a new authenticator at their next sign-in"))
    def reset_authenticator(self, request, queryset):
        # A new key, so the lost phone's codes stop working; unconfirmed, so the user enrols again.
        for device in queryset:
            device.key = default_key()
            device.confirmed = False
            device.save(update_fields=["key", "confirmed"])
        messages.success(request, _("Authenticators reset: %(count)s.") % {"count": queryset.count()})
