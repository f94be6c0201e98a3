"""The staff workspace: views translate HTTP into calls to investigations.services and back.

Who may see what is asked of investigations.policies; errors the user can cause (named exceptions in
investigations.exceptions) become a message on the page they came from, with what they typed kept.
"""

import re
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.models import Complaint, Evidence, EvidenceAccess, EvidenceProcessing, Officer
from complaints.roles import roles_of

from . import forms, policies, queries, services
from .exceptions import (
    ConflictOfInterest,
    InvalidDiscipline,
    InvalidInput,
    MissingReason,
    NotPermitted,
    ReviewerIsInvestigator,
    WorkflowError,
)
from .models import TRANSITION_LABELS, DisciplineDecision, Finding, Investigation, State, Task

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
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


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
    if isinstance(error, InvalidInput | MissingReason | ConflictOfInterest | InvalidDiscipline):
        return 400
    return 409


# -- lists ---------------------------------------------------------------------------------------------------


@staff_required
def home(request):
    user = request.user
    links = [
        (policies.can_view_triage_queue(user), "staff:triage", _("Triage queue")),
        (policies.can_view_caseload(user), "staff:caseload", _("My caseload")),
        (policies.can_view_board(user), "staff:board", _("Supervisor board")),
        (policies.can_view_decision_queue(user), "staff:decisions", _("Decision queue")),
        (policies.can_search(user), "staff:search", _("Search")),
    ]
    return render(request, "investigations/home.html", {
        "roles": roles_of(user), "links": [(reverse(name), label) for ok, name, label in links if ok],
    })


@staff_required
def triage_queue(request):
    _require(policies.can_view_triage_queue(request.user))
    page = _page(request, queries.triage_queue(request.user))
    return render(request, "investigations/case_list.html", {
        "title": _("Triage queue"), "page": page,
        "intro": _("New complaints, urgent first, then oldest first."),
    })


@staff_required
def caseload(request):
    _require(policies.can_view_caseload(request.user))
    page = _page(request, queries.caseload(request.user))
    return render(request, "investigations/case_list.html", {
        "title": _("My caseload"), "page": page, "intro": _("Your open cases, most pressing deadline first."),
    })


@staff_required
def board(request):
    _require(policies.can_view_board(request.user))
    return render(request, "investigations/board.html", {
        "investigators": list(queries.board()),
        "page": _page(request, queries.awaiting_assignment(request.user)),
        "in_progress": _page(request, queries.in_progress(request.user), param="progress_page"),
    })


@staff_required
def decision_queue(request):
    _require(policies.can_view_decision_queue(request.user))
    page = _page(request, queries.decision_queue(request.user))
    cases = list(page.object_list)
    officer_ids = {f.allegation.officer_id for case in cases for f in case.approved_findings
                   if f.disposition.is_sustained and f.allegation.officer_id}
    history = queries.prior_sustained_history(officer_ids)
    rows = []
    for case in cases:
        officers = {}
        for finding in case.approved_findings:
            if finding.disposition.is_sustained and finding.allegation.officer_id:
                officer = finding.allegation.officer
                prior = [f for f in history.get(officer.pk, []) if f.investigation_id != case.pk]
                officers.setdefault(officer.pk, {"officer": officer, "sustained": [], "prior": prior[:10],
                                                 "prior_count": len(prior)})
                officers[officer.pk]["sustained"].append(finding)
        rows.append({"case": case, "officers": list(officers.values())})
    return render(request, "investigations/decisions.html", {"page": page, "rows": rows})


@staff_required
def search(request):
    _require(policies.can_search(request.user))
    form = forms.SearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid() and any(form.cleaned_data.values()):
        params = dict(form.cleaned_data)
        params["category"] = params["category"].code if params["category"] else ""
        page = _page(request, queries.search(request.user, params))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "investigations/search.html", {"form": form, "page": page,
                                                          "query": query.urlencode()})


# -- the case ------------------------------------------------------------------------------------------------


