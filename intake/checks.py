"""Start-up checks for settings the public intake site relies on."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

HANDLER = "complaints.evidence.EvidenceUploadHandler"


@register(Tags.compatibility)
def check_upload_handler(app_configs, **kwargs):
    """Without the evidence handler, Django would keep small uploads in memory and check size only at the end."""
    if HANDLER not in settings.FILE_UPLOAD_HANDLERS:
        return [Error(f"FILE_UPLOAD_HANDLERS must include {HANDLER}.", id="intake.E001")]
    return []


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Rate limits kept in a per-process cache are multiplied by the number of app processes."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith("LocMemCache"):
        return [Warning("The default cache is per process: with several app processes, the intake rate limits "
                        "(complaints, files, wrong follow-up codes) apply per process; set REDIS_URL.",
                        id="intake.W001")]
    return []
