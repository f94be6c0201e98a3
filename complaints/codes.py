"""Stored forms of the random secrets we hand out (follow-up codes): HMAC-SHA256 under a server-side key.

A follow-up code carries about 98 random bits, so no slow password hash makes it harder to guess; a slow hash
only made every filing and every sign-in wait (0.8 s of PBKDF2 each). What protects a stolen table is the key,
which is kept outside the database (FOLLOW_UP_CODE_KEY). Codes stored before this change are Django password
hashes (PBKDF2); they are still accepted, and the caller re-stores them as HMAC on first use.
"""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password
from django.utils.crypto import salted_hmac

PREFIX = "hmac_sha256$"
NO_CODE = PREFIX + "0" * 64  # compared against when there is no stored code (a missing reference)


def _key():
    if settings.FOLLOW_UP_CODE_KEY:
        return settings.FOLLOW_UP_CODE_KEY.encode()
    # Without its own key (a local install; production is told by the complaints.E003 check) derive one from
    # SECRET_KEY, so local codes still need a server-side secret.
    return salted_hmac("complaints.codes", "follow-up code key", algorithm="sha256").digest()


def hash_code(code):
    """The stored form of `code` (already normalised)."""
    return PREFIX + hmac.new(_key(), code.encode(), hashlib.sha256).hexdigest()


def is_current(stored):
    return stored.startswith(PREFIX)


def code_matches(code, stored):
    """True when `code` is the one `stored` was made from; compared in constant time, old PBKDF2 hashes too."""
    if not stored:
        hmac.compare_digest(hash_code(code), NO_CODE)  # the same single HMAC whether or not a hash exists
        return False
    if is_current(stored):
        return hmac.compare_digest(hash_code(code).encode(), stored.encode())
    if stored.startswith(PBKDF2PasswordHasher.algorithm + "$"):
        # Named explicitly: the stored hashes are PBKDF2 whatever PASSWORD_HASHERS says today.
        return PBKDF2PasswordHasher().verify(code, stored)
    return check_password(code, stored)
