"""Staff sign-in: user name and password (with lockout), then the second factor, or enrolment in it."""

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from . import devices, sessions
from .forms import CodeForm


class StaffLoginView(auth_views.LoginView):
    template_name = "investigations/login.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.start(self.request)
        return response


def _next(request):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("staff:home")


def _signed_in_with(request, device):
    # A new session key once the second factor is passed, so a key seen before it is worthless.
    request.session.cycle_key()
    otp_login(request, device)


@login_required
def verify(request):
    if request.user.is_verified():
        return redirect(_next(request))
    if not devices.has_authenticator(request.user):
        return redirect(f"{reverse('signin:enrol')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if devices.is_throttled(request.user, form.cleaned_data["code"]):
            form.add_error("code", _("Too many wrong codes. Wait a minute, then try again."))
            status = 429
        else:
            device = devices.verify_second_factor(request.user, form.cleaned_data["code"])
            if device is not None:
                _signed_in_with(request, device)
                if isinstance(device, StaticDevice):
                    messages.warning(request, _(
                        "You used a recovery code; it will not work again. Recovery codes left: %(count)s."
                    ) % {"count": devices.remaining_recovery_codes(request.user)})
                return redirect(_next(request))
            form.add_error("code", _("This code is not right. Check the time on your phone and try a new code."))
            status = 400
    return render(request, "signin/verify.html", {"form": form, "next": _next(request)}, status=status)


@login_required
def enrol(request):
    if devices.has_authenticator(request.user):
        return redirect(f"{reverse('signin:verify')}?{request.GET.urlencode()}")
    device = devices.pending_authenticator(request.user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("code", _("Too many wrong codes. Wait a minute, then try again."))
            status = 429
        elif (confirmed := devices.confirm_authenticator(device, form.cleaned_data["code"])) is not None:
            _signed_in_with(request, confirmed)
            codes = devices.issue_recovery_codes(request.user)
            return render(request, "signin/recovery_codes.html", {"codes": codes, "next": _next(request)})
        else:
            form.add_error("code", _("This code is not right. Check the time on your phone and try a new code."))
            status = 400
    qr = segno.make(device.config_url, error="m")
    return render(request, "signin/enrol.html", {
        "form": form,
        "next": _next(request),
        "qr_svg": qr.svg_inline(scale=5, dark="#000", light="#fff", title=_("QR code for your authenticator app")),
        "secret": devices.secret_for_display(device),
    }, status=status)


@require_POST
@login_required
def new_recovery_codes(request):
    """Replace the recovery codes (the middleware has already required the second factor)."""
    codes = devices.issue_recovery_codes(request.user)
    return render(request, "signin/recovery_codes.html", {"codes": codes, "next": reverse("staff:home")})


@login_required
def security(request):
    return render(request, "signin/security.html", {
        "remaining": devices.remaining_recovery_codes(request.user),
    })


def locked_out(request, original_response=None, credentials=None):
    """The translated page axes shows once a user name has too many wrong passwords from this address."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "signin/locked_out.html", {"minutes": minutes}, status=429)
