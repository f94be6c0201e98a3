"""Settings of the referral module, read from Django settings or the environment, with safe local defaults."""

import os

from django.conf import settings


def referral_state():
    """Whose rules apply: the postal code of the agency's state (POST_REFERRAL_STATE, Illinois by default)."""
    return getattr(settings, "POST_REFERRAL_STATE", None) or os.environ.get("POST_REFERRAL_STATE") or "IL"


def coming_due_days():
    """How far ahead the liaison's "coming due" list looks (POST_REFERRAL_COMING_DUE_DAYS, 30 days by default)."""
    return int(getattr(settings, "POST_REFERRAL_COMING_DUE_DAYS", None)
               or os.environ.get("POST_REFERRAL_COMING_DUE_DAYS") or 30)
