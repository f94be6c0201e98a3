"""Every change to an investigation: one function per thing a person does.

Each function checks the user may do it (investigations.policies), runs the state transition if there is one,
saves, and records who and why in the history, in one transaction. Errors the user can cause are the named
exceptions in investigations.exceptions; nothing here catches anything broader.
"""

import datetime
import hashlib

import django_fsm
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from complaints import evidence as evidence_files
from complaints import roles
from complaints.anchors import anchor_heads
from complaints.chain import chain_head
from complaints.history import recorded
from complaints.models import (
    Category,
    Complaint,
    ComplaintLink,
    CustodyRecord,
    EvidenceSource,
    Message,
    Officer,
    PhysicalEvidence,
)
from complaints.services import attach_evidence, file_complaint
from notices import services as notices
from staffnotices import services as staff_notices
from staffnotices.models import Kind as NoticeKind

from . import policies, search
from .exceptions import (
    ConflictOfInterest,
    InvalidDiscipline,
    InvalidInput,
    MissingFindings,
    MissingReason,
    NotPermitted,
    OpenTasks,
    RetaliationCheckMissing,
    ReviewerIsInvestigator,
    StaleCase,
    TransitionNotAllowed,
)
from .models import (
    Assignment,
    CaseFileExport,
    DeadlinePolicy,
    DisciplineDecision,
    EncounterLog,
    Finding,
    Interview,
    Investigation,
    Note,
    OfficerSeparation,
    RefusedAssignment,
    RetaliationCheck,
    RetaliationCheckEntry,
    Review,
    State,
    Task,
    WitnessOfficer,
)
from .signals import allegations_classified, send_case_decided


def _stale_message(investigation=None):
    if investigation is None:
        return _("Someone else changed this case while you were working on it. Nothing was saved; review the case "
                 "and try again — what you typed is kept below.")
    return _("Someone else changed this case while you were working on it (it is now '%(state)s'). Nothing was "
             "saved; review the case and try again — what you typed is kept below.") % {
        "state": investigation.get_state_display()}


def open_investigation(complaint):
    """The investigation of a newly filed complaint (call inside the filing's recorded block)."""
    now = timezone.now()
    investigation = Investigation(complaint=complaint)
    investigation.enter_phase(State.RECEIVED, now)
    overall = DeadlinePolicy.target_days_for("overall")
    investigation.due_at = complaint.received_at + datetime.timedelta(days=overall) if overall else None
    investigation.save()
    search.index_account(investigation)
    return investigation


def investigation_for(complaint):
    """The complaint's investigation, opened now if the complaint predates this app (e.g. imported data)."""
    try:
        return complaint.investigation
    except Investigation.DoesNotExist:
        with transaction.atomic(), recorded(label="system", reason="investigation opened for an existing complaint"):
            return open_investigation(complaint)


def _require_reason(reason, message):
    """`reason` stripped; `message` (a whole translated sentence saying what is missing) when it is empty."""
    reason = (reason or "").strip()
    if not reason:
        raise MissingReason(message)
    return reason


def _refused_on_closed(investigation):
    """The refusal for a change to a closed case (None while it is open): only reopening changes a closed case."""
    if investigation.is_open:
        return None
    return TransitionNotAllowed(
        _("This case is '%(state)s'; nothing on it can change unless a supervisor reopens it (with a reason).")
        % {"state": investigation.get_state_display()})


def _require_tasks_settled(investigation):
    """A case closes only when each open task is done or carried over (a recorded decision), never silently."""
    open_tasks = [t.title for t in investigation.tasks.filter(done_at__isnull=True, carried_over_at__isnull=True)]
    if open_tasks:
        raise OpenTasks(_("These tasks are still open: %(tasks)s. Mark each one done or carried over before the "
                          "case closes.") % {"tasks": "; ".join(open_tasks)})


def _check_fresh(investigation, expected_state):
    if expected_state is not None and expected_state != investigation.state:
        raise StaleCase(_stale_message(investigation))


def _transition(investigation, name, user, *args):
    """Run transition `name` for `user`: wrong state and missing permission are refused by name."""
    method = getattr(investigation, name)
    if not django_fsm.can_proceed(method, check_conditions=False):
        raise TransitionNotAllowed(
            _("This case is '%(state)s'; that action is not possible now.") % {
                "state": investigation.get_state_display()}
        )
    if not django_fsm.has_transition_perm(method, user):
        raise NotPermitted(_("Your role or assignment does not allow that action on this case."))
    try:
        method(*args)
    except django_fsm.TransitionNotAllowed as error:
        raise TransitionNotAllowed(_("The conditions for that action are not met.")) from error
    investigation.enter_phase(investigation.state)
    notices.tell_filer_if_public_step_changed(investigation)


def _save(investigation):
    try:
        investigation.save()
    except django_fsm.ConcurrentTransition as error:
        # The transaction is broken now; the view reloads the case to show where it stands.
        raise StaleCase(_stale_message()) from error


def _act(investigation, name, *, by, reason, expected_state=None, args=(), before=None, after=None):
    """The frame of every transition service: fresh check, transaction, history reason, transition, save."""
    _check_fresh(investigation, expected_state)
    with transaction.atomic(), recorded(by=by, reason=reason):
        if before:
            before()
        _transition(investigation, name, by, *args)
        _save(investigation)
        if after:
            after()
    return investigation