def _case_permissions(user, case):
    return {
        "edit_file": policies.may_edit_file(case, user),
        "note": policies.may_write_note(case, user),
        "message": policies.may_message_complainant(case, user),
        "translate": policies.may_translate(case, user),
        "evidence": policies.can_view_evidence(user, case),
        "separation": policies.may_record_separation(case, user) and case.is_open,
        "reassign": policies.may_reassign(case, user),
        "retaliation_check": policies.may_record_retaliation_check(case, user),
        "discipline": case.state == State.FINDINGS_APPROVED and policies.may_decide_discipline(case, user),
        "change_discipline": policies.may_change_discipline(case, user),
        "history": policies.can_view_history(user),
        "contacts": policies.can_view_contact_details(user, case),
    }


def _case_context(request, case, **bound_forms):
    user = request.user
    complaint = case.complaint
    can = _case_permissions(user, case)
    available = [t.name for t in case.get_available_user_state_transitions(user)
                 if t.name in TRANSITION_LABELS and t.name != "complete_discipline"]
    actions = [(name, TRANSITION_LABELS[name][0]) for name in TRANSITION_LABELS if name in available]
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
    separation_officers = case.accused_officers()
    context = {
        "case": case, "complaint": complaint, "can": can, "actions": actions, "blocked": blocked,
        "allegation_rows": allegation_rows,
        "parties": list(complaint.parties.all()) if can["contacts"] else [],
        "translations": list(complaint.translations.select_related("translator")),
        "evidence": list(complaint.evidence.filter(derived_from__isnull=True).select_related("processing")
                         .prefetch_related("derivatives", "derived_files"))
        if can["evidence"] else [],
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
        "awaiting_discipline": case.officers_awaiting_discipline() if can["discipline"] else [],
        "note_form": bound_forms.get("note") or forms.NoteForm(),
        "task_form": bound_forms.get("task") or forms.TaskForm(),
        "message_form": bound_forms.get("message") or forms.MessageForm(
            initial={"language": complaint.preferred_language}),
        "translation_form": bound_forms.get("translation") or forms.TranslationForm(),
        "witness_form": bound_forms.get("witness") or forms.WitnessOfficerForm(),
        "interview_form": bound_forms.get("interview") or forms.InterviewForm(),
        "separation_form": bound_forms.get("separation") or forms.SeparationForm(officers=separation_officers),
        "discipline_form": bound_forms.get("discipline") or forms.DisciplineForm(
            officers=Officer.objects.filter(pk__in=[o.pk for o in case.officers_awaiting_discipline()])
            if can["discipline"] else Officer.objects.none(), initial={"expected_state": case.state}),
        "change_form": bound_forms.get("discipline_change"),
        "discipline_kinds": DisciplineDecision.Kind,
    }
    if "finding" in bound_forms:
        bound = bound_forms["finding"]
        for row in allegation_rows:
            if row["form"].prefix == bound.prefix:
                row["form"] = bound
    return context


@staff_required
def case_detail(request, reference):
    case = _load_case(request, reference)
    return render(request, "investigations/case.html", _case_context(request, case))


def _post_finding(request, case):
    allegation_id = request.POST.get("allegation_id", "")
    form = forms.FindingForm(request.POST, prefix=f"a{allegation_id}")
    if form.is_valid():
        allegation = case.complaint.allegations.filter(pk=form.cleaned_data["allegation"]).first()
        if allegation is None:
            raise Http404
        services.record_finding(case, allegation, form.cleaned_data["disposition"], by=request.user,
                                reason=form.cleaned_data["reason"])
    return form


def _post_discipline(request, case):
    form = forms.DisciplineForm(request.POST, officers=case.accused_officers())
    if form.is_valid():
        data = form.cleaned_data
        services.record_final_discipline(
            case, data["officer"], by=request.user, outcome=data["outcome"], effective_date=data["effective_date"],
            suspension_days=data["suspension_days"], reason=data["reason"], expected_state=data["expected_state"],
        )
    return form


def _post_discipline_change(request, case):
    form = forms.DisciplineChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        original = case.discipline_decisions.filter(pk=data["original"]).first()
        if original is None:
            raise Http404
        services.record_discipline_change(
            original, by=request.user, kind=data["kind"], outcome=data["outcome"],
            effective_date=data["effective_date"], suspension_days=data["suspension_days"], reason=data["reason"],
        )
    return form


def _simple(form_class, call):
    def handler(request, case):
        form = form_class(request.POST)
        if form.is_valid():
            call(request, case, form.cleaned_data)
        return form

    return handler


