"""Rate limits against floods and code guessing, kept only in the cache.

The client address is never stored: the cache key is a salted hash of it, and each counter expires after a
short window. A try takes its place in the counter atomically before the work is done (`Limit.take`), so many
tries sent at once cannot all slip under the limit.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.mail import mail_admins
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
        """Add `amount` to the counter in one atomic step (cache add/incr); return the new count."""
        full = self._key(key)
        if cache.add(full, amount, self.window):
            return amount
        try:
            return cache.incr(full, amount)
        except ValueError:  # expired between add and incr
            cache.add(full, amount, self.window)
            return amount

    def take(self, key, amount=1):
        """Reserve `amount` places before doing the work; False (nothing reserved) when that would pass the limit.

        Counting first and checking the new total is what makes parallel tries safe: each one sees the
        count including every try that started before it.
        """
        if self.hit(key, amount) > self.limit:
            self.give_back(key, amount)
            return False
        return True

    def give_back(self, key, amount=1):
        """Return places reserved by `take` for work that turned out not to count (e.g. a right code)."""
        try:
            cache.decr(self._key(key), amount)
        except ValueError:  # the window ended meanwhile: nothing left to give back
            pass


def complaints_per_address():
    return Limit("complaints", settings.INTAKE_COMPLAINTS_PER_HOUR, 3600)


def files_per_address():
    return Limit("files", settings.INTAKE_FILES_PER_HOUR, 3600)


def complaint_key(complaint):
    return _digest("complaint", str(complaint.pk))


def messages_per_complaint():
    return Limit("messages", settings.FOLLOW_UP_MESSAGES_PER_DAY, 24 * 3600)


def retaliation_reports_per_complaint():
    return Limit("retaliation", settings.FOLLOW_UP_RETALIATION_REPORTS_PER_DAY, 24 * 3600)


def follow_up_failures_per_address():
    return Limit("fu-addr", settings.FOLLOW_UP_FAILURES_PER_ADDRESS, settings.FOLLOW_UP_LOCKOUT_SECONDS)


def follow_up_failures_everywhere():
    """Wrong codes from all addresses together. Never refuses anyone (a stranger could then lock everybody
    out); passing it tells the administrators that someone may be guessing codes on a large scale."""
    return Limit("fu-all", settings.FOLLOW_UP_FAILURES_ALERT, settings.FOLLOW_UP_LOCKOUT_SECONDS)


def count_wrong_code_everywhere():
    """Count one wrong code site-wide and e-mail the administrators once per window when the burst passes
    FOLLOW_UP_FAILURES_ALERT."""
    everywhere = follow_up_failures_everywhere()
    if everywhere.hit("all") > everywhere.limit and cache.add("intake:rl:fu-all:alerted", True, everywhere.window):
        minutes = max(1, everywhere.window // 60)
        mail_admins(
            "Many wrong follow-up codes",
            f"More than {everywhere.limit} wrong follow-up codes were entered on the public site in the last "
            f"{minutes} minutes, from many addresses. Someone may be trying to guess codes. Each address is still "
            "limited to FOLLOW_UP_FAILURES_PER_ADDRESS wrong codes, and nobody with the right code is refused. "
            "Guessing a code remains infeasible (docs/follow-up-codes.md); check the web server's traffic for "
            "the source. This alert is sent at most once per window.",
        )