# -- intake --------------------------------------------------------------------------------------------------


def triage_complaint(investigation, *, by, reason="", allegation_changes=None, related_to=None,
                     expected_state=None):
    """Classify the allegations (category, identified officer), link a related complaint, mark it triaged.

    `allegation_changes` maps an allegation id to {'category': Category, 'officer': Officer or None,
    'bias_characteristic': a BiasCharacteristic value or ''}.
    """
    complaint = investigation.complaint

    def apply_changes():
        officers = set()
        for allegation_id, change in (allegation_changes or {}).items():
            allegation = complaint.allegations.filter(pk=allegation_id).first()
            if allegation is None:
                raise InvalidInput(_("That allegation is not part of this complaint."))
            changed = False
            before = allegation.officer_id
            for field in ("category", "officer", "bias_characteristic"):
                if field in change and getattr(allegation, field) != change[field]:
                    setattr(allegation, field, change[field])
                    changed = True
            if changed:
                allegation.save()
                officers |= {before, allegation.officer_id} - {None}
        if officers:
            allegations_classified.send(sender=investigation.__class__, investigation=investigation,
                                        officer_ids=sorted(officers))
        if related_to is not None and related_to.pk != complaint.related_to_id:
            if related_to.pk == complaint.pk:
                raise InvalidInput(_("A complaint cannot be related to itself."))
            complaint.related_to = related_to
            complaint.save()

    return _act(investigation, "triage", by=by, reason="triaged: " + (reason or "classified"),
                expected_state=expected_state, before=apply_changes)


def refer_out(investigation, *, by, referred_to, reason, public_reason, expected_state=None):
    """Send the complaint to another agency (criminal, other jurisdiction), with a reason the public may read."""
    referred_to = _require_reason(referred_to, _("Please name the agency the complaint is referred to."))
    reason = _require_reason(reason, _("Please give a reason for the referral."))
    public_reason = _require_reason(public_reason, _(
        "Please give a reason for the referral that the complainant will read."))
    investigation.public_reason = public_reason
    return _act(investigation, "refer_out", by=by, before=lambda: _require_tasks_settled(investigation),
                reason=f"referred out to {referred_to}: {reason}",
                expected_state=expected_state, args=(referred_to,))


def close_administratively(investigation, *, by, reason, public_reason, expected_state=None):
    """A supervisor closes a complaint that cannot be investigated, saying why."""
    reason = _require_reason(reason, _("Please give a reason for closing administratively."))
    public_reason = _require_reason(public_reason, _(
        "Please give a reason for closing administratively that the complainant will read."))
    investigation.public_reason = public_reason
    return _act(investigation, "close_administratively", by=by, reason="closed administratively: " + reason,
                expected_state=expected_state, before=lambda: _require_tasks_settled(investigation))


# -- assignment ----------------------------------------------------------------------------------------------


def conflict_of_interest_reasons(investigation, investigator, *, attested):
    """Every reason `investigator` may not work this case; empty when they may."""
    reasons = []
    if not investigator.groups.filter(name=roles.INVESTIGATOR).exists():
        reasons.append(_("%(user)s is not an investigator") % {"user": investigator.get_username()})
    officer = Officer.objects.filter(user=investigator).first()
    if officer is not None:
        accused = list(investigation.accused_officers().select_related("supervisor"))
        if any(a.pk == officer.pk for a in accused):
            reasons.append(_("%(officer)s is accused in this complaint") % {"officer": officer})
        if investigation.witness_officers.filter(officer=officer).exists():
            reasons.append(_("%(officer)s is a witness officer in this case") % {"officer": officer})
        for accused_officer in accused:
            if accused_officer.pk == officer.pk:
                continue
            if officer.unit_id and officer.unit_id == accused_officer.unit_id:
                reasons.append(_("%(officer)s is in the same unit as accused officer %(accused)s") % {
                    "officer": officer, "accused": accused_officer})
            if any(boss.pk == officer.pk for boss in accused_officer.chain_of_command()):
                reasons.append(_("%(officer)s is in the chain of command of accused officer %(accused)s") % {
                    "officer": officer, "accused": accused_officer})
    if not attested:
        reasons.append(_(
            "the investigator has not attested to having no personal relationship with anyone involved"))
    return reasons


def _check_conflicts(investigation, investigator, attested, *, by):
    """Refuse an investigator with a conflict, keeping the attempt and its reasons in the case history.

    Call outside the action's transaction: the refusal row must survive the refused action.
    """
    reasons = conflict_of_interest_reasons(investigation, investigator, attested=attested)
    if reasons:
        with transaction.atomic(), recorded(by=by, reason="assignment refused: conflict of interest"):
            RefusedAssignment.objects.create(investigation=investigation, investigator=investigator,
                                             attempted_by=by, reasons=reasons)
        raise ConflictOfInterest(reasons)


