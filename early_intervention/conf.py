"""Early-intervention settings, read from the environment (safe defaults for a local install)."""

import os

from django.conf import settings


def _number(name, default, kind=int):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return kind(value)


def answer_days():
    """Days a supervisor has to answer a new alert before it is flagged overdue on the board."""
    return _number("EI_ALERT_ANSWER_DAYS", 14)


def unit_flagged_warning_share():
    """Share of a unit's officers flagged above which the dashboard warns that thresholds may be too low."""
    return _number("EI_UNIT_FLAGGED_WARNING_SHARE", 0.25, float)


def evaluate_in_background():
    """Evaluate after a change in a background job (the default) rather than in the action's own transaction."""
    value = getattr(settings, "EI_EVALUATE_IN_BACKGROUND", None)
    if value is None:
        value = os.environ.get("EI_EVALUATE_IN_BACKGROUND", "1").strip().lower() not in ("0", "false", "no", "off")
    return bool(value)
