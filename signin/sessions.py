"""Staff session limits: idle time-out and a working-day maximum, both from settings."""

import time

from django.conf import settings

STARTED = "signin_started_at"
SEEN = "signin_seen_at"
# Writing the session on every request would cost a database write per page; a minute's precision is enough.
_TOUCH_EVERY = 60


def start(request):
    now = time.time()
    request.session[STARTED] = now
    request.session[SEEN] = now
    request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)


def has_expired(request):
    """True when the signed-in session has been idle too long or is older than the working-day limit."""
    started, seen = request.session.get(STARTED), request.session.get(SEEN)
    if started is None or seen is None:
        # Signed in some other way (e.g. a session from before these limits): the clock starts now.
        start(request)
        return False
    now = time.time()
    return now - seen > settings.STAFF_SESSION_IDLE_SECONDS or now - started > settings.STAFF_SESSION_MAX_SECONDS


def touch(request):
    now = time.time()
    if now - request.session.get(SEEN, 0) >= _TOUCH_EVERY:
        request.session[SEEN] = now
        request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