def assign_investigator(investigation, investigator, *, by, attested, reason="", expected_state=None):
    """Assign a triaged case to an investigator who passes the conflict-of-interest check."""
    _check_fresh(investigation, expected_state)
    if policies.may_assign(investigation, by):
        _check_conflicts(investigation, investigator, attested, by=by)

    def record():
        Assignment.objects.create(investigation=investigation, investigator=investigator, assigned_by=by,
                                  attested_no_relationship=attested, reason=reason)
        staff_notices.notify([investigator], NoticeKind.ASSIGNED, investigation=investigation)

    return _act(investigation, "assign", by=by,
                reason=f"assigned to {investigator.get_username()}" + (f": {reason}" if reason else ""),
                expected_state=expected_state, args=(investigator,), after=record)


def reassign_investigator(investigation, investigator, *, by, attested, reason, expected_state=None):
    """A supervisor moves a case in progress to another investigator (conflict check again)."""
    _check_fresh(investigation, expected_state)
    if not policies.may_reassign(investigation, by):
        raise NotPermitted(_("Only a supervisor may reassign a case in progress."))
    reason = _require_reason(reason, _("Please give a reason for reassigning the case."))
    if investigator.pk == investigation.investigator_id:
        raise InvalidInput(_("The case is already assigned to that investigator."))
    _check_conflicts(investigation, investigator, attested, by=by)
    now = timezone.now()
    with transaction.atomic(), recorded(by=by, reason=f"reassigned to {investigator.get_username()}: {reason}"):
        for current in investigation.assignments.filter(ended_at__isnull=True):
            current.ended_at = now
            current.save()
        investigation.investigator = investigator
        _save(investigation)
        Assignment.objects.create(investigation=investigation, investigator=investigator, assigned_by=by,
                                  attested_no_relationship=attested, reason=reason)
        staff_notices.notify([investigator], NoticeKind.ASSIGNED, investigation=investigation)
    return investigation


# -- investigating -------------------------------------------------------------------------------------------


def start_investigation(investigation, *, by, expected_state=None):
    return _act(investigation, "start", by=by, reason="investigation started", expected_state=expected_state)


def begin_retaliation_check(investigation, *, by, expected_state=None):
    return _act(investigation, "begin_retaliation_check", by=by, reason="anti-retaliation check begun",
                expected_state=expected_state)


def resume_investigation(investigation, *, by, reason, expected_state=None):
    reason = _require_reason(reason, _("Please give a reason for going back to investigating."))
    return _act(investigation, "resume_investigation", by=by, reason="back to investigating: " + reason,
                expected_state=expected_state)


def _require_file_access(investigation, user):
    if not policies.may_edit_file(investigation, user):
        if investigation.state not in policies.WORK_STATES:
            raise TransitionNotAllowed(
                _("This case is '%(state)s'; the file can't be changed now.") % {
                    "state": investigation.get_state_display()}
            )
        raise NotPermitted(_("Only the assigned investigator may add to this case file."))


def record_finding(investigation, allegation, disposition, *, by, reason=""):
    """The investigator's recommended finding on one allegation (saved again when changed; history keeps all)."""
    _require_file_access(investigation, by)
    if allegation.complaint_id != investigation.complaint_id:
        raise InvalidInput(_("That allegation is not part of this case."))
    if disposition.requires_reason and not (reason or "").strip():
        raise MissingReason(_("A finding of '%(finding)s' needs a reason.") % {"finding": disposition.label()})
    with transaction.atomic(), recorded(by=by, reason=f"finding recommended: {disposition.code}"):
        finding = Finding.objects.filter(allegation=allegation, stage=Finding.Stage.RECOMMENDED).first()
        if finding is None:
            finding = Finding(investigation=investigation, allegation=allegation, stage=Finding.Stage.RECOMMENDED)
        finding.disposition = disposition
        finding.reason = reason
        finding.recorded_by = by
        finding.recorded_at = timezone.now()
        finding.save()
    return finding


def add_witness_officer(investigation, officer, *, by):
    _require_file_access(investigation, by)
    with transaction.atomic(), recorded(by=by, reason="witness officer identified"):
        witness, _created = WitnessOfficer.objects.get_or_create(investigation=investigation, officer=officer,
                                                          defaults={"added_by": by})
    return witness


def record_interview(investigation, *, by, interviewee, interviewee_role, held_at, kind, rights_notice,
                     summary="", party=None, officer=None):
    _require_file_access(investigation, by)
    if interviewee_role in ("accused", "witness_officer") and rights_notice == "n/a":
        raise InvalidInput(_("Say which rights notice (Garrity, Miranda or none) an officer was given."))
    with transaction.atomic(), recorded(by=by, reason="interview recorded"):
        interview = Interview.objects.create(
            investigation=investigation, interviewee=interviewee, interviewee_role=interviewee_role,
            held_at=held_at, kind=kind, rights_notice=rights_notice, summary=summary, party=party,
            officer=officer, recorded_by=by,
        )
        search.index_interview(interview)
    return interview


def add_note(investigation, *, by, body):
    if not policies.may_write_note(investigation, by):
        raise _refused_on_closed(investigation) or NotPermitted(
            _("Only the assigned investigator or a supervisor may write notes on this case."))
    body = _require_reason(body, _("The note is empty."))
    with transaction.atomic(), recorded(by=by, reason="note written"):
        note = Note.objects.create(investigation=investigation, author=by, body=body)
        search.index_note(note)
    return note


