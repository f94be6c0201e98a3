"""gunicorn settings for production: `scripts/serve` (or `gunicorn -c config/gunicorn.conf.py`).

Slow phone uploads: gthread workers answer the arbiter's heartbeat from their main thread while request threads
read request bodies, so `timeout` never kills an upload that is still arriving, however slow. The body streams
through Django's upload handler to disk in 64 KiB chunks (complaints.evidence), so memory stays flat up to the
2 GiB limit. Behind a buffering reverse proxy (nginx with client_max_body_size 2100m), the proxy absorbs the slow
client and gunicorn threads stay free; without one, each slow upload holds one thread (workers x threads).
"""

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000").split(",")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Heartbeat only (gthread): a worker that stops answering for this long is hung and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# On restart or deploy, give uploads in flight this long to finish before their worker stops.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "900"))
keepalive = 5
# Uploads never go to a RAM-backed /tmp: gunicorn's own heartbeat files do, which is what /dev/shm is for.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No access log: it would record client addresses next to complaint URLs (anonymous filers must stay anonymous).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# Only the proxy on this machine may say the request came over HTTPS (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
