"""Production configuration: the documented variables give a clean `check --deploy`; weak secret keys refuse."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The production variables the README documents.
PRODUCTION = {
    "DJANGO_ALLOWED_HOSTS": "complaints.example.gov",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
    "REDIS_URL": "redis://127.0.0.1:6379/7",
    "PUBLIC_SITE_URL": "https://complaints.example.gov",
    # Keys kept outside the database (follow-up codes; signed history chain heads); examples, not real keys.
    "FOLLOW_UP_CODE_KEY": "9c1f0e4b7a2d6e8f3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a",
    "HISTORY_CHAIN_KEY": "3e5a7c9b1d3f5e7a9c1b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e3a5c7b9d1f3e5a",
}


def _run(args, tmp_path, **env):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' Playwright setup, never in production.
    unset = {"DEBUG", "DJANGO_SECRET_KEY", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE", *PRODUCTION}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**base, "VAR_DIR": str(tmp_path), **env},
                          capture_output=True, text=True)


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path,
                  DJANGO_SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_them(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path,
                  DJANGO_SECRET_KEY=secrets.token_urlsafe(50), SECURE_HSTS_SECONDS="31536000")
    assert result.returncode != 0
    for warning in ["security.W005", "security.W021", "security.W008", "intake.W001"]:
        assert warning in result.stderr, warning


@pytest.mark.parametrize("key", [
    secrets.token_urlsafe(30),  # too short
    "abcd" * 20,  # long but only four different characters
    "django-insecure-" + secrets.token_urlsafe(50),  # Django's own placeholder prefix
])
def test_a_weak_secret_key_refuses_to_start(tmp_path, key):
    result = _run(["-c", "import config.settings"], tmp_path, DJANGO_SECRET_KEY=key, **PRODUCTION)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too short or too simple" in result.stderr


def test_a_strong_secret_key_starts(tmp_path):
    result = _run(["-c", "import config.settings"], tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
                  **PRODUCTION)
    assert result.returncode == 0, result.stderr
