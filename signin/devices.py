"""Second-factor devices of a staff member: an authenticator app (TOTP) and one-time recovery codes.

Recovery codes live in django-otp's static device, but only as a keyed hash (HMAC with SECRET_KEY, cut to the
16 characters its token column holds): a copy of the database does not give anyone a working code.
"""

import re
import secrets
from base64 import b32encode

from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def normalise(code):
    """Codes are accepted with or without spaces, dashes and capitals."""
    return re.sub(r"[\s-]", "", code or "").lower()


def hash_recovery_code(code):
    return salted_hmac("signin.recovery_code", normalise(code), algorithm="sha256").hexdigest()[:16]


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user):
    """The not yet confirmed authenticator the user is enrolling (made on first visit, reused after)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)


def secret_for_display(device):
    """The key in base32, in groups of four, for typing into an authenticator app by hand."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def confirm_authenticator(device, token):
    """Confirm an enrolling authenticator with a first code from it; False if the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(normalise(token)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def issue_recovery_codes(user):
    """New recovery codes for the user, replacing any earlier ones; returned once, stored only hashed."""
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery codes",
                                                       defaults={"confirmed": True})
        # Used-up and replaced codes are credentials, not records: they must stop working.
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=hash_recovery_code(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def remaining_recovery_codes(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _device_class_for(token):
    # Six digits go to the authenticator, anything else to the recovery codes, so a recovery code never counts as
    # a wrong authenticator code (each device slows down after wrong codes).
    return TOTPDevice if re.fullmatch(r"\d{6}", token) else StaticDevice


def verify_second_factor(user, token):
    """The device that accepts this code (an authenticator code or an unused recovery code), or None."""
    token = normalise(token)
    if not token:
        return None
    device_class = _device_class_for(token)
    if device_class is StaticDevice:
        token = hash_recovery_code(token)
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, device_class) and device.verify_token(token):
                return device
    return None


def is_throttled(user, token):
    """True while the devices this code is meant for refuse codes because of recent wrong ones."""
    device_class = _device_class_for(normalise(token))
    return any(not device.verify_is_allowed()[0] for device in devices_for_user(user, confirmed=True)
               if isinstance(device, device_class))
