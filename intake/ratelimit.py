"""Rate limits against floods and code guessing, kept only in the cache.

The client address is never stored: the cache key is a salted hash of it, and each counter expires after a
short window.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac


def _digest(kind, value):
    return salted_hmac(f"intake.ratelimit.{kind}", value, algorithm="sha256").hexdigest()[:32]


def client_address(request):
    header = settings.CLIENT_ADDRESS_HEADER
    if header and request.META.get(header):
        # X-Forwarded-For style lists: the last entry is the one our own proxy added.
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def address_key(request):
    return _digest("address", client_address(request))


def reference_key(reference):
    return _digest("reference", hashlib.sha256(reference.strip().upper().encode()).hexdigest())


class Limit:
    """At most `limit` hits of `name` per key within `window` seconds."""

    def __init__(self, name, limit, window):
        self.name, self.limit, self.window = name, limit, window

    def _key(self, key):
        return f"intake:rl:{self.name}:{key}"

    def count(self, key):
        return cache.get(self._key(key), 0)

    def exceeded(self, key, adding=1):
        return self.count(key) + adding > self.limit

    def hit(self, key, amount=1):
        full = self._key(key)
        if cache.add(full, amount, self.window):
            return amount
        try:
            return cache.incr(full, amount)
        except ValueError:  # expired between add and incr
            cache.add(full, amount, self.window)
            return amount


def complaints_per_address():
    return Limit("complaints", settings.INTAKE_COMPLAINTS_PER_HOUR, 3600)


def files_per_address():
    return Limit("files", settings.INTAKE_FILES_PER_HOUR, 3600)


def follow_up_failures_per_reference():
    return Limit("fu-ref", settings.FOLLOW_UP_FAILURES_PER_REFERENCE, settings.FOLLOW_UP_LOCKOUT_SECONDS)


def follow_up_failures_per_address():
    return Limit("fu-addr", settings.FOLLOW_UP_FAILURES_PER_ADDRESS, settings.FOLLOW_UP_LOCKOUT_SECONDS)