def add_task(investigation, *, by, title, due_on=None):
    if not policies.may_write_note(investigation, by):
        raise _refused_on_closed(investigation) or NotPermitted(
            _("Only the assigned investigator or a supervisor may add tasks to this case."))
    title = _require_reason(title, _("The task has no title."))
    with transaction.atomic(), recorded(by=by, reason="task added"):
        return Task.objects.create(investigation=investigation, title=title, due_on=due_on, created_by=by)


def complete_task(task, *, by):
    if not policies.may_write_note(task.investigation, by):
        raise _refused_on_closed(task.investigation) or NotPermitted(
            _("Only the assigned investigator or a supervisor may complete tasks on this case."))
    with transaction.atomic(), recorded(by=by, reason="task done"):
        task.done_at = timezone.now()
        task.save()
    return task


def carry_over_task(task, *, by, note=""):
    """Keep a task that is still to do past the case's closure: a recorded decision, not a task left open."""
    if not policies.may_write_note(task.investigation, by):
        raise _refused_on_closed(task.investigation) or NotPermitted(
            _("Only the assigned investigator or a supervisor may carry tasks over on this case."))
    with transaction.atomic(), recorded(by=by, reason="task carried over" + (f": {note}" if note else "")):
        task.carried_over_at = timezone.now()
        task.carried_over_note = note
        task.save()
    return task


def close_with_task_decisions(investigation, *, by, decisions, close):
    """Record each open task's decision ('done' or 'carried_over') and run `close`, all or nothing."""
    with transaction.atomic():
        for task, decision in decisions.items():
            if decision == "done":
                complete_task(task, by=by)
            else:
                carry_over_task(task, by=by, note=_("carried over when the case closed"))
        return close()


def send_message(investigation, *, by, body, language=None):
    """A message the complainant reads in the follow-up portal (in their preferred language)."""
    if not policies.may_message_complainant(investigation, by):
        raise _refused_on_closed(investigation) or NotPermitted(
            _("Only the assigned investigator or a supervisor may write to the complainant."))
    body = _require_reason(body, _("The message is empty."))
    complaint = investigation.complaint
    with transaction.atomic(), recorded(by=by, reason="message sent to the complainant"):
        notices.tell_filer(complaint)
        return Message.objects.create(
            complaint=complaint, direction=Message.Direction.TO_COMPLAINANT, author=by, body=body,
            language=language or complaint.preferred_language,
        )


def add_translation(investigation, *, by, language, text):
    """A staff translation of the narrative, kept beside the original with who made it."""
    if not policies.may_translate(investigation, by):
        raise _refused_on_closed(investigation) or NotPermitted(_("You may not add translations to this complaint."))
    text = _require_reason(text, _("The translation is empty."))
    language = _require_reason(language, _("Please give the translation's language."))
    with transaction.atomic(), recorded(by=by, reason=f"narrative translated to {language}"):
        translation = investigation.complaint.translations.create(language=language, text=text, translator=by)
        search.index_translation(investigation, translation)
    return translation


# -- anti-retaliation check ----------------------------------------------------------------------------------


def identified_people(investigation):
    """The complainants and witnesses with a name: the people the retaliation check covers one by one."""
    return [p for p in investigation.complaint.parties.order_by("pk") if p.name.strip()]


def encounters_after_complaint(investigation, party):
    """Stops, arrests and citations of `party` by an accused officer after the complaint was received."""
    key = EncounterLog.name_key(party.name)
    if not key:
        return EncounterLog.objects.none()
    return EncounterLog.objects.filter(
        subject_name_key=key,
        officer__in=investigation.accused_officers(),
        occurred_at__gte=investigation.complaint.received_at,
    ).select_related("officer").order_by("occurred_at")


def unseen_portal_reports(investigation):
    """Retaliation reports from the follow-up portal not yet covered by an earlier check."""
    reports = investigation.complaint.retaliation_reports.all()
    last = investigation.retaliation_checks.order_by("-performed_at").first()
    if last is not None:
        reports = reports.filter(reported_at__gt=last.performed_at)
    return reports


def record_retaliation_check(investigation, *, by, answers, notes="", expected_state=None):
    """Record the check for every identified complainant and witness; any concern opens a linked complaint.

    `answers` maps a party id to {'asked': bool, 'retaliation_described': bool, 'contact_found': bool,
    'notes': str}. Contact found in the encounter log counts whatever the investigator ticks.
    """
    _check_fresh(investigation, expected_state)
    if not policies.may_record_retaliation_check(investigation, by):
        if investigation.state != State.RETALIATION_CHECK:
            raise TransitionNotAllowed(
                _("The anti-retaliation check is recorded in the anti-retaliation check phase."))
        raise NotPermitted(_("Only the assigned investigator records the anti-retaliation check."))
    people = identified_people(investigation)
    missing = [p for p in people if p.pk not in answers]
    if missing:
        raise InvalidInput(_("Answer the check for every identified person: %(people)s") % {
            "people": ", ".join(p.name for p in missing)})
    portal_reports = list(unseen_portal_reports(investigation))
    with transaction.atomic(), recorded(by=by, reason="anti-retaliation check recorded"):
        check = RetaliationCheck.objects.create(
            investigation=investigation, performed_by=by, portal_reports_seen=len(portal_reports), notes=notes,
        )
        concerns = [f"Retaliation reported through the follow-up portal: {r.description}" for r in portal_reports]
        for party in people:
            answer = answers[party.pk]
            encounters = list(encounters_after_complaint(investigation, party))
            entry = RetaliationCheckEntry.objects.create(
                retaliation_check=check, party=party, encounters_found=len(encounters),
                contact_found=bool(encounters) or bool(answer.get("contact_found")),
                asked_about_retaliation=bool(answer.get("asked")),
                retaliation_described=bool(answer.get("retaliation_described")),
                notes=answer.get("notes", ""),
            )
            if entry.contact_found:
                concerns.append(
                    f"Contact between {party.name} and an accused officer after the complaint "
                    f"({len(encounters)} encounter(s) in the log)"
                )
            if entry.retaliation_described:
                concerns.append(f"{party.name} described retaliation: {entry.notes}")
        if concerns:
            check.concern_found = True
            check.spawned_complaint = _open_retaliation_complaint(investigation, concerns, by)
            check.save()
    return check


