"""Serving files made from evidence (playable copies, poster frames, thumbnails, stripped copies) to staff, and
sealed originals.

The same rule as the original (policies.can_view_evidence on its case), and every request logged as an access
to the original it came from. Local storage streams with Range support so video can seek; S3 redirects to a
presigned URL that expires after five minutes (S3 itself answers Range requests). A sealed original (the filer
asked for location, device and author data to be removed) is shown as its stripped copy; the original itself
opens only under policies.can_open_sealed_original, for a reason typed each time and logged with the opening.
"""

import re

from django.core.files.storage import FileSystemStorage, storages
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from complaints.models import DerivedFile, Evidence, EvidenceAccess
from investigations.models import Investigation

from . import forms, policies, services
from .views import INLINE_TYPES, _require, staff_required

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


def _case_of(evidence):
    try:
        return evidence.complaint.investigation
    except Investigation.DoesNotExist:
        return services.investigation_for(evidence.complaint)


@staff_required
def derived_file(request, pk):
    """A playable copy, poster or thumbnail, after the same check as its original; logged on the original."""
    derived = DerivedFile.objects.select_related("original__complaint").filter(pk=pk).first()
    if derived is None:
        raise Http404
    case = _case_of(derived.original)
    if not policies.can_view_joined(request.user, case):
        raise Http404
    _require(policies.can_view_joined_evidence(request.user, case))
    action = EvidenceAccess.Action.STREAM if derived.purpose == DerivedFile.Purpose.PLAYBACK \
        else EvidenceAccess.Action.VIEW
    EvidenceAccess.objects.create(evidence=derived.original, user=request.user, action=action)
    return serve_stored_file(request, derived.file.name, mime_type=derived.mime_type,
                             filename=_derived_name(derived))


def _derived_name(derived):
    stem = derived.original.original_name.rsplit(".", 1)[0]
    extension = derived.file.name.rsplit(".", 1)[-1] if "." in derived.file.name else "bin"
    return f"{stem}-{derived.purpose}.{extension}"


def stripped_copy(request, evidence, action, *, download=False):
    """What staff get for a sealed original (the policy is already checked): its stripped copy, or a page saying
    the copy is being prepared. Never the original."""
    derived = evidence.derived_files.filter(purpose=DerivedFile.Purpose.STRIPPED).first()
    if derived is None:
        return render(request, "investigations/evidence_preparing.html", {"evidence": evidence}, status=202)
    EvidenceAccess.objects.create(evidence=evidence, user=request.user, action=action)
    as_attachment = download or not INLINE_TYPES.match(derived.mime_type)
    return serve_stored_file(request, derived.file.name, mime_type=derived.mime_type,
                             filename=_derived_name(derived), as_attachment=as_attachment)


@staff_required
def sealed_original(request, pk):
    """The sealed original itself, downloaded after a typed reason: administrators and the assigned investigator.

    Anyone else who may see the case is refused (403); anyone who may not, finds nothing (404).
    """
    evidence = Evidence.objects.select_related("complaint__investigation").filter(pk=pk, original_sealed=True).first()
    if evidence is None:
        raise Http404
    case = _case_of(evidence)
    if not policies.can_open_sealed_original(request.user, case):
        if not policies.can_view_case(request.user, case):
            raise Http404
        return render(request, "investigations/sealed_original.html", {"evidence": evidence, "case": case,
                                                                       "refused": True}, status=403)
    form = forms.SealedOriginalForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        return render(request, "investigations/sealed_original.html", {"evidence": evidence, "case": case,
                                                                       "form": form},
                      status=400 if request.method == "POST" else 200)
    EvidenceAccess.objects.create(evidence=evidence, user=request.user, action=EvidenceAccess.Action.OPEN_SEALED,
                                  reason=form.cleaned_data["reason"])
    return serve_stored_file(request, evidence.file.name, mime_type=evidence.mime_type,
                             filename=evidence.original_name, as_attachment=True)
