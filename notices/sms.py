"""Text messages through a pluggable backend (settings.NOTICE_SMS_BACKEND, a dotted path; empty = off).

A backend is a class with `send(phone, text)`. An agency plugs in its provider's (e.g. a small wrapper around
django-anymail or a carrier's HTTP API); `ConsoleBackend` prints and `MemoryBackend` keeps messages for tests.
"""

import sys

from django.conf import settings
from django.utils.module_loading import import_string

outbox = []


def backend():
    """The configured backend, or None when text messages are off."""
    path = getattr(settings, "NOTICE_SMS_BACKEND", "")
    return import_string(path)() if path else None


class ConsoleBackend:
    def send(self, phone, text):
        sys.stdout.write(f"SMS to {phone}: {text}\n")


class MemoryBackend:
    """Keeps each text in `notices.sms.outbox`, like Django's locmem e-mail backend."""

    def send(self, phone, text):
        outbox.append({"to": phone, "text": text})