def _open_retaliation_complaint(investigation, concerns, by):
    original = investigation.complaint
    category = Category.objects.get(code="retaliation")
    accused = list(investigation.accused_officers())
    allegations = [{"officer": officer, "category": category, "summary": "Possible retaliation"}
                   for officer in accused] or [{"category": category, "summary": "Possible retaliation"}]
    parties = [{"role": p.role, "name": p.name, "phone": p.phone, "email": p.email,
                "preferred_language": p.preferred_language} for p in identified_people(investigation)]
    filer_role = (Complaint.FilerRole.ANONYMOUS if original.is_anonymous else Complaint.FilerRole.THIRD_PARTY)
    complaint, _code = file_complaint(
        narrative=(f"Opened by the anti-retaliation check of {original.reference}.\n" + "\n".join(concerns)),
        filer_role=filer_role, channel=Complaint.Channel.INTERNAL, language="en",
        preferred_language=original.preferred_language, related_to=original, urgent=True,
        district=original.district, parties=parties, allegations=allegations, by=by,
        reason=f"retaliation concern found in the anti-retaliation check of {original.reference}",
    )
    return complaint


# -- review --------------------------------------------------------------------------------------------------


def submit_for_review(investigation, *, by, expected_state=None):
    """The investigator sends findings to a supervisor: needs a finding per allegation and the retaliation check."""

    def check():
        if investigation.state == State.RETALIATION_CHECK and not policies.may_work(investigation, by):
            raise NotPermitted(_("Only the assigned investigator may submit this case for review."))
        if investigation.state in (State.INVESTIGATING, State.RETALIATION_CHECK):
            if not investigation.has_current_retaliation_check():
                raise RetaliationCheckMissing(
                    _("Record the anti-retaliation check before submitting for supervisor review.")
                )
            missing = investigation.allegations_without_finding()
            if missing:
                raise MissingFindings(_("These allegations have no finding yet: %(allegations)s") % {
                    "allegations": "; ".join(map(str, missing))})

    return _act(investigation, "submit_for_review", by=by, reason="submitted for supervisor review",
                expected_state=expected_state, before=check)


def _check_reviewer(investigation, by):
    if investigation.investigator_id == by.pk:
        raise ReviewerIsInvestigator(_("You investigated this case; another supervisor must review it."))


def approve_findings(investigation, *, by, reasons="", expected_state=None):
    """A supervisor (not the investigator) approves: the recommended findings become approved findings."""

    def check():
        _check_reviewer(investigation, by)

    def approve():
        now = timezone.now()
        already = {f.allegation_id: f for f in Finding.objects.filter(investigation=investigation,
                                                                      stage=Finding.Stage.APPROVED)}
        for recommended in investigation.findings.filter(stage=Finding.Stage.RECOMMENDED):
            approved = already.get(recommended.allegation_id)
            if approved is None:
                approved = Finding(investigation=investigation, allegation_id=recommended.allegation_id,
                                   stage=Finding.Stage.APPROVED)
            approved.disposition_id = recommended.disposition_id
            approved.reason = recommended.reason
            approved.recorded_by = by
            approved.recorded_at = now
            approved.save()
        Review.objects.create(investigation=investigation, reviewer=by, decision=Review.Decision.APPROVED,
                              reasons=reasons)
        send_case_decided(investigation, "findings approved")
        staff_notices.notify([investigation.investigator], NoticeKind.APPROVED, investigation=investigation)
        if investigation.has_sustained_findings():
            staff_notices.notify_decision_due(investigation)

    return _act(investigation, "approve", by=by, reason="findings approved" + (f": {reasons}" if reasons else ""),
                expected_state=expected_state, before=check, after=approve)


def return_for_more_work(investigation, *, by, reasons, expected_state=None):
    """A supervisor sends the case back with reasons; every return is kept as a Review."""

    def check():
        _check_reviewer(investigation, by)

    reasons = _require_reason(reasons, _("Please give the reasons for returning the case."))

    def record():
        Review.objects.create(investigation=investigation, reviewer=by, decision=Review.Decision.RETURNED,
                              reasons=reasons)
        staff_notices.notify([investigation.investigator], NoticeKind.RETURNED, investigation=investigation)

    return _act(investigation, "return_for_more_work", by=by, reason="returned for more work: " + reasons,
                expected_state=expected_state, before=check, after=record)


