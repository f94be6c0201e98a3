"""`/healthz` for load balancers and monitors: 200 when the database and the evidence storage answer, 503 if not.

The public gets one word; what failed goes to the server's log only.
"""

import logging
import os

from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _evidence_storage():
    storage = storages["evidence"]
    if isinstance(storage, FileSystemStorage):
        os.makedirs(storage.location, exist_ok=True)  # a fresh install has no evidence folder until the first file
        return os.access(storage.location, os.W_OK)
    storage.exists("healthz")  # S3: a HEAD request that raises when the bucket cannot be reached
    return True


CHECKS = {"database": _database, "evidence storage": _evidence_storage}


@never_cache
@require_GET
def healthz(request):
    failed = []
    for name, check in CHECKS.items():
        try:
            ok = check()
        except Exception:  # any failure of a dependency means "not healthy"; the details go to the log
            logger.exception("health check failed: %s", name)
            ok = False
        if not ok:
            failed.append(name)
    if failed:
        logger.error("unhealthy: %s", ", ".join(failed))
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
