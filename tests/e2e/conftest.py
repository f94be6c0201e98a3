"""A real server and a real Chromium (Debian's, driven by Playwright; never a downloaded browser).

The server runs as its own process on its own fresh database (a temporary SQLite file, or a new PostgreSQL
database when the suite runs on PostgreSQL), which is dropped whole afterwards: no row is ever deleted, so
the purge guards stay on and no test-only switch exists.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveApp:
    def __init__(self, url, env):
        self.url = url
        self.env = env

    def mails(self):
        """Every e-mail the server sent so far, as the raw text of each message, oldest first."""
        folder = Path(self.env["EMAIL_FILE_PATH"])
        if not folder.exists():
            return []
        texts = []
        for path in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime):
            texts += [m for m in path.read_text(encoding="utf-8").split("-" * 79 + "\n") if m.strip()]
        return texts

    def manage(self, *args):
        """Run a management command against the live server's database; returns stdout."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            check=True,
        )
        return result.stdout


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("live-var")
    db = settings.DATABASES["default"]
    pg_name = None
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        pg_name = f"e2e_{uuid.uuid4().hex[:12]}"
        admin_dsn = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{pg_name}"
    else:
        database_url = f"sqlite:///{var_dir / 'live.sqlite3'}"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "DJANGO_SECRET_KEY": "e2e-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HTTPS": "0",
        # Every e2e test files from 127.0.0.1 on this one server: the hourly limit per address (10) would refuse
        # the later ones. The limits themselves are tested in tests/intake.
        "INTAKE_COMPLAINTS_PER_HOUR": "1000",
        # E-mails are written as files here (LiveApp.mails), where a test can read what a person was sent.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(var_dir / "mail"),
        "DEBUG": "",
    }
    env.pop("DEBUG")
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/staff/login/", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("live server did not start: " + server.stderr.read().decode()[-2000:]) from None
            time.sleep(0.3)
    try:
        yield LiveApp(url, env)
    finally:
        server.terminate()
        server.wait(timeout=20)
        if pg_name:
            with psycopg.connect(admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{pg_name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is required (scripts/setup --test installs it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(accept_downloads=True, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def staff_login(live_app):
    """Make a staff login with a role and an enrolled authenticator; returns a function that signs a page in."""
    import secrets

    from django_otp.oath import totp

    def make(username, role, password="e2e-long-password-123"):
        key = secrets.token_hex(20)
        live_app.manage("shell", "-c", (
            "from django.contrib.auth.models import User, Group;"
            "from django_otp.plugins.otp_totp.models import TOTPDevice;"
            f"u = User.objects.create_user({username!r}, password={password!r});"
            f"u.groups.add(Group.objects.get(name={role!r}));"
            f"TOTPDevice.objects.create(user=u, name='phone', key={key!r}, confirmed=True)"
        ))

        def sign_in(page, next_path="/staff/"):
            page.goto(live_app.url + next_path)
            page.get_by_label("User name").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_label("Code").fill(f"{totp(bytes.fromhex(key)):06d}")
            page.get_by_role("button", name="Continue").click()
            page.wait_for_url(live_app.url + next_path)

        return sign_in

    return make


def axe_violations(page):
    """WCAG 2.0/2.1 A and AA violations axe-core finds on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                              "wcag21aa"]}})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {v['nodes'][0]['html'][:120]})"
        for v in results.response["violations"]
    ]


def wait_until(page, expression, timeout=30000):
    """Poll a JavaScript expression until it is true. Playwright's wait_for_function evaluates its string inside
    the page, which our Content-Security-Policy (script-src 'self', no eval) rightly refuses; evaluate() does not."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} ms: {expression}")
        time.sleep(0.1)
