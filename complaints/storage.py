from django.core.files.storage import FileSystemStorage, Storage, storages

from .exceptions import PurgeRefused


class ImmutableFileSystemStorage(FileSystemStorage):
    """Local evidence storage: a saved file is never overwritten and never deleted."""

    def delete(self, name):
        raise PurgeRefused("Evidence files are never deleted.")

    def get_available_name(self, name, max_length=None):
        # FileSystemStorage already refuses to overwrite by choosing a new name; keep it that way even if
        # a future setting (allow_overwrite) says otherwise.
        self._allow_overwrite = False
        return super().get_available_name(name, max_length=max_length)


class EvidenceStorage(Storage):
    """The `evidence` storage alias, looked up on every use so configuration changes take effect.

    FileField fixes its storage when the model class is built; this indirection keeps the alias authoritative.
    """

    @staticmethod
    def _target():
        return storages["evidence"]

    def open(self, name, mode="rb"):
        return self._target().open(name, mode)

    def save(self, name, content, max_length=None):
        return self._target().save(name, content, max_length=max_length)

    def delete(self, name):
        raise PurgeRefused("Evidence files are never deleted.")

    def exists(self, name):
        return self._target().exists(name)

    def size(self, name):
        return self._target().size(name)

    def url(self, name):
        return self._target().url(name)

    def path(self, name):
        return self._target().path(name)

    def listdir(self, path):
        return self._target().listdir(path)

    def generate_filename(self, filename):
        return self._target().generate_filename(filename)

    def get_available_name(self, name, max_length=None):
        return self._target().get_available_name(name, max_length=max_length)

    def get_valid_name(self, name):
        return self._target().get_valid_name(name)

    def get_modified_time(self, name):
        return self._target().get_modified_time(name)


evidence_storage = EvidenceStorage()


def _s3_storage_class():
    from storages.backends.s3 import S3Storage

    return S3Storage


class EvidenceS3Storage(_s3_storage_class()):
    """S3 evidence storage: never deletes, streams uploads in parts (boto3's upload_fileobj), and writes every
    object under an Object Lock legal hold (and a retention period, if set) when EVIDENCE_S3_OBJECT_LOCK is on,
    so that not even a leaked key can remove evidence from a bucket created with Object Lock."""

    def delete(self, name):
        raise PurgeRefused("Evidence files are never deleted.")

    def get_object_parameters(self, name):
        from datetime import timedelta

        from django.conf import settings
        from django.utils import timezone

        params = super().get_object_parameters(name)
        if settings.EVIDENCE_S3_OBJECT_LOCK:
            params["ObjectLockLegalHoldStatus"] = "ON"
            if settings.EVIDENCE_S3_RETENTION_DAYS:
                params["ObjectLockMode"] = "COMPLIANCE"
                params["ObjectLockRetainUntilDate"] = timezone.now() + timedelta(
                    days=settings.EVIDENCE_S3_RETENTION_DAYS)
        return params
