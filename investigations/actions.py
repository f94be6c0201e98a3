"""The staff actions on a case, in one table: action -> form -> service -> policy.

The views look an action up here by the name in its URL and nothing else picks a service. Who may take an
action is asked of `investigations.policies.may_take` / `may_attempt` under the same name. An action either has
its own page (`staff:action`, a status change or a long form) or is a small form on the case page
(`staff:case_post`); a refusal re-shows the same form, as typed, where it was filled in.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from complaints.models import Officer

from . import forms, services
from .exceptions import InvalidInput
from .models import TRANSITION_LABELS

OWN_PAGE, CASE_PAGE = "own page", "case page"


@dataclass(frozen=True)
class CaseAction:
    name: str
    label: Any
    form: Callable  # (case, data or None) -> a form; unbound forms carry the case's state (stale-tab check)
    service: Callable  # (case, user, valid form) -> the service's result; raises a WorkflowError to refuse
    page: str = OWN_PAGE
    files: bool = False  # the form takes uploaded files (form(case, data, files))


def _initial(case):
    return {"expected_state": case.state}


def _expected(data):
    return data.get("expected_state") or None


def _reason_form(case, data=None):
    return forms.ReasonForm(data, initial=_initial(case))


def _public_reason_form(case, data=None):
    return forms.PublicReasonForm(data, initial=_initial(case))


def _closing_form(form_class):
    return lambda case, data=None: form_class(data, initial=_initial(case), open_tasks=_open_tasks(case))


def _assign_form(case, data=None):
    return forms.AssignForm(data, investigators=services.investigators(), initial=_initial(case))


def _transition(service, *fields, reason_as="reason"):
    """A transition service called with the form's reason (and the named fields) and the stale-tab check."""

    def call(case, user, form):
        data = form.cleaned_data
        extra = {field: data.get(field, "") for field in fields}
        if reason_as and "reason" in data:
            extra[reason_as] = data["reason"]
        return service(case, by=user, expected_state=_expected(data), **extra)

    return call


def _open_tasks(case):
    return case.tasks.filter(done_at__isnull=True, carried_over_at__isnull=True)


def _closing(service, *fields, reason_as="reason"):
    """A service that closes the case: each open task's decision (done or carried over) is recorded with it."""
    close = _transition(service, *fields, reason_as=reason_as)

    def call(case, user, form):
        return services.close_with_task_decisions(case, by=user, decisions=form.task_decisions(),
                                                  close=lambda: close(case, user, form))

    return call


def _triage(case, user, form):
    data = form.cleaned_data
    return services.triage_complaint(case, by=user, reason=data["reason"], related_to=data["related_reference"],
                                     allegation_changes=form.allegation_changes(), expected_state=_expected(data))


def _assign(service):
    def call(case, user, form):
        data = form.cleaned_data
        return service(case, data["investigator"], by=user, attested=data["attested"], reason=data["reason"],
                       expected_state=_expected(data))

    return call


def _retaliation_check(case, user, form):
    return services.record_retaliation_check(case, by=user, answers=form.answers(), notes=form.cleaned_data["notes"],
                                             expected_state=_expected(form.cleaned_data))


def _finding_form(case, data=None):
    allegation_id = (data or {}).get("allegation_id", "")
    return forms.FindingForm(data, prefix=f"a{allegation_id}")


def _finding(case, user, form):
    data = form.cleaned_data
    allegation = case.complaint.allegations.filter(pk=data["allegation"]).first()
    if allegation is None:
        raise InvalidInput(_("That allegation is not part of this case."))
    return services.record_finding(case, allegation, data["disposition"], by=user, reason=data["reason"])


def _message_form(case, data=None):
    return forms.MessageForm(data, initial={"language": case.complaint.preferred_language})


def _separation_form(case, data=None):
    return forms.SeparationForm(data, officers=case.accused_officers())


def _separation(case, user, form):
    data = form.cleaned_data
    return services.record_officer_separation(
        data["officer"], by=user, investigation=case, separation_date=data["separation_date"],
        reason=data["reason"], notes=data["notes"], notice_served=data["notice_served"])


def _discipline_form(case, data=None):
    if data is None:
        officers = Officer.objects.filter(pk__in=[o.pk for o in case.officers_awaiting_discipline()])
        return forms.DisciplineForm(officers=officers, initial=_initial(case))
    return forms.DisciplineForm(data, officers=case.accused_officers())


def _discipline(case, user, form):
    data = form.cleaned_data
    return services.record_final_discipline(
        case, data["officer"], by=user, outcome=data["outcome"], effective_date=data["effective_date"],
        suspension_days=data["suspension_days"], reason=data["reason"], expected_state=_expected(data))


def _discipline_change(case, user, form):
    data = form.cleaned_data
    original = case.discipline_decisions.filter(pk=data["original"]).first()
    if original is None:
        raise InvalidInput(_("That discipline decision is not part of this case."))
    return services.record_discipline_change(
        original, by=user, kind=data["kind"], outcome=data["outcome"], effective_date=data["effective_date"],
        suspension_days=data["suspension_days"], reason=data["reason"])


def _staff_evidence(case, user, form):
    data = form.cleaned_data
    return services.add_staff_evidence(
        case, data["file"], by=user, source=data["source"], received_from=data["received_from"],
        received_from_name=data["received_from_name"], received_at=data["received_at"],
        description=data["description"], notes=data["notes"])


def _physical_evidence(case, user, form):
    data = form.cleaned_data
    return services.add_physical_evidence(
        case, by=user, description=data["description"], storage_location=data["storage_location"],
        seal_number=data["seal_number"], source=data["source"], received_from=data["received_from"],
        received_from_name=data["received_from_name"], received_at=data["received_at"], notes=data["notes"])


