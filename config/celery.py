"""The task queue app: evidence processing runs here, outside the request.

Production sets CELERY_BROKER_URL (Redis or RabbitMQ). Without it the broker is kombu's filesystem transport in
var/queue: no server to install, messages survive a restart as files, and any process on the machine (the app,
the worker that `scripts/run` starts) shares them. Start a worker with `celery -A config worker`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("complaints")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
