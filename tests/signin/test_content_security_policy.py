"""Every page is served with a Content-Security-Policy, and no page carries inline script or inline style."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints import roles
from tests.investigations.test_permission_matrix import ALL, EXPECTATIONS, OK, World

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline <script>, on* handlers, style attributes, un-nonced <style>."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce, self.found = nonce, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # A JSON data block (type="application/json") is never executed, so a CSP has nothing to block there.
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append("inline <script>")
        if tag == "style" and attrs.get("nonce") != self.nonce:
            self.found.append("<style> without this response's nonce")
        self.found += [f"{tag} {name}=" for name in attrs if name.startswith("on") or name == "style"]


def inline_code(response):
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0] if "'nonce-" in policy else None
    parser = InlineCode(nonce)
    parser.feed(response.content.decode())
    return parser.found


def _assert_clean(response, address):
    assert "Content-Security-Policy" in response, address
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert inline_code(response) == [], address


def test_staff_pages_of_the_permission_matrix_have_no_inline_code(client, team, roster, make_user,
                                                                  complaint_with_everything, file_case):
    world = World(team, roster, make_user, complaint_with_everything, file_case)
    checked = 0
    for name, probes in EXPECTATIONS.items():
        for probe in probes:
            if probe.method != "get":
                continue
            address = reverse(name, args=[world.resolve(a) for a in probe.args]) + probe.query
            for role in ALL:
                if probe.status_for(role) != OK:
                    continue
                client.force_login(team[role])
                response = client.get(address)
                assert response.status_code == OK, (address, role)
                if response["Content-Type"].startswith("text/html"):
                    _assert_clean(response, address)
                    checked += 1
    assert checked > 20


def test_public_pages_have_no_inline_code(client):
    for address in ["/en/", "/en/file/", "/en/follow-up/", "/ar/file/", "/en/no-such-page/"]:
        response = client.get(address)
        assert response.status_code in (200, 404), address
        _assert_clean(response, address)


def test_sign_in_pages_have_no_inline_code(password_only_client, make_user, settings):
    user = make_user(roles.SUPERVISOR)
    _assert_clean(password_only_client.get("/staff/login/"), "login")
    password_only_client.force_login(user)
    _assert_clean(password_only_client.get("/staff/sign-in/enrol/"), "enrol")
    TOTPDevice.objects.filter(user=user).update(confirmed=True)
    _assert_clean(password_only_client.get("/staff/sign-in/verify/"), "verify")
    password_only_client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = password_only_client.post("/staff/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 429
    _assert_clean(response, "lockout")


def test_the_filing_form_script_is_a_static_file_with_its_settings_in_data_attributes(client):
    html = client.get("/en/file/").content.decode()
    assert 'src="/static/intake/form-enhancements.js"' in html
    assert 'data-max-size="' in html and 'data-too-large="This file is too large:"' in html


def test_admin_pages_have_no_inline_code(client, make_user):
    administrator = make_user(roles.ADMINISTRATOR, is_staff=True)
    client.force_login(administrator)
    for address in ["/admin/", "/admin/auth/user/", f"/admin/auth/user/{administrator.pk}/change/",
                    "/admin/otp_totp/totpdevice/", "/admin/axes/accessattempt/"]:
        response = client.get(address)
        assert response.status_code == 200, address
        _assert_clean(response, address)
