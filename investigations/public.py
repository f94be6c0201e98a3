"""What the public may know about a complaint's progress: the one function the intake site reads.

The intake app imports nothing else from investigations.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Public step per state: (timeline label, status label). Internal phases the public need not tell apart share
# a step (triaged and assigned are both "under review"; the anti-retaliation check is part of investigating).
_STEPS = {
    "received": (_("Complaint received"), _("Received: your complaint is waiting to be reviewed.")),
    "triaged": (_("Under review"), _("Under review: staff are reading your complaint and deciding who handles it.")),
    "assigned": (_("Under review"), _("Under review: staff are reading your complaint and deciding who handles it.")),
    "investigating": (_("Being investigated"), _("Being investigated: an investigator is working on your complaint.")),
    "retaliation_check": (_("Being investigated"),
                          _("Being investigated: an investigator is working on your complaint.")),
    "supervisor_review": (_("Under supervisor review"),
                          _("Under supervisor review: a supervisor is checking the investigation.")),
    "findings_approved": (_("Decision made"),
                          _("Decision made: the investigation is finished and a final decision is being recorded.")),
    "closed": (_("Closed"), _("Closed: the investigation of your complaint is finished.")),
    "referred": (_("Referred to another agency"),
                 _("Referred: your complaint was sent to another agency that handles this kind of case.")),
    "administratively_closed": (_("Closed"), _("Closed: your complaint was closed without a full investigation.")),
}
# A duplicate closed into another complaint (complaints.ComplaintLink): the filer is told it was joined, never with
# whom, and reads the main complaint's status.
_JOINED = (_("Joined with another complaint"),
           _("Joined: your complaint was joined with another complaint about the same events. They are handled "
             "together, and nothing you sent is lost."))
_REOPENED = (_("Reopened"), _("Reopened: the investigation of your complaint has started again."))
# Only these steps carry the reason written for the public (never staff notes or names).
_WITH_PUBLIC_REASON = {"referred", "administratively_closed", "reopened"}
_FINISHED = {"closed", "administratively_closed", "referred"}


def public_status(complaint, *, follow_joined=True):
    """{'label': plain-language status, 'timeline': [{'at': datetime, 'label': str, 'reason': str}, ...]}.

    Only steps and reasons meant for the complainant; never staff names, notes or findings before they are final.
    """
    from .models import Investigation

    investigation = Investigation.objects.filter(complaint_id=complaint.pk).only("pk").first()
    if investigation is None:
        return {
            "label": _STEPS["received"][1],
            "timeline": [{"at": complaint.received_at, "label": _STEPS["received"][0], "reason": ""}],
        }
    main = _main_complaint(complaint) if follow_joined else None
    rows = (Investigation.history.filter(id=investigation.pk).order_by("history_date", "history_id")
            .values_list("history_date", "state", "public_reason"))
    timeline, previous_state, label = [], None, _STEPS["received"][1]
    for at, state, public_reason in rows:
        if state == previous_state:
            continue
        if previous_state in _FINISHED and state not in _FINISHED:
            step, label, key = _REOPENED[0], _REOPENED[1], "reopened"
        elif state == "administratively_closed" and main is not None:
            step, label = _JOINED
            key = "joined"
        else:
            step, label = _STEPS.get(state, _STEPS["received"])
            key = state
        at = complaint.received_at if previous_state is None else at
        reason = public_reason if key in _WITH_PUBLIC_REASON else ""
        if not timeline or timeline[-1]["label"] != step or reason:
            timeline.append({"at": at, "label": step, "reason": reason})
        previous_state = state
    if not timeline:
        timeline.append({"at": complaint.received_at, "label": _STEPS["received"][0], "reason": ""})
    status = {"label": label, "timeline": timeline}
    if main is not None:
        # Only the main complaint's status label: never its reference, its filer or anything they wrote.
        status["joined"] = {"label": public_status(main, follow_joined=False)["label"]}
    return status


def _main_complaint(complaint):
    from complaints.models import ComplaintLink

    link = ComplaintLink.objects.filter(complaint_id=complaint.pk, kind=ComplaintLink.Kind.DUPLICATE_OF).first()
    # The main complaint is never itself a duplicate (investigations.services.link_complaints refuses it).
    return link.other if link is not None and link.other_id != complaint.pk else None


def same_public_step(state, other):
    """Whether the public sees no change between two states (e.g. triaged and assigned are both "under review")."""
    with translation.override(None):
        return str(_STEPS.get(state, _STEPS["received"])[1]) == str(_STEPS.get(other, _STEPS["received"])[1])


# What each finding means, in plain words, for the filer (locale/GLOSSARY.md). Keyed by Disposition.code; a
# finding an agency adds without an explanation here shows its label only.
FINDING_EXPLANATIONS = {
    "sustained": _("The investigation found enough evidence that the officer did what was described, and that it "
                   "broke the rules."),
    "not-sustained": _("The investigation could not find enough evidence to show whether it happened or not. "
                       "This does not mean anyone thinks you were wrong."),
    "exonerated": _("The investigation found that it happened, but that the law and the department's rules "
                    "allowed what the officer did."),
    "unfounded": _("The investigation found that what was described did not happen, or that this officer was not "
                   "involved. It does not mean anyone thinks you lied."),
    "policy-failure": _("The officer followed the rules, but the rules or the training were not good enough. "
                        "The department is asked to change them."),
    "administratively-closed": _("This part of the complaint was closed without a full decision, for example "
                                 "because the officer could not be identified. You can ask us why."),
}
DISCIPLINE_IMPOSED = _("Discipline was imposed on the officer.")
NO_DISCIPLINE = _("No discipline was imposed on the officer.")


def finding_explanation(code):
    return FINDING_EXPLANATIONS.get(code, "")


def public_outcome(complaint):
    """The outcome the filer may read once the case is closed, else None.

    [{'category': str, 'finding': str, 'explanation': str, 'discipline': str}] per allegation: the approved
    finding in plain words and, for a sustained one, whether discipline was imposed (never which).
    """
    from .models import DisciplineDecision, Finding, Investigation, State
    from .services import current_discipline

    investigation = Investigation.objects.filter(complaint_id=complaint.pk).first()
    if investigation is None or investigation.state != State.CLOSED:
        return None
    findings = {f.allegation_id: f for f in Finding.objects.filter(
        investigation=investigation, stage=Finding.Stage.APPROVED).select_related("disposition")}
    decisions = {}
    for decision in investigation.discipline_decisions.filter(changes__isnull=True):
        decisions[decision.officer_id] = current_discipline(decision).outcome
    rows = []
    for allegation in complaint.allegations.select_related("category").order_by("pk"):
        finding = findings.get(allegation.pk)
        if finding is None:
            continue
        discipline = ""
        if finding.disposition.is_sustained and allegation.officer_id in decisions:
            imposed = decisions[allegation.officer_id] != DisciplineDecision.Outcome.NONE
            discipline = DISCIPLINE_IMPOSED if imposed else NO_DISCIPLINE
        rows.append({
            "category": allegation.category.label(),
            "finding": finding.disposition.label(),
            "explanation": finding_explanation(finding.disposition.code),
            "discipline": discipline,
        })
    return rows