def _separation(request, case):
    form = forms.SeparationForm(request.POST, officers=case.accused_officers())
    if form.is_valid():
        data = form.cleaned_data
        services.record_officer_separation(
            data["officer"], by=request.user, investigation=case, separation_date=data["separation_date"],
            reason=data["reason"], notes=data["notes"], notice_served=data["notice_served"],
        )
    return form


CASE_POSTS = {
    "finding": _post_finding,
    "note": _simple(forms.NoteForm, lambda r, c, d: services.add_note(c, by=r.user, body=d["body"])),
    "task": _simple(forms.TaskForm, lambda r, c, d: services.add_task(c, by=r.user, title=d["title"],
                                                                       due_on=d["due_on"])),
    "message": _simple(forms.MessageForm, lambda r, c, d: services.send_message(
        c, by=r.user, body=d["body"], language=d["language"])),
    "translation": _simple(forms.TranslationForm, lambda r, c, d: services.add_translation(
        c, by=r.user, language=d["language"], text=d["text"])),
    "witness": _simple(forms.WitnessOfficerForm, lambda r, c, d: services.add_witness_officer(
        c, d["officer"], by=r.user)),
    "interview": _simple(forms.InterviewForm, lambda r, c, d: services.record_interview(c, by=r.user, **d)),
    "separation": _separation,
    "discipline": _post_discipline,
    "discipline_change": _post_discipline_change,
}


@staff_required
@require_POST
def case_post(request, reference, what):
    """Add something to the case file (finding, note, task, message, ...); errors re-show the typed form."""
    case = _load_case(request, reference)
    handler = CASE_POSTS.get(what)
    if handler is None:
        raise Http404
    form = None
    try:
        form = handler(request, case)
        if form.is_valid():
            messages.success(request, _("Saved."))
            return redirect("staff:case", reference=reference)
        status = 400
    except WorkflowError as error:
        messages.error(request, str(error))
        status = _error_status(error)
        case = _load_case(request, reference)
    return render(request, "investigations/case.html", _case_context(request, case, **{what: form}), status=status)