def _custody(case, user, form):
    data = form.cleaned_data
    complaint = case.complaint
    evidence = complaint.evidence.filter(pk=data["evidence"]).first() if data["evidence"] else None
    item = complaint.physical_evidence.filter(pk=data["item"]).first() if data["item"] else None
    if evidence is None and item is None:
        raise InvalidInput(_("That evidence is not part of this case."))
    return services.record_custody(
        case, by=user, evidence=evidence, item=item if evidence is None else None, kind=data["kind"],
        to_user=data["to_user"], to_name=data["to_name"], at=data["at"], seal_intact=form.seal(),
        location=data["location"], notes=data["notes"])


def _link(case, user, form):
    data = form.cleaned_data
    return services.link_complaints(case, data["other_reference"], by=user, kind=data["kind"],
                                    reason=data["reason"], expected_state=_expected(data))


def _plain(form_class):
    return lambda case, data=None: form_class(data)


def _label(name):
    return TRANSITION_LABELS[name][0]


_TABLE = [
    # status changes, each on its own page
    CaseAction("triage", _label("triage"),
               lambda case, data=None: forms.TriageForm(data, initial=_initial(case), allegations=(
                   case.complaint.allegations.select_related("officer", "category"))), _triage),
    CaseAction("assign", _label("assign"), _assign_form, _assign(services.assign_investigator)),
    CaseAction("reassign", _("Reassign investigator"), _assign_form, _assign(services.reassign_investigator)),
    CaseAction("start", _label("start"), _reason_form, _transition(services.start_investigation, reason_as=None)),
    CaseAction("begin_retaliation_check", _label("begin_retaliation_check"), _reason_form,
               _transition(services.begin_retaliation_check, reason_as=None)),
    CaseAction("retaliation_check", _("Record the anti-retaliation check"),
               lambda case, data=None: forms.RetaliationCheckForm(
                   data, initial=_initial(case), people=services.identified_people(case)), _retaliation_check),
    CaseAction("resume_investigation", _label("resume_investigation"), _reason_form,
               _transition(services.resume_investigation)),
    CaseAction("submit_for_review", _label("submit_for_review"), _reason_form,
               _transition(services.submit_for_review, reason_as=None)),
    CaseAction("approve", _label("approve"), _reason_form, _transition(services.approve_findings, reason_as="reasons")),
    CaseAction("return_for_more_work", _label("return_for_more_work"), _reason_form,
               _transition(services.return_for_more_work, reason_as="reasons")),
    CaseAction("close", _label("close"), _closing_form(forms.ClosingForm), _closing(services.close_investigation)),
    CaseAction("reopen", _label("reopen"), _public_reason_form,
               _transition(services.reopen_investigation, "public_reason")),
    CaseAction("refer_out", _label("refer_out"), _closing_form(forms.ReferForm),
               _closing(services.refer_out, "referred_to", "public_reason")),
    CaseAction("close_administratively", _label("close_administratively"),
               _closing_form(forms.AdministrativeCloseForm),
               _closing(services.close_administratively, "public_reason")),
    # additions to the case file, each a small form on the case page
    CaseAction("finding", _("Record finding"), _finding_form, _finding, CASE_PAGE),
    CaseAction("note", _("Save note"), _plain(forms.NoteForm),
               lambda case, user, form: services.add_note(case, by=user, **form.cleaned_data), CASE_PAGE),
    CaseAction("task", _("Add task"), _plain(forms.TaskForm),
               lambda case, user, form: services.add_task(case, by=user, **form.cleaned_data), CASE_PAGE),
    CaseAction("message", _("Send"), _message_form,
               lambda case, user, form: services.send_message(case, by=user, **form.cleaned_data), CASE_PAGE),
    CaseAction("translation", _("Save translation"), _plain(forms.TranslationForm),
               lambda case, user, form: services.add_translation(case, by=user, **form.cleaned_data), CASE_PAGE),
    CaseAction("witness", _("Add a witness officer"), _plain(forms.WitnessOfficerForm),
               lambda case, user, form: services.add_witness_officer(case, form.cleaned_data["officer"], by=user),
               CASE_PAGE),
    CaseAction("interview", _("Record an interview"), _plain(forms.InterviewForm),
               lambda case, user, form: services.record_interview(case, by=user, **form.cleaned_data), CASE_PAGE),
    CaseAction("separation", _("Record separation"), _separation_form, _separation, CASE_PAGE),
    CaseAction("discipline", _("Record final discipline"), _discipline_form, _discipline, CASE_PAGE),
    CaseAction("discipline_change", _("Record change"), _plain(forms.DisciplineChangeForm), _discipline_change,
               CASE_PAGE),
    CaseAction("evidence_file", _("Add the file"), lambda case, data=None, files=None: forms.StaffEvidenceForm(
        data, files), _staff_evidence, CASE_PAGE, files=True),
    CaseAction("physical_evidence", _("Add the item"), _plain(forms.PhysicalEvidenceForm), _physical_evidence,
               CASE_PAGE),
    CaseAction("custody", _("Record custody"), _plain(forms.CustodyForm), _custody, CASE_PAGE),
    CaseAction("link", _("Link"), lambda case, data=None: forms.LinkForm(data, initial=_initial(case)), _link,
               CASE_PAGE),
]

ACTIONS = {action.name: action for action in _TABLE}
# The status changes offered as buttons on the case page, in this order (final discipline closes by itself).
STATUS_CHANGES = [a.name for a in _TABLE if a.page == OWN_PAGE and a.name in TRANSITION_LABELS]
