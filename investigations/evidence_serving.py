"""Serving files made from evidence (playable copies, poster frames, thumbnails) to staff.

The same rule as the original (policies.can_view_evidence on its case), and every request logged as an access
to the original it came from. Local storage streams with Range support so video can seek; S3 redirects to a
presigned URL that expires after five minutes (S3 itself answers Range requests).
"""

import re

from django.core.files.storage import FileSystemStorage, storages
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header

from complaints.models import DerivedFile, EvidenceAccess
from investigations.models import Investigation

from . import policies, services
from .views import _require, staff_required

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024
PRESIGNED_URL_SECONDS = 300


def _chunks(handle, start, length):
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def serve_stored_file(request, name, *, mime_type, filename, as_attachment=False):
    """The evidence-storage file `name` as a response: streamed with Range locally, a presigned URL on S3."""
    storage = storages["evidence"]
    disposition = content_disposition_header(as_attachment, filename)
    if not isinstance(storage, FileSystemStorage):
        return HttpResponseRedirect(storage.url(name, parameters={
            "ResponseContentDisposition": disposition, "ResponseContentType": mime_type},
            expire=PRESIGNED_URL_SECONDS))
    size = storage.size(name)
    start, end, status = 0, size - 1, 200
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        else:
            start = max(size - int(last), 0)
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        status = 206
    length = end - start + 1 if size else 0
    response = StreamingHttpResponse(_chunks(storage.open(name, "rb"), start, length), status=status,
                                     content_type=mime_type)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_required
def derived_file(request, pk):
    """A playable copy, poster or thumbnail, after the same check as its original; logged on the original."""
    derived = DerivedFile.objects.select_related("original__complaint").filter(pk=pk).first()
    if derived is None:
        raise Http404
    complaint = derived.original.complaint
    try:
        case = complaint.investigation
    except Investigation.DoesNotExist:
        case = services.investigation_for(complaint)
    if not policies.can_view_joined(request.user, case):
        raise Http404
    _require(policies.can_view_joined_evidence(request.user, case))
    action = EvidenceAccess.Action.STREAM if derived.purpose == DerivedFile.Purpose.PLAYBACK \
        else EvidenceAccess.Action.VIEW
    EvidenceAccess.objects.create(evidence=derived.original, user=request.user, action=action)
    stem = derived.original.original_name.rsplit(".", 1)[0]
    extension = "mp4" if derived.purpose == DerivedFile.Purpose.PLAYBACK else "jpg"
    return serve_stored_file(request, derived.file.name, mime_type=derived.mime_type,
                             filename=f"{stem}-{derived.purpose}.{extension}")
