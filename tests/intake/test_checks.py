from intake.checks import check_shared_cache, check_upload_handler


def test_missing_evidence_upload_handler_is_an_error(settings):
    assert check_upload_handler(None) == []
    settings.FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
    assert [error.id for error in check_upload_handler(None)] == ["intake.E001"]


def test_per_process_cache_is_flagged_for_deployment(settings):
    assert [warning.id for warning in check_shared_cache(None)] == ["intake.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": "/tmp/x"}}
    assert check_shared_cache(None) == []
