"""The agency running this system, as printed on packets and case files: from Django settings or the environment."""

import os

from django.conf import settings

DEFAULT_AGENCY_NAME = "Police Department (set AGENCY_NAME)"


def agency_name():
    """The reporting agency's name as printed on documents: settings.AGENCY_NAME, else the AGENCY_NAME variable."""
    return getattr(settings, "AGENCY_NAME", None) or os.environ.get("AGENCY_NAME") or DEFAULT_AGENCY_NAME


def agency_ori():
    """The agency's ORI (FBI originating agency identifier), if configured; the NDI identifies agencies by it."""
    return getattr(settings, "AGENCY_ORI", None) or os.environ.get("AGENCY_ORI", "")
