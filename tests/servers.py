"""Real services the tests start for themselves on private sockets and ephemeral ports: clamd with a signature
database made by sigtool from a test file, moto's S3 server, gunicorn; and phone-like media made by ffmpeg."""

import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what, timeout=60, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {timeout}s")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def make_media(path, *args):
    """Write `path` with ffmpeg from lavfi test sources (`args` are ffmpeg arguments between input and output)."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args, str(path)], check=True)
    return path


def hevc_mov(path, seconds=2):
    """An iPhone-like HEVC .mov with AAC sound, a location and a device model."""
    return make_media(
        path, "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={seconds}", "-f", "lavfi", "-i",
        f"sine=duration={seconds}", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
        "-pix_fmt", "yuv420p", "-tag:v", "hvc1", "-c:a", "aac", "-movflags", "use_metadata_tags",
        "-metadata", "com.apple.quicktime.location.ISO6709=+40.7128-074.0060+010.000/",
        "-metadata", "com.apple.quicktime.make=Apple", "-metadata", "com.apple.quicktime.model=iPhone 15",
        "-metadata", "creation_time=2026-11-01T20:15:00Z")


def h264_mp4(path, seconds=1):
    """A browser-playable H.264/AAC MP4 (needs no playable copy)."""
    return make_media(
        path, "-f", "lavfi", "-i", f"testsrc=size=176x144:rate=10:duration={seconds}", "-f", "lavfi", "-i",
        f"sine=duration={seconds}", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest")


class Clamd:
    """clamd on a private Unix socket, loading only the signatures in `db_dir`."""

    def __init__(self, workdir, infected_file):
        self.dir = Path(workdir)
        db = self.dir / "db"
        db.mkdir(parents=True)
        # sigtool --md5 writes a hash signature (md5:size:name) of the whole file: that file, and only it, is found.
        signature = subprocess.run(["sigtool", "--md5", str(infected_file)], capture_output=True, text=True,
                                   check=True).stdout
        (db / "complaints-test.hdb").write_text(signature)
        self.socket = self.dir / "clamd.sock"
        config = self.dir / "clamd.conf"
        config.write_text(
            f"LocalSocket {self.socket}\nDatabaseDirectory {db}\nForeground yes\nLogFile {self.dir / 'clamd.log'}\n"
            "StreamMaxLength 2100M\nMaxFileSize 2100M\nMaxScanSize 2100M\n")  # as docs/deploy.md: 2 GiB evidence
        self.process = subprocess.Popen(["clamd", "-c", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)
        wait_for(self.ping, "clamd", process=self.process)

    def ping(self):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.socket))
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")

    def stop(self):
        stop(self.process)


class MotoServer:
    """moto's S3-compatible server (moto[server]) on an ephemeral port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._up, "moto_server", process=self.process)

    def _up(self):
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/moto-api/") as response:
            return response.status == 200

    def stop(self):
        stop(self.process)


class ProductionStack:
    """The production processes on a fresh database of their own: migrate, collectstatic, gunicorn
    (config/gunicorn.conf.py) on an ephemeral port, and a Celery worker on the filesystem broker, scanning with
    `clamd`. The database is a new SQLite file, or a new PostgreSQL database when the suite runs on PostgreSQL
    (dropped whole afterwards: no row is ever deleted)."""

    def __init__(self, workdir, clamd, extra_env=None):
        import os
        import uuid

        from django.conf import settings

        self.dir = Path(workdir)
        db = settings.DATABASES["default"]
        self.pg_name = None
        if db["ENGINE"].endswith("postgresql"):
            import psycopg

            self.pg_name = f"stack_{uuid.uuid4().hex[:12]}"
            self.admin_dsn = (f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} "
                              "dbname=postgres")
            with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{self.pg_name}"
        else:
            database_url = f"sqlite:///{self.dir / 'stack.sqlite3'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "EVIDENCE_", "CLAMD_"))},
            "DATABASE_URL": database_url, "VAR_DIR": str(self.dir),
            "DJANGO_SECRET_KEY": "stack-" + uuid.uuid4().hex * 2,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "HTTPS": "0", "STATIC_MANIFEST": "1",
            "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4",
            "EVIDENCE_SCAN": "clamd", "CLAMD_SOCKET": str(clamd.socket), "EVIDENCE_TRANSCODE_PRESET": "ultrafast",
            **(extra_env or {}),
        }
        self.env.pop("DEBUG", None)
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("collectstatic", "--no-input", "-v", "0")
        self.web = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "config/gunicorn.conf.py"],
                                    cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                    stderr=open(self.dir / "gunicorn.log", "wb"))  # noqa: SIM115
        self.worker = subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "--pool", "solo",
             "--loglevel", "warning"], cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "worker.log", "wb"))  # noqa: SIM115
        wait_for(self._up, "gunicorn", process=self.web)

    def _up(self):
        import urllib.request

        with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
            return response.status == 200

    def manage(self, *args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, check=True).stdout

    def query(self, code):
        """Run Python in the stack's database (manage.py shell) and return what it prints."""
        return self.manage("shell", "--no-imports", "-v", "0", "-c", code).strip()

    def stop(self):
        stop(self.worker)
        stop(self.web)
        if self.pg_name:
            import psycopg

            with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{self.pg_name}" WITH (FORCE)')
