"""Formatting for public pages from our own catalog (Django ships no translations for some of our languages)."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def file_size(size):
    """A file size in the filer's language, e.g. '4.2 MB'."""
    size = int(size or 0)
    if size < 1024:
        return _("%(size)s bytes") % {"size": size}
    if size < 1024**2:
        return _("%(size)s KB") % {"size": number_format(size / 1024, 1)}
    if size < 1024**3:
        return _("%(size)s MB") % {"size": number_format(size / 1024**2, 1)}
    return _("%(size)s GB") % {"size": number_format(size / 1024**3, 1)}


@register.simple_tag
def office():
    """The office's address, phone, TTY, time frames (settings) and follow-up address, for receipts and letters."""
    from django.conf import settings
    from django.urls import reverse

    return {
        "address": settings.OFFICE_ADDRESS, "phone": settings.OFFICE_PHONE, "tty": settings.OFFICE_TTY,
        "first_contact_days": settings.OFFICE_FIRST_CONTACT_DAYS,
        "investigation_days": settings.OFFICE_INVESTIGATION_DAYS,
        "follow_up_url": settings.PUBLIC_SITE_URL.rstrip("/") + reverse("intake:follow_up"),
    }
