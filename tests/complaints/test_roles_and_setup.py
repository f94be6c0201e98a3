"""Roles, demo data, staff sign-in and the refusal of unsafe production settings."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from complaints import roles
from complaints.models import Allegation, Complaint, Officer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_role_exists_with_permissions():
    for role in roles.ALL_ROLES:
        group = Group.objects.get(name=role)
        assert group.permissions.exists(), role
    intake = Group.objects.get(name=roles.INTAKE_COORDINATOR)
    assert intake.permissions.filter(codename="triage_complaint").exists()
    assert not Group.objects.get(name=roles.POST_LIAISON).permissions.filter(codename="view_party").exists()
    for group in Group.objects.all():
        assert not group.permissions.filter(codename__startswith="delete_").exists(), group


@pytest.mark.django_db
def test_seed_demo_is_refused_unless_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_seed_demo_creates_a_login_per_role_and_realistic_data(settings, client, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    printed = capsys.readouterr().out
    for role in roles.ALL_ROLES:
        username = "demo-" + role.lower().replace(" ", "-")
        assert username in printed
        # The demo login works through the real pages: password, then the demo authenticator's current code.
        response = client.post("/staff/login/", {"username": username, "password": "demo-password-local-only"})
        assert response.status_code == 302, role
        code = io.StringIO()
        call_command("demo_totp", username, stdout=code)
        response = client.post("/staff/sign-in/verify/", {"code": code.getvalue().strip()})
        assert response.status_code == 302, role
        response = client.get("/staff/")
        assert response.status_code == 200, role
        client.logout()
    assert Officer.objects.values("unit").distinct().count() >= 4
    assert Complaint.objects.values("language").distinct().count() >= 5
    assert Complaint.objects.values("filer_role").distinct().count() == 4
    assert Allegation.objects.filter(officer__isnull=True).exists()
    call_command("seed_demo")  # twice is harmless
    assert Complaint.objects.count() == 8


@pytest.mark.django_db
def test_staff_workspace_needs_a_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def _import_settings(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"], cwd=ROOT, env={**base, **env},
        capture_output=True, text=True,
    )


def test_production_refuses_the_default_secret_key():
    result = _import_settings()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_is_refused_on_a_public_host():
    result = _import_settings(DEBUG="1", DJANGO_ALLOWED_HOSTS="complaints.example.gov")
    assert result.returncode != 0
    assert "DEBUG=1 is only allowed" in result.stderr


def test_a_proper_production_configuration_starts():
    result = _import_settings(DJANGO_SECRET_KEY="production-" + "k3y-" * 12,
                              DJANGO_ALLOWED_HOSTS="complaints.example.gov")
    assert result.returncode == 0, result.stderr
