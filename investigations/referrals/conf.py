"""Settings of the referral module, read from Django settings or the environment, with safe local defaults."""

import os

from django.conf import settings

DEFAULT_AGENCY_NAME = "Police Department (set AGENCY_NAME)"


def agency_name():
    """The reporting agency's name as printed on packets: settings.AGENCY_NAME, else the AGENCY_NAME variable."""
    return getattr(settings, "AGENCY_NAME", None) or os.environ.get("AGENCY_NAME") or DEFAULT_AGENCY_NAME


def agency_ori():
    """The agency's ORI (FBI originating agency identifier), if configured; the NDI identifies agencies by it."""
    return getattr(settings, "AGENCY_ORI", None) or os.environ.get("AGENCY_ORI", "")


def referral_state():
    """Whose rules apply: the postal code of the agency's state (POST_REFERRAL_STATE, Illinois by default)."""
    return getattr(settings, "POST_REFERRAL_STATE", None) or os.environ.get("POST_REFERRAL_STATE") or "IL"
