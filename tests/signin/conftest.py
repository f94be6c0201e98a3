import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints import roles

PASSWORD = "a-long-test-password"


def current_code(device):
    """The code an authenticator app with this device's key shows now."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def code_for():
    return current_code


@pytest.fixture
def supervisor(make_user):
    return make_user(roles.SUPERVISOR, username="sam-supervisor")


@pytest.fixture
def enrolled_supervisor(supervisor):
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    return supervisor, device


@pytest.fixture
def sign_in_with_password(password_only_client):
    """Post the sign-in form; the client is then half signed in (password only)."""

    def sign_in(username, password=PASSWORD, **extra):
        return password_only_client.post("/staff/login/", {"username": username, "password": password}, **extra)

    return sign_in
