"""The staff workspace: views translate HTTP into calls to investigations.services and back.

Who may see what is asked of investigations.policies; errors the user can cause (named exceptions in
investigations.exceptions) become a message on the page they came from, with what they typed kept.
"""

import re
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints import evidence as evidence_files
from complaints.models import Complaint, Evidence, EvidenceAccess, EvidenceProcessing
from complaints.roles import roles_of

from . import forms, policies, queries, services
from .actions import ACTIONS, CASE_PAGE, OWN_PAGE, STATUS_CHANGES
from .exceptions import (
    ConflictOfInterest,
    InvalidDiscipline,
    InvalidInput,
    MissingReason,
    NotPermitted,
    OpenTasks,
    ReviewerIsInvestigator,
    WorkflowError,
)
from .models import DisciplineDecision, Finding, Investigation, State, Task
from .pagination import keyset_page

PAGE_SIZES = (25, 50, 100)


def staff_required(view):
    """Signed in and holding a staff role; otherwise the sign-in page or 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not policies.is_staff_member(request.user):
            raise PermissionDenied("This account has no staff role.")
        return view(request, *args, **kwargs)

    return wrapper


def _require(allowed):
    if not allowed:
        raise PermissionDenied


def _page(request, queryset, param="page"):
    try:
        per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        per_page = PAGE_SIZES[0]
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
    return page_notices(request, keyset_page(queryset, request.GET, per_page, param))


def page_notices(request, page):
    """Say why the page shown is not the one asked for (an unfitting page key, a typed page number too far)."""
    if getattr(page, "key_refused", False):
        messages.warning(request, _("That page link no longer fits this list; here is its first page."))
    if getattr(page, "typed_past", None):
        messages.info(request, _("Typed page numbers go up to %(page)d: here is page %(page)d. Use Next to go on.")
                      % {"page": page.number})
    return page


def _case_page(request, queryset, param="page"):
    """A page of a case list, with `rows`: what each row shows (queries.list_rows)."""
    page = _page(request, queryset, param)
    page.rows = queries.list_rows(page.object_list)
    return page


def _load_case(request, reference):
    case = (Investigation.objects.select_related("complaint", "investigator")
            .filter(complaint__reference=reference).first())
    if case is None or not policies.can_view_case(request.user, case):
        # A case the user may not see is reported as missing: its existence is not disclosed.
        raise Http404
    return case


def _error_status(error):
    if isinstance(error, NotPermitted | ReviewerIsInvestigator):
        return 403
    if isinstance(error, InvalidInput | MissingReason | ConflictOfInterest | InvalidDiscipline | OpenTasks):
        return 400
    return 409


# -- lists ---------------------------------------------------------------------------------------------------


@staff_required
def home(request):
    """Each role's queues with their counts, and its other pages."""
    user = request.user
    links = [
        (policies.can_view_board(user), "staff:board", _("Supervisor board")),
        (policies.can_search(user), "staff:search", _("Search")),
        (policies.may_enter_complaint(user), "staff:enter_complaint", _("Enter a complaint")),
        (policies.can_view_evidence_access_log(user), "staff:access_log", _("Evidence access log")),
    ]
    return render(request, "investigations/home.html", {
        "roles": roles_of(user),
        "queues": [(label, reverse(name), count) for label, name, count in queries.home_queues(user)],
        "links": [(reverse(name), label) for ok, name, label in links if ok],
    })


@staff_required
def triage_queue(request):
    _require(policies.can_view_triage_queue(request.user))
    page = _case_page(request, queries.triage_queue(request.user))
    return render(request, "investigations/case_list.html", {
        "title": _("Triage queue"), "page": page,
        "intro": _("New complaints, urgent first, then oldest first."),
    })


@staff_required
def caseload(request):
    _require(policies.can_view_caseload(request.user))
    page = _case_page(request, queries.caseload(request.user))
    return render(request, "investigations/case_list.html", {
        "title": _("My caseload"), "page": page, "intro": _("Your open cases, most pressing deadline first."),
    })


@staff_required
def board(request):
    _require(policies.can_view_board(request.user))
    waiting = _page(request, queries.awaiting_assignment(request.user))
    in_progress = _page(request, queries.in_progress(request.user), param="progress_page")
    # Both lists' rows from one read of their allegations.
    rows = queries.list_rows([*waiting.object_list, *in_progress.object_list])
    waiting.rows, in_progress.rows = rows[:len(waiting.object_list)], rows[len(waiting.object_list):]
    return render(request, "investigations/board.html", {
        "investigators": list(queries.board()), "page": waiting, "in_progress": in_progress,
    })


