"""Start-up checks for the notices to filers."""

from django.conf import settings
from django.core.checks import Warning, register
from django.utils.module_loading import import_string

LOCAL = ("http://127.0.0.1", "http://localhost")


@register(deploy=True)
def check_public_site_url(app_configs, **kwargs):
    """Notices and receipts carry the follow-up address: a local one would send filers nowhere."""
    if settings.PUBLIC_SITE_URL.startswith(LOCAL):
        return [Warning("PUBLIC_SITE_URL is a local address; notices and receipts would point filers at it.",
                        id="notices.W001")]
    return []


@register()
def check_sms_backend(app_configs, **kwargs):
    """A mistyped backend would only fail when the first text is sent, after a staff action."""
    if settings.NOTICE_SMS_BACKEND:
        try:
            import_string(settings.NOTICE_SMS_BACKEND)
        except ImportError:
            return [Warning(f"NOTICE_SMS_BACKEND {settings.NOTICE_SMS_BACKEND!r} cannot be imported; "
                            "no text messages will be sent.", id="notices.W002")]
    return []