@staff_required
@require_POST
def complete_task(request, reference, task_id):
    case = _load_case(request, reference)
    task = Task.objects.filter(pk=task_id, investigation=case).first()
    if task is None:
        raise Http404
    try:
        services.complete_task(task, by=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("staff:case", reference=reference)
    return redirect("staff:case", reference=reference)


# -- transitions ---------------------------------------------------------------------------------------------


def _assign_form(request, case, data=None):
    return forms.AssignForm(data, investigators=services.investigators(), initial={"expected_state": case.state})


def _action_form(action, request, case, data=None):
    initial = {"expected_state": case.state}
    if action == "triage":
        return forms.TriageForm(data, initial=initial, allegations=case.complaint.allegations.select_related(
            "officer", "category"))
    if action in ("assign", "reassign"):
        return _assign_form(request, case, data)
    if action == "refer_out":
        return forms.ReferForm(data, initial=initial)
    if action in ("close_administratively", "reopen"):
        return forms.PublicReasonForm(data, initial=initial)
    if action == "retaliation_check":
        return forms.RetaliationCheckForm(data, initial=initial, people=services.identified_people(case))
    if action in TRANSITION_LABELS:
        return forms.ReasonForm(data, initial=initial)
    raise Http404


def _may_take(action, user, case):
    if action == "reassign":
        return policies.may_reassign(case, user)
    if action == "retaliation_check":
        return policies.may_record_retaliation_check(case, user)
    return any(t.name == action for t in case.get_available_user_state_transitions(user))


def _may_attempt(action, user, case):
    """Whether the user's role and assignment allow this action at all, whatever the case's state now.

    A refusal here is a 403; a role that may act but meets a changed state gets the stale-form message.
    """
    if action == "reassign":
        return policies.has_any_role(user, "supervisor") and policies.may_assign(case, user)
    if action == "retaliation_check":
        return policies.may_work(case, user)
    if action in ("approve", "return_for_more_work"):
        # A reviewer who is the investigator is told so by name (ReviewerIsInvestigator), not a bare 403.
        return user.has_perm("investigations.review_investigation") and policies.can_view_case(user, case)
    method = getattr(Investigation, action)
    return any(t.has_perm(case, user) for t in method._django_fsm.transitions.values())


def _run_action(action, request, case, data):
    user, expected = request.user, data.get("expected_state") or None
    reason = data.get("reason", "")
    if action == "triage":
        related = None
        if data["related_reference"].strip():
            related = Complaint.objects.filter(reference=data["related_reference"].strip()).first()
            if related is None:
                raise InvalidInput(_("No complaint has that reference."))
        return services.triage_complaint(case, by=user, reason=reason, related_to=related,
                                         allegation_changes=request._triage_form.allegation_changes(),
                                         expected_state=expected)
    if action == "assign":
        return services.assign_investigator(case, data["investigator"], by=user, attested=data["attested"],
                                            reason=reason, expected_state=expected)
    if action == "reassign":
        return services.reassign_investigator(case, data["investigator"], by=user, attested=data["attested"],
                                              reason=reason, expected_state=expected)
    if action == "retaliation_check":
        return services.record_retaliation_check(case, by=user, answers=request._check_form.answers(),
                                                 notes=data["notes"], expected_state=expected)
    calls = {
        "start": lambda: services.start_investigation(case, by=user, expected_state=expected),
        "begin_retaliation_check": lambda: services.begin_retaliation_check(case, by=user, expected_state=expected),
        "resume_investigation": lambda: services.resume_investigation(case, by=user, reason=reason,
                                                                      expected_state=expected),
        "submit_for_review": lambda: services.submit_for_review(case, by=user, expected_state=expected),
        "approve": lambda: services.approve_findings(case, by=user, reasons=reason, expected_state=expected),
        "return_for_more_work": lambda: services.return_for_more_work(case, by=user, reasons=reason,
                                                                      expected_state=expected),
        "close": lambda: services.close_investigation(case, by=user, reason=reason, expected_state=expected),
        "reopen": lambda: services.reopen_investigation(case, by=user, reason=reason,
                                                        public_reason=data.get("public_reason", ""),
                                                        expected_state=expected),
        "refer_out": lambda: services.refer_out(case, by=user, referred_to=data.get("referred_to", ""),
                                                reason=reason, public_reason=data.get("public_reason", ""),
                                                expected_state=expected),
        "close_administratively": lambda: services.close_administratively(
            case, by=user, reason=reason, public_reason=data.get("public_reason", ""), expected_state=expected),
    }
    if action not in calls:
        raise Http404
    return calls[action]()


@staff_required
def case_action(request, reference, action):
    """GET: the form for one action on the case. POST: take it; a refusal re-shows the form as typed."""
    case = _load_case(request, reference)
    if action not in TRANSITION_LABELS and action not in ("reassign", "retaliation_check"):
        raise Http404
    status = 200
    if request.method == "POST":
        if not _may_attempt(action, request.user, case):
            raise PermissionDenied
        form = _action_form(action, request, case, request.POST)
        if form.is_valid():
            request._triage_form = request._check_form = form
            try:
                _run_action(action, request, case, form.cleaned_data)
            except WorkflowError as error:
                messages.error(request, str(error))
                status = _error_status(error)
                case = _load_case(request, reference)
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": _action_label(action)})
                return redirect("staff:case", reference=reference)
        else:
            status = 400
    else:
        if not _may_take(action, request.user, case):
            raise PermissionDenied
        form = _action_form(action, request, case)
    context = {"case": case, "complaint": case.complaint, "action": action, "label": _action_label(action),
               "form": form}
    if action == "retaliation_check":
        context["people"] = [
            {"party": p, "encounters": list(services.encounters_after_complaint(case, p))}
            for p in services.identified_people(case)
        ]
        context["portal_reports"] = list(case.complaint.retaliation_reports.all())
        context["unseen_reports"] = list(services.unseen_portal_reports(case))
    return render(request, "investigations/action.html", context, status=status)


def _action_label(action):
    if action == "reassign":
        return _("Reassign investigator")
    if action == "retaliation_check":
        return _("Record the anti-retaliation check")
    return TRANSITION_LABELS[action][0]


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
    if not policies.can_view_case(request.user, case):
        raise Http404
    _require(policies.can_view_evidence(request.user, case))
    range_header = request.headers.get("Range", "").strip()
    if download:
        action = EvidenceAccess.Action.DOWNLOAD
    elif evidence.kind in ("video", "audio"):
        action = EvidenceAccess.Action.STREAM
    else:
        action = EvidenceAccess.Action.VIEW
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