@staff_required
def decision_queue(request):
    _require(policies.can_view_decision_queue(request.user))
    sustained_ids = queries.sustained_disposition_ids()
    page = _page(request, queries.decision_queue(request.user, sustained_ids))
    rows = queries.decision_rows(list(page.object_list), sustained_ids=sustained_ids)
    return render(request, "investigations/decisions.html", {"page": page, "rows": rows})


# -- the case ------------------------------------------------------------------------------------------------


def _case_permissions(user, case):
    can = {name: policies.may_take(name, case, user) for name in (
        "note", "task", "message", "translation", "separation", "reassign", "retaliation_check", "discipline",
        "discipline_change", "complete_task", "evidence_file", "physical_evidence", "custody", "link")}
    can.update({
        "edit_file": policies.may_take("finding", case, user),
        "evidence": policies.can_view_evidence(user, case),
        "open_sealed": policies.can_open_sealed_original(user, case),
        "access_log": policies.can_view_evidence_access_log(user, case),
        "export_case_file": policies.can_export_case_file(user, case),
        "referrals": policies.can_read_referrals(user),
        "history": policies.can_view_history(user),
        "contacts": policies.can_view_contact_details(user, case),
    })
    return can


def _case_context(request, case, bound=None):
    """Everything the case page shows; `bound` is the form of a refused action, shown again as typed."""
    user = request.user
    complaint = case.complaint
    can = _case_permissions(user, case)
    status_changes = [(name, ACTIONS[name].label) for name in STATUS_CHANGES if policies.may_take(name, case, user)]
    blocked = []
    if case.state == State.RETALIATION_CHECK and policies.may_work(case, user):
        if not case.has_current_retaliation_check():
            blocked.append(_("Record the anti-retaliation check before submitting for review."))
        for allegation in case.allegations_without_finding():
            blocked.append(_("No finding yet: %(allegation)s") % {"allegation": allegation})
    allegations = list(complaint.allegations.select_related("officer__unit", "category"))
    findings = {}
    for finding in case.findings.select_related("disposition", "recorded_by"):
        findings[(finding.allegation_id, finding.stage)] = finding
    allegation_rows = [
        {"allegation": a, "recommended": findings.get((a.pk, Finding.Stage.RECOMMENDED)),
         "approved": findings.get((a.pk, Finding.Stage.APPROVED)),
         "form": forms.FindingForm(initial={"allegation": a.pk}, prefix=f"a{a.pk}")}
        for a in allegations
    ]
    decisions = list(case.discipline_decisions.select_related("officer", "changes", "decided_by"))
    evidence, physical_items = queries.case_evidence(complaint) if can["evidence"] else ([], [])
    _custody_forms(evidence, physical_items, can["custody"], bound)
    case_forms = {name: action.form(case) for name, action in ACTIONS.items()
                  if action.page == CASE_PAGE and name != "finding" and policies.may_take(name, case, user)}
    bound_name = None
    if bound is not None:
        bound_name, form = bound
        if bound_name == "finding":
            for row in allegation_rows:
                if row["form"].prefix == form.prefix:
                    row["form"] = form
        else:
            case_forms[bound_name] = form
    context = {
        "case": case, "complaint": complaint, "can": can, "actions": status_changes, "blocked": blocked,
        "allegation_rows": allegation_rows,
        "parties": list(complaint.parties.all()) if can["contacts"] else [],
        "translations": list(complaint.translations.select_related("translator")),
        "evidence": evidence,
        "physical_items": physical_items,
        "links": queries.complaint_links(user, complaint),
        "joined": queries.joined_duplicates(user, complaint) if can["evidence"] else [],
        "messages_with_complainant": list(complaint.messages.select_related("author")),
        "interviews": list(case.interviews.all()),
        "notes": list(case.notes.select_related("author")),
        "tasks": list(case.tasks.all()),
        "reviews": list(case.reviews.select_related("reviewer")),
        "checks": list(case.retaliation_checks.prefetch_related("entries__party").select_related(
            "spawned_complaint", "performed_by")),
        "portal_reports": list(complaint.retaliation_reports.all()),
        "witness_officers": list(case.witness_officers.select_related("officer")),
        "decisions": decisions,
        "separations": list(case.officer_separations.select_related("officer")),
        "assignments": list(case.assignments.select_related("investigator", "assigned_by")),
        "related": list(Complaint.objects.filter(related_to=complaint).only("reference", "urgent")),
        "timeline": queries.timeline(case),
        "accused_officers": list(dict.fromkeys(a.officer for a in allegations if a.officer_id)),
        # The status changes each section offers beside what they change (the header offers all of them).
        "review_actions": ("submit_for_review", "approve", "return_for_more_work"),
        "retaliation_actions": ("begin_retaliation_check", "resume_investigation"),
        "discipline_actions": ("complete_discipline", "close"),
        "awaiting_discipline": case.officers_awaiting_discipline() if can["discipline"] else [],
        "change_form": case_forms.get("discipline_change"),
        "discipline_kinds": DisciplineDecision.Kind,
        "refused": bound_name,
        # A refused form the page no longer offers (e.g. the case closed meanwhile) is shown on its own, so
        # what was typed is not lost.
        "refused_elsewhere": bound[1] if bound is not None and not policies.may_take(bound_name, case, user)
        else None,
    }
    context.update({f"{name}_form": form for name, form in case_forms.items()})
    return context


