"""With REDIS_URL set, the rate-limit cache is shared by every app process (Redis runs on 127.0.0.1:6379)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import django, os, sys
os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'
django.setup()
from django.core.cache import cache
from django.core.checks import run_checks
key = sys.argv[1]
if sys.argv[2] == 'write':
    cache.set(key, 'seen by the first process', 60)
else:
    print(cache.get(key))
    print([m.id for m in run_checks(include_deployment_checks=True) if m.id == 'intake.W001'])
"""


def run(*args):
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/15", "DJANGO_SECRET_KEY": "shared-cache-" + "k3y-" * 12}
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True).stdout


def test_two_app_processes_share_the_rate_limit_cache_through_redis():
    key = f"test-{uuid.uuid4().hex}"
    run(key, "write")
    value, warnings = run(key, "read").splitlines()
    assert value == "seen by the first process"
    assert warnings == "[]"
