"""One filing per press: every form carries a one-time token, and a token files at most one complaint.

A double click, or going back and sending the same form again, brings back the first filing instead of a new
one. Going Back often reloads the form with a new token while the browser restores what was typed, so the same
browser session sending the same account again within SHOW_CODE_AGAIN_SECONDS counts as the same press too (the
account is remembered only as a keyed hash).

The browser that filed sees the first receipt again, code included, for a short while: the code is kept in the
cache only sealed with a key from that browser's session (never in plain text), so neither the cache alone nor
anyone else who sends the same token can read it. After SHOW_CODE_AGAIN_SECONDS (someone else at a shared
computer pressing Back later), only the reference number is shown.
"""

import hashlib
import hmac
import secrets
import time

from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

SESSION_KEY = "intake_form_key"
KEEP_SECONDS = 24 * 3600
SHOW_CODE_AGAIN_SECONDS = 15 * 60
# A second press usually arrives while the first is still being saved: wait for it rather than answer "unknown".
WAIT_SECONDS = 30
PENDING = "pending"


def new_token(request):
    """A fresh token for a form page; makes sure this browser's session has its sealing key."""
    if SESSION_KEY not in request.session:
        request.session[SESSION_KEY] = secrets.token_hex(32)
    return secrets.token_urlsafe(16)


def _cache_key(token):
    return "intake:filed:" + salted_hmac("intake.submission", token, algorithm="sha256").hexdigest()[:40]


def _mac(request, token, purpose, data=b""):
    secret = request.session.get(SESSION_KEY)
    if not secret:
        return None
    return hmac.new(bytes.fromhex(secret), f"{purpose}:{token}:".encode() + data, hashlib.sha256).digest()


def reserve(token):
    """Claim `token` for one filing, atomically; False when another request already claimed it."""
    return cache.add(_cache_key(token), {"state": PENDING}, KEEP_SECONDS)


def release(token):
    """Give the token back when the filing failed, so pressing Send again can file it."""
    cache.delete(_cache_key(token))


def _content_key(request, narrative):
    digest = _mac(request, "", "content", " ".join(narrative.split()).encode())
    return "intake:filed-content:" + digest.hex()[:40] if digest else None


def record(request, token, reference, code, narrative):
    """Remember that `token` (and this session's `narrative`) filed `reference`, with `code` sealed for this
    browser's session only."""
    content_key = _content_key(request, narrative)
    if content_key:
        cache.set(content_key, token, SHOW_CODE_AGAIN_SECONDS)
    cache.set(_cache_key(token), {"state": "filed", "reference": reference, "at": time.time()}, KEEP_SECONDS)
    pad = _mac(request, token, "pad")
    if pad is not None and len(code.encode()) <= len(pad):
        raw = code.encode()
        # Sealed (a one-time pad from the session's key and this token), and gone from the cache after the window.
        sealed = {"sealed": bytes(a ^ b for a, b in zip(raw, pad, strict=False)).hex(),
                  "tag": _mac(request, token, "tag", raw).hex()}
        cache.set(_sealed_key(token), sealed, SHOW_CODE_AGAIN_SECONDS)


def _sealed_key(token):
    return _cache_key(token) + ":code"


class EarlierFiling:
    """What a repeated token brings back: the reference (None while the first press is still being saved) and
    the code, only for the same browser session and only within SHOW_CODE_AGAIN_SECONDS."""

    def __init__(self, reference=None, code=None):
        self.reference, self.code = reference, code


def earlier_filing(request, token, narrative=""):
    """The filing `token`, or this session's same `narrative` a moment ago, already made; None if none."""
    if token and cache.get(_cache_key(token)) is None and narrative:
        content_key = _content_key(request, narrative)
        token = (cache.get(content_key) if content_key else None) or token
    if not token:
        return None
    key = _cache_key(token)
    entry = cache.get(key)
    deadline = time.monotonic() + WAIT_SECONDS
    while entry is not None and entry["state"] == PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        entry = cache.get(key)
    if entry is None:
        return None
    if entry["state"] == PENDING:
        return EarlierFiling()
    return EarlierFiling(entry["reference"], _unsealed_code(request, token, entry))


def _unsealed_code(request, token, entry):
    sealed = cache.get(_sealed_key(token))
    if sealed is None or time.time() - entry["at"] > SHOW_CODE_AGAIN_SECONDS:
        return None
    pad = _mac(request, token, "pad")
    if pad is None:
        return None
    entry = sealed
    raw = bytes(a ^ b for a, b in zip(bytes.fromhex(entry["sealed"]), pad, strict=False))
    if not constant_time_compare(_mac(request, token, "tag", raw).hex(), entry["tag"]):
        return None  # another browser sent this token: it does not get the code
    return raw.decode()