def _custody_forms(evidence, physical_items, may_record, bound):
    """A custody form on each file and item (ids of their own); a refused one shown again, as typed, on its thing."""
    refused = bound[1] if bound is not None and bound[0] == "custody" else None
    for field, things in (("evidence", evidence), ("item", physical_items)):
        for thing in things:
            if not may_record:
                thing.custody_form = None
            elif refused is not None and str(refused.data.get(field, "")) == str(thing.pk):
                thing.custody_form, thing.custody_refused = refused, True
            else:
                thing.custody_form = forms.CustodyForm(initial={field: thing.pk},
                                                       auto_id=f"custody-{field}-{thing.pk}-%s")


@staff_required
def case_detail(request, reference):
    case = _load_case(request, reference)
    return render(request, "investigations/case.html", _case_context(request, case))


def _take(request, case, action, form):
    """Run `action` with a valid `form`: None when done, else (the refused case reloaded, status)."""
    try:
        action.service(case, request.user, form)
    except WorkflowError as error:
        messages.error(request, str(error))
        # The case is read again: a refusal may come from someone else's change (a stale tab).
        return _load_case(request, case.complaint.reference), _error_status(error)
    return None


@staff_required
@require_POST
def case_post(request, reference, what):
    """Add something to the case file (finding, note, task, message, ...); a refusal re-shows the typed form."""
    case = _load_case(request, reference)
    action = ACTIONS.get(what)
    if action is None or action.page != CASE_PAGE:
        raise Http404
    _require(policies.may_attempt(what, case, request.user))
    form = action.form(case, request.POST, request.FILES) if action.files else action.form(case, request.POST)
    if action.files and evidence_files.upload_was_interrupted(request):
        form.is_valid()
        form.add_error(None, _("The file did not arrive completely. Nothing was saved; please attach it again."))
        messages.error(request, _("Nothing was saved: please correct what is marked below."))
        return render(request, "investigations/case.html", _case_context(request, case, bound=(what, form)),
                      status=400)
    if form.is_valid():
        refused = _take(request, case, action, form)
        if refused is None:
            messages.success(request, _("Saved."))
            return redirect("staff:case", reference=reference)
        case, status = refused
    else:
        messages.error(request, _("Nothing was saved: please correct what is marked below."))
        status = 400
    return render(request, "investigations/case.html", _case_context(request, case, bound=(what, form)),
                  status=status)


def _task_of(request, reference, task_id, what):
    case = _load_case(request, reference)
    _require(policies.may_attempt(what, case, request.user))
    task = Task.objects.filter(pk=task_id, investigation=case).first()
    if task is None:
        raise Http404
    return task


