"""Every staff role needs a second factor: an authenticator app, enrolled at first sign-in, or a recovery code."""

import re
import time

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints import roles

pytestmark = pytest.mark.django_db


def test_password_alone_does_not_open_any_staff_page(password_only_client, sign_in_with_password,
                                                     enrolled_supervisor):
    supervisor, _device = enrolled_supervisor
    response = sign_in_with_password(supervisor.username)
    assert response.status_code == 302
    for address in ["/staff/", "/staff/board/", "/staff/referrals/", "/staff/sign-in/"]:
        response = password_only_client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith("/staff/sign-in/verify/?next="), address


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_every_role_signs_in_with_an_authenticator_code(role, make_user, password_only_client,
                                                        sign_in_with_password, code_for):
    user = make_user(role)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in_with_password(user.username)
    response = password_only_client.post("/staff/sign-in/verify/", {"code": code_for(device), "next": "/staff/"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert password_only_client.get("/staff/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message(password_only_client, sign_in_with_password, enrolled_supervisor,
                                                code_for):
    supervisor, device = enrolled_supervisor
    sign_in_with_password(supervisor.username)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    response = password_only_client.post("/staff/sign-in/verify/", {"code": wrong})
    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    assert password_only_client.get("/staff/").status_code == 302


def test_an_authenticator_code_works_only_once(password_only_client, sign_in_with_password, enrolled_supervisor,
                                               code_for, client):
    supervisor, device = enrolled_supervisor
    code = code_for(device)
    sign_in_with_password(supervisor.username)
    assert password_only_client.post("/staff/sign-in/verify/", {"code": code}).status_code == 302
    password_only_client.post("/staff/logout/")
    sign_in_with_password(supervisor.username)
    assert password_only_client.post("/staff/sign-in/verify/", {"code": code}).status_code == 400


def test_first_sign_in_enrols_an_authenticator_and_shows_recovery_codes_once(
        password_only_client, sign_in_with_password, supervisor, code_for):
    sign_in_with_password(supervisor.username)
    response = password_only_client.get("/staff/")
    assert response["Location"].startswith("/staff/sign-in/enrol/")
    page = password_only_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<img" not in html  # the QR code is drawn here, nothing is fetched elsewhere
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert device.config_url.split("secret=")[1].startswith(secret.replace(" ", ""))

    response = password_only_client.post("/staff/sign-in/enrol/", {"code": code_for(device), "next": "/staff/"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    # Stored only as keyed hashes: no stored token is, or contains, a code.
    stored = set(StaticToken.objects.filter(device__user=supervisor).values_list("token", flat=True))
    assert len(stored) == 10
    assert not any(code.replace("-", "") in token for code in codes for token in stored)
    assert password_only_client.get("/staff/").status_code == 200
    # Shown once: no page shows them again.
    security_page = password_only_client.get("/staff/sign-in/").content.decode()
    assert "Unused recovery codes: 10" in security_page
    assert not any(code in security_page for code in codes)
    assert password_only_client.get("/staff/sign-in/enrol/").status_code == 302


def test_wrong_enrolment_code_leaves_the_authenticator_unconfirmed(password_only_client, sign_in_with_password,
                                                                    supervisor):
    sign_in_with_password(supervisor.username)
    password_only_client.get("/staff/sign-in/enrol/")
    response = password_only_client.post("/staff/sign-in/enrol/", {"code": "12345x"})
    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    assert password_only_client.get("/staff/").status_code == 302


def _enrol(client, code_for, user):
    client.get("/staff/sign-in/enrol/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/staff/sign-in/enrol/", {"code": code_for(device)})
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.content.decode())


def test_each_recovery_code_works_once(password_only_client, sign_in_with_password, supervisor, code_for):
    sign_in_with_password(supervisor.username)
    codes = _enrol(password_only_client, code_for, supervisor)
    password_only_client.post("/staff/logout/")

    sign_in_with_password(supervisor.username)
    response = password_only_client.post("/staff/sign-in/verify/", {"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    page = password_only_client.get("/staff/")
    assert page.status_code == 200
    assert "Recovery codes left: 9" in page.content.decode()
    password_only_client.post("/staff/logout/")

    sign_in_with_password(supervisor.username)
    response = password_only_client.post("/staff/sign-in/verify/", {"code": codes[0]})
    assert response.status_code == 400
    time.sleep(1.1)  # after a wrong code django-otp refuses every code for a second (then 2, 4, 8...)
    assert password_only_client.post("/staff/sign-in/verify/", {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, supervisor):
    client.force_login(supervisor)
    first = re.findall(r"<code>([a-z2-9-]{11})</code>", client.post("/staff/sign-in/recovery-codes/")
                       .content.decode())
    second = re.findall(r"<code>([a-z2-9-]{11})</code>", client.post("/staff/sign-in/recovery-codes/")
                        .content.decode())
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert "Unused recovery codes: 10" in client.get("/staff/sign-in/").content.decode()
    assert StaticToken.objects.filter(device__user=supervisor).count() == 10


def test_the_admin_needs_the_second_factor_too(password_only_client, sign_in_with_password, make_user):
    administrator = make_user(roles.ADMINISTRATOR, is_staff=True)
    TOTPDevice.objects.create(user=administrator, name="phone", confirmed=True)
    sign_in_with_password(administrator.username)
    response = password_only_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/verify/")
    assert password_only_client.get("/admin/auth/user/")["Location"].startswith("/staff/sign-in/verify/")


def test_the_admin_sign_in_page_sends_to_the_staff_sign_in(password_only_client):
    response = password_only_client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=%2Fadmin%2F"


def test_after_the_second_factor_the_administrator_reaches_the_admin(client, make_user):
    administrator = make_user(roles.ADMINISTRATOR, is_staff=True)
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_in_a_row_are_slowed_down(password_only_client, sign_in_with_password, enrolled_supervisor,
                                              code_for):
    supervisor, device = enrolled_supervisor
    sign_in_with_password(supervisor.username)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    assert password_only_client.post("/staff/sign-in/verify/", {"code": wrong}).status_code == 400
    response = password_only_client.post("/staff/sign-in/verify/", {"code": code_for(device)})
    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()