def close_investigation(investigation, *, by, reason="", expected_state=None):
    """Close a case with approved findings and nothing sustained (sustained cases close with discipline)."""

    def check():
        if investigation.state == State.FINDINGS_APPROVED and investigation.has_sustained_findings():
            raise TransitionNotAllowed(
                _("Something is sustained: the chief records final discipline, which closes it."))
        _require_tasks_settled(investigation)

    def closed():
        # Closing fixes whether a separation happened "during the investigation".
        send_case_decided(investigation, "the case was closed")

    return _act(investigation, "close", by=by, reason="closed" + (f": {reason}" if reason else ""),
                expected_state=expected_state, before=check, after=closed)


def reopen_investigation(investigation, *, by, reason, public_reason="", expected_state=None):
    """A supervisor reopens a closed case (e.g. new evidence); it goes back to its investigator."""
    reason = _require_reason(reason, _("Please give a reason for reopening the case."))
    investigation.public_reason = public_reason
    return _act(investigation, "reopen", by=by, reason="reopened: " + reason, expected_state=expected_state)


# -- discipline ----------------------------------------------------------------------------------------------


def _check_discipline_values(outcome, suspension_days, reason):
    if outcome not in DisciplineDecision.Outcome.values:
        raise InvalidDiscipline(_("Choose a discipline outcome."))
    if outcome == DisciplineDecision.Outcome.SUSPENSION and not suspension_days:
        raise InvalidDiscipline(_("A suspension needs its number of days."))
    if outcome == DisciplineDecision.Outcome.NONE and not (reason or "").strip():
        raise InvalidDiscipline(_("No discipline for a sustained allegation needs a reason."))


def record_final_discipline(investigation, officer, *, by, outcome, effective_date, suspension_days=None,
                            reason="", expected_state=None):
    """The chief's final discipline for one officer with a sustained allegation; the last one closes the case."""
    _check_fresh(investigation, expected_state)
    if investigation.state != State.FINDINGS_APPROVED:
        raise TransitionNotAllowed(_("Final discipline is recorded once findings are approved."))
    if not policies.may_decide_discipline(investigation, by):
        raise NotPermitted(_("Only the chief records final discipline."))
    if officer not in investigation.officers_awaiting_discipline():
        raise InvalidDiscipline(_("%(officer)s has no sustained allegation awaiting a decision in this case.") % {
            "officer": officer})
    _check_discipline_values(outcome, suspension_days, reason)
    with transaction.atomic(), recorded(by=by, reason=f"final discipline for {officer}: {outcome}"):
        decision = DisciplineDecision.objects.create(
            investigation=investigation, officer=officer, outcome=outcome, effective_date=effective_date,
            suspension_days=suspension_days if outcome == DisciplineDecision.Outcome.SUSPENSION else None,
            reason=reason, decided_by=by,
        )
        if not investigation.officers_awaiting_discipline():
            _require_tasks_settled(investigation)
            with recorded(by=by, reason="closed: final discipline recorded for every sustained officer"):
                _transition(investigation, "complete_discipline", by)
                _save(investigation)
        send_case_decided(investigation, f"discipline recorded ({decision.kind})")
    return decision


def record_discipline_change(original, *, by, kind, outcome, effective_date, suspension_days=None, reason):
    """A later change (appeal, grievance, arbitration, court) as a new record pointing at the decision it changes."""
    investigation = original.investigation
    if not policies.may_decide_discipline(investigation, by):
        raise NotPermitted(_("Only the chief records changes to discipline."))
    if kind == DisciplineDecision.Kind.FINAL or kind not in DisciplineDecision.Kind.values:
        raise InvalidDiscipline(_("Say what changed the decision (appeal, grievance, arbitration or court)."))
    reason = _require_reason(reason, _("Please give a reason for the change to the discipline."))
    _check_discipline_values(outcome, suspension_days, reason)
    with transaction.atomic(), recorded(by=by, reason=f"discipline changed by {kind}: {reason}"):
        decision = DisciplineDecision.objects.create(
            investigation=investigation, officer=original.officer, kind=kind, outcome=outcome,
            effective_date=effective_date, reason=reason, changes=original, decided_by=by,
            suspension_days=suspension_days if outcome == DisciplineDecision.Outcome.SUSPENSION else None,
        )
        send_case_decided(investigation, f"discipline recorded ({decision.kind})")
    return decision


def current_discipline(decision):
    """The decision in force: the newest change in the chain starting at `decision`."""
    current = decision
    while True:
        newer = current.changed_by.order_by("-decided_at", "-pk").first()
        if newer is None:
            return current
        current = newer


# -- officers ------------------------------------------------------------------------------------------------


