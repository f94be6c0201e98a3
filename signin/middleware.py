"""Every staff and admin page needs a signed-in user who has passed the second factor, in a live session."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import devices, sessions

PROTECTED_PREFIXES = ("/staff/", "/admin/")


def _redirect(name, next_path):
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': next_path})}")


class StaffSignInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        protected = path.startswith(PROTECTED_PREFIXES)
        if request.user.is_authenticated:
            if sessions.has_expired(request):
                logout(request)
                if protected:
                    messages.info(request, _("Your session has ended. Please sign in again."))
                    return _redirect("staff:login", request.get_full_path())
            else:
                sessions.touch(request)
        if not protected:
            return self.get_response(request)
        if path == reverse("admin:login"):
            # One sign-in page for everyone: ours has the lockout and the second factor.
            return _redirect("staff:login", request.GET.get("next") or reverse("admin:index"))
        if request.user.is_authenticated and not request.user.is_verified() and not self._exempt(path):
            if devices.has_authenticator(request.user):
                return _redirect("signin:verify", request.get_full_path())
            return _redirect("signin:enrol", request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _exempt(path):
        return path in {reverse(name) for name in ("staff:login", "staff:logout", "signin:verify", "signin:enrol")}
