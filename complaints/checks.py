"""Start-up checks for configurations that would break the record's promises."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import connections


@register(Tags.security, deploy=True)
def check_production_secrets(app_configs, **kwargs):
    errors = []
    if settings.SECRET_KEY == getattr(settings, "DEVELOPMENT_SECRET_KEY", None) and not settings.DEBUG:
        errors.append(Error("DJANGO_SECRET_KEY is the development default.", id="complaints.E001"))
    if not settings.FOLLOW_UP_CODE_KEY and not settings.DEBUG:
        errors.append(Error(
            "FOLLOW_UP_CODE_KEY is not set: follow-up codes are keyed from DJANGO_SECRET_KEY, so rotating that "
            "key would lock every filer out of their complaint.",
            hint="Set FOLLOW_UP_CODE_KEY to a long random value (e.g. python -c 'import secrets; "
                 "print(secrets.token_hex(32))') and never change it.",
            id="complaints.E003",
        ))
    return errors


@register(Tags.database)
def check_database_vendor(app_configs, **kwargs):
    """Purge guards exist for SQLite and PostgreSQL only; any other database would lose them silently."""
    errors = []
    for alias in connections:
        vendor = connections[alias].vendor
        if vendor not in {"sqlite", "postgresql"}:
            errors.append(
                Error(
                    f"Database '{alias}' is {vendor}; only SQLite and PostgreSQL have purge guards.",
                    id="complaints.E002",
                )
            )
    return errors