def record_officer_separation(officer, *, by, investigation, separation_date, reason, notes="",
                              notice_served=False):
    """Record that an accused officer left the agency. The investigation goes on: separation never closes it."""
    if not policies.may_record_separation(investigation, by):
        raise NotPermitted(_("You may not record separations on this case."))
    if not investigation.accused_officers().filter(pk=officer.pk).exists():
        raise InvalidInput(_("%(officer)s is not accused in this case.") % {"officer": officer})
    if reason not in Officer.SeparationReason.values:
        raise InvalidInput(_("Choose the reason for the separation."))
    with transaction.atomic(), recorded(by=by, reason=f"officer separated ({reason}) during {investigation.complaint}"):
        separation = OfficerSeparation.objects.create(
            officer=officer, investigation=investigation, separation_date=separation_date, reason=reason,
            notes=notes, notice_served=notice_served, recorded_by=by,
        )
        officer.employment_status = Officer.EmploymentStatus.SEPARATED
        officer.separation_date = separation_date
        officer.separation_reason = reason
        officer.separation_notes = notes
        officer.save()
        send_case_decided(investigation, f"a separation ({separation.reason})")
    return separation


def investigators():
    """Staff accounts that can be assigned cases."""
    return get_user_model().objects.filter(groups__name=roles.INVESTIGATOR, is_active=True).order_by("username")



# -- evidence staff gather, with its chain of custody (issue 12) ------------------------------------------


def _require_evidence_access(investigation, by, allowed):
    if not allowed(investigation, by):
        raise _refused_on_closed(investigation) or NotPermitted(
            _("Only the assigned investigator or a supervisor may add evidence or record its custody on this case."))


def _person(user, name, missing):
    """(staff user or None, name as written) for one side of a custody step; `missing` when neither is given."""
    name = (name or "").strip()
    if user is None and not name:
        raise InvalidInput(missing)
    return user, ("" if user is not None else name)


def _when(at):
    now = timezone.now()
    at = at or now
    # A minute's grace for clocks a little ahead; a later time is a typing mistake.
    if at > now + datetime.timedelta(minutes=1):
        raise InvalidInput(_("The time of a custody step cannot be in the future."))
    return at


def _check_source(source):
    if source not in EvidenceSource.values:
        raise InvalidInput(_("Say where the evidence came from."))


def add_staff_evidence(investigation, upload, *, by, source, received_from=None, received_from_name="",
                       received_at=None, description="", notes=""):
    """A file staff gathered (body-worn camera footage, a report, a photo of injuries), with its receipt as the
    first custody record.

    Stored as the public's files are (hashed while streamed, typed from its bytes, processed in the background),
    outside any transaction; the records are written in one.
    """
    _require_evidence_access(investigation, by, policies.may_add_evidence)
    _check_source(source)
    from_user, from_name = _person(received_from, received_from_name,
                                   _("Say whom the evidence was received from."))
    at = _when(received_at)
    upload = evidence_files.inspect(upload)
    if upload.refusal:
        raise InvalidInput(_("This file cannot be added: it is empty, too large or not a video, photo, audio "
                             "recording or PDF."))
    stored = evidence_files.store(upload)
    complaint = investigation.complaint
    with transaction.atomic(), recorded(by=by, reason=f"evidence gathered by staff ({source})"):
        [evidence] = attach_evidence(complaint, [stored], by=by, reason=f"evidence gathered by staff ({source})",
                                     source=source, description=description.strip())
        CustodyRecord.objects.create(evidence=evidence, kind=CustodyRecord.Kind.RECEIVED, from_user=from_user,
                                     from_name=from_name, to_user=by, at=at, notes=notes.strip(), recorded_by=by)
    return evidence


def add_physical_evidence(investigation, *, by, description, storage_location, source, seal_number="",
                          received_from=None, received_from_name="", received_at=None, notes=""):
    """An item of physical evidence (description, where it is kept, its seal), with its receipt as first custody."""
    _require_evidence_access(investigation, by, policies.may_add_evidence)
    _check_source(source)
    description = _require_reason(description, _("Describe the item."))
    storage_location = _require_reason(storage_location, _("Say where the item is kept."))
    from_user, from_name = _person(received_from, received_from_name, _("Say whom the evidence was received from."))
    at = _when(received_at)
    with transaction.atomic(), recorded(by=by, reason=f"physical evidence received ({source})"):
        item = PhysicalEvidence.objects.create(
            complaint=investigation.complaint, description=description, source=source,
            storage_location=storage_location, seal_number=seal_number.strip(), added_by=by)
        CustodyRecord.objects.create(item=item, kind=CustodyRecord.Kind.RECEIVED, from_user=from_user,
                                     from_name=from_name, to_user=by, at=at, location=storage_location,
                                     notes=notes.strip(), recorded_by=by)
    return item


def current_holder(thing):
    """(staff user or None, name) of whoever received `thing` (an Evidence or PhysicalEvidence) last."""
    last = thing.custody.exclude(kind=CustodyRecord.Kind.CHECKED).order_by("-at", "-pk").first()
    if last is None:
        return None, ""
    return last.to_user, last.to_name


