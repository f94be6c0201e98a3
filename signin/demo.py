"""The demo logins' authenticator: one fixed, published key, for local use only (seed_demo refuses without DEBUG)."""

from base64 import b32encode

from django_otp.plugins.otp_totp.models import TOTPDevice

# 20 bytes, in hex as django-otp stores it. Published in the README: it protects nothing.
DEMO_TOTP_KEY = b"demo-authenticator!!".hex()
DEMO_TOTP_SECRET = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()


def enrol_demo_user(user):
    """Give a demo login a confirmed authenticator with the published demo key (once)."""
    TOTPDevice.objects.get_or_create(user=user, name="demo authenticator",
                                     defaults={"key": DEMO_TOTP_KEY, "confirmed": True})