@staff_required
@require_POST
def complete_task(request, reference, task_id):
    task = _task_of(request, reference, task_id, "complete_task")
    try:
        services.complete_task(task, by=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    return redirect("staff:case", reference=reference)


@staff_required
@require_POST
def carry_over_task(request, reference, task_id):
    task = _task_of(request, reference, task_id, "complete_task")
    form = forms.CarryOverForm(request.POST)
    try:
        if form.is_valid():
            services.carry_over_task(task, by=request.user, note=form.cleaned_data["note"])
    except WorkflowError as error:
        messages.error(request, str(error))
    return redirect("staff:case", reference=reference)


# -- status changes and other actions with their own page -----------------------------------------------------


@staff_required
def case_action(request, reference, action):
    """GET: the form for one action on the case. POST: take it; a refusal re-shows the form as typed."""
    case = _load_case(request, reference)
    entry = ACTIONS.get(action)
    if entry is None or entry.page != OWN_PAGE:
        raise Http404
    status = 200
    if request.method == "POST":
        _require(policies.may_attempt(action, case, request.user))
        form = entry.form(case, request.POST)
        if form.is_valid():
            refused = _take(request, case, entry, form)
            if refused is None:
                messages.success(request, _("Done: %(action)s.") % {"action": entry.label})
                return redirect("staff:case", reference=reference)
            case, status = refused
        else:
            status = 400
    else:
        _require(policies.may_take(action, case, request.user))
        form = entry.form(case)
    context = {"case": case, "complaint": case.complaint, "action": action, "label": entry.label, "form": form}
    if action == "retaliation_check":
        context["people"] = [
            {"party": p, "encounters": list(services.encounters_after_complaint(case, p))}
            for p in services.identified_people(case)
        ]
        context["portal_reports"] = list(case.complaint.retaliation_reports.all())
        context["unseen_reports"] = list(services.unseen_portal_reports(case))
    return render(request, "investigations/action.html", context, status=status)


# -- the evidence access log ---------------------------------------------------------------------------------


def _access_log_page(request, rows, title, **context):
    return render(request, "investigations/access_log.html", {
        "title": title, "page": _page(request, rows), **context})


@staff_required
def access_log(request):
    """Every look at evidence, newest first (auditors, administrators, supervisors)."""
    _require(policies.can_view_evidence_access_log(request.user))
    return _access_log_page(request, queries.evidence_accesses(request.user), _("Evidence access log"))


@staff_required
def case_access_log(request, reference):
    """Who opened the evidence of one case."""
    case = Investigation.objects.select_related("complaint").filter(complaint__reference=reference).first()
    if case is None or not policies.can_view_evidence_access_log(request.user, case):
        raise Http404
    return _access_log_page(request, queries.evidence_accesses(request.user, investigation=case),
                            _("Evidence access log of %(reference)s") % {"reference": reference}, case=case)


@staff_required
def user_access_log(request, user_id):
    """Which evidence one staff member opened."""
    _require(policies.can_view_evidence_access_log(request.user))
    person = get_user_model().objects.filter(pk=user_id).first()
    if person is None:
        raise Http404
    return _access_log_page(request, queries.evidence_accesses(request.user, accessed_by=person),
                            _("Evidence opened by %(user)s") % {"user": person.get_username()}, person=person)


# -- evidence ------------------------------------------------------------------------------------------------

INLINE_TYPES = re.compile(r"^(video/|audio/|image/(jpeg|png|webp|gif)$|application/pdf$)")
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _read_range(handle, start, length):
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


@staff_required
def evidence_file(request, pk, download=False):
    """An evidence file, only after the policy check, and every request logged (view, play, download).

    Local storage streams the bytes (honouring Range, so video can seek); S3 redirects to a short-lived
    presigned URL. The storage path is never shown.
    """
    evidence = Evidence.objects.select_related("complaint__investigation").filter(pk=pk).first()
    if evidence is None:
        raise Http404
    try:
        case = evidence.complaint.investigation
    except Investigation.DoesNotExist:
        case = services.investigation_for(evidence.complaint)
    if not policies.can_view_joined(request.user, case):
        raise Http404
    _require(policies.can_view_joined_evidence(request.user, case))
    range_header = request.headers.get("Range", "").strip()
    if download:
        action = EvidenceAccess.Action.DOWNLOAD
    elif evidence.kind in ("video", "audio"):
        action = EvidenceAccess.Action.STREAM
    else:
        action = EvidenceAccess.Action.VIEW
    if evidence.original_sealed:
        from .evidence_serving import stripped_copy  # that module builds on this one

        return stripped_copy(request, evidence, action, download=download)
    EvidenceAccess.objects.create(evidence=evidence, user=request.user, action=action)

    # A quarantined file (malware found) is never opened in the browser; it can only be downloaded.
    quarantined = EvidenceProcessing.objects.filter(evidence=evidence, state="quarantined").exists()
    as_attachment = download or quarantined or not INLINE_TYPES.match(evidence.mime_type)
    disposition = content_disposition_header(as_attachment, evidence.original_name)
    if getattr(settings, "EVIDENCE_STORAGE", "local") == "s3":
        url = storages["evidence"].url(evidence.file.name, parameters={
            "ResponseContentDisposition": disposition, "ResponseContentType": evidence.mime_type}, expire=300)
        return HttpResponseRedirect(url)

    storage = evidence.file.storage
    size = storage.size(evidence.file.name)
    start, end, status = 0, size - 1, 200
    match = RANGE.match(range_header) if range_header else None
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:
            start = max(size - int(last), 0)
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        status = 206
    length = end - start + 1 if size else 0
    handle = storage.open(evidence.file.name, "rb")
    response = StreamingHttpResponse(_read_range(handle, start, length), status=status,
                                     content_type=evidence.mime_type)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_required
def case_file(request, reference):
    """The case file as a PDF. A case the user may not export answers 404, like a case that does not exist."""
    case = _load_case(request, reference)
    if not policies.can_export_case_file(request.user, case):
        raise Http404
    content, filename, log = services.export_case_file(case, by=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-SHA256"] = log.sha256
    response["X-History-Chain-Head"] = log.chain_head
    response["Cache-Control"] = "no-store"
    return response