def record_custody(investigation, *, by, evidence=None, item=None, kind, to_user=None, to_name="", at=None,
                   seal_intact=None, location="", notes=""):
    """One later step in the chain of custody of a file or an item: transferred, checked out, returned, checked.

    The giver is whoever holds it now (the last receiver); a check names no receiver, and on a sealed item says
    whether the seal was intact. A new location moves the item. Records are only ever added.
    """
    _require_evidence_access(investigation, by, policies.may_record_custody)
    thing = evidence or item
    if thing is None or thing.complaint_id != investigation.complaint_id:
        raise InvalidInput(_("That evidence is not part of this case."))
    if kind not in CustodyRecord.Kind.values or kind == CustodyRecord.Kind.RECEIVED:
        raise InvalidInput(_("Choose what happened: transferred, checked out, returned or checked."))
    at = _when(at)
    location, notes = location.strip(), notes.strip()
    if kind == CustodyRecord.Kind.CHECKED:
        to_user, to_name = None, ""
        if item is not None and item.seal_number and seal_intact is None:
            raise InvalidInput(_("Say whether the seal was intact."))
    else:
        to_user, to_name = _person(to_user, to_name, _("Say who received it."))
        seal_intact = None
    from_user, from_name = current_holder(thing)
    with transaction.atomic(), recorded(by=by, reason=f"custody: {kind}"):
        record = CustodyRecord.objects.create(
            evidence=evidence, item=item, kind=kind, from_user=from_user, from_name=from_name, to_user=to_user,
            to_name=to_name, at=at, seal_intact=seal_intact, location=location, notes=notes, recorded_by=by)
        if item is not None and location and location != item.storage_location:
            item.storage_location = location
            item.save()
    return record


# -- linked complaints (issue 12) ----------------------------------------------------------------------------


def main_complaint(complaint):
    """The complaint `complaint` was joined into as a duplicate, or None."""
    link = (ComplaintLink.objects.filter(complaint=complaint, kind=ComplaintLink.Kind.DUPLICATE_OF)
            .select_related("other").first())
    return link.other if link else None


def link_complaints(investigation, other, *, by, kind, reason, expected_state=None):
    """Mark this case's complaint a duplicate of, related to, or spawned by `other`, with a reason.

    A duplicate is closed administratively into `other` (the main case) in the same transaction; nothing of it
    is removed. `other` must be a complaint `by` may see, and never one that is itself a duplicate.
    """
    if not policies.may_link_complaints(investigation, by):
        raise _refused_on_closed(investigation) or NotPermitted(
            _("Your role or assignment does not allow linking complaints on this case."))
    complaint = investigation.complaint
    other_case = investigation_for(other) if other is not None else None
    if other_case is None or not policies.can_view_case(by, other_case):
        raise InvalidInput(_("No complaint you may open has that reference."))
    if other.pk == complaint.pk:
        raise InvalidInput(_("A complaint cannot be linked to itself."))
    if kind not in ComplaintLink.Kind.values:
        raise InvalidInput(_("Choose how the complaints are linked."))
    reason = _require_reason(reason, _("Please give a reason for linking the complaints."))
    if ComplaintLink.objects.filter(complaint=complaint, other=other, kind=kind).exists():
        raise InvalidInput(_("These complaints are already linked that way."))
    duplicate = kind == ComplaintLink.Kind.DUPLICATE_OF
    if duplicate:
        if main_complaint(complaint) is not None:
            raise InvalidInput(_("This complaint is already joined into another as a duplicate."))
        if main_complaint(other) is not None:
            raise InvalidInput(_("That complaint is itself a duplicate: link this one to its main complaint."))
        if ComplaintLink.objects.filter(other=complaint, kind=ComplaintLink.Kind.DUPLICATE_OF).exists():
            raise InvalidInput(_("Other complaints were joined into this one, so it cannot become a duplicate."))
        if not policies.may_close_as_duplicate(investigation, by):
            raise NotPermitted(_("Only intake (during triage) or a supervisor may close a complaint as a "
                                 "duplicate."))

    def record():
        ComplaintLink.objects.create(complaint=complaint, other=other, kind=kind, reason=reason, linked_by=by)

    if not duplicate:
        with transaction.atomic(), recorded(by=by, reason=f"complaints linked ({kind})"):
            record()
        return investigation
    def join():
        _require_tasks_settled(investigation)
        record()

    investigation.public_reason = ""
    return _act(investigation, "close_as_duplicate", by=by, expected_state=expected_state,
                reason=f"closed as a duplicate of {other.reference}", before=join)


# -- exports -------------------------------------------------------------------------------------------------


def export_case_file(investigation, *, by):
    """(PDF bytes, filename, log row) of the whole case in `by`'s language, showing parties as `by` may see them.

    Every export is logged with the SHA-256 of its bytes and the history chain head.
    """
    from .casefile import case_file_pdf

    if not policies.can_export_case_file(by, investigation):
        raise NotPermitted(_("Only supervisors and the assigned investigator export the case file."))
    head = chain_head()
    content = case_file_pdf(investigation, head, exported_by=by,
                            contact_details=policies.can_view_contact_details(by, investigation))
    filename = f"case-file-{investigation.complaint.reference}.pdf"
    with transaction.atomic(), recorded(by=by, reason="case file exported as pdf"):
        log = CaseFileExport.objects.create(
            investigation=investigation, filename=filename, size=len(content),
            sha256=hashlib.sha256(content).hexdigest(), chain_head=head, language=get_language() or "",
            exported_by=by,
        )
        # Every export also anchors the signed chain heads outside the database (issue 9), once committed.
        transaction.on_commit(lambda: anchor_heads(reason=f"case file export {log.pk}"), robust=True)
    return content, filename, log
