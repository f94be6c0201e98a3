"""Writes of the referral module: one function per thing that happens, atomic, each leaving history with a reason.

`evaluate_case` is run by the system once per workflow action that records approved findings, a final discipline,
a change to it, a separation or a closing (investigations.signals.case_decided, connected in apps.py); the rest
are what the POST liaison and supervisors do. Every export goes through here so it is logged with its SHA-256
and the history chain head.
"""

import datetime
import hashlib

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.anchors import anchor_heads
from complaints.chain import chain_head
from complaints.history import SYSTEM, acting, recorded
from investigations.exceptions import InvalidInput, MissingReason, NotPermitted, TransitionNotAllowed
from investigations.models import Investigation
from staffnotices import services as staff_notices

from . import exports, policies, rules
from .models import ExportLog, Referral, Status

# -- evaluation ----------------------------------------------------------------------------------------------


def _officers_to_check(investigation):
    """The accused officers of the case and any officer already referred in it, in one query."""
    from complaints.models import Officer

    return list(Officer.objects.filter(Q(allegations__complaint_id=investigation.complaint_id)
                                       | Q(post_referrals__investigation=investigation)).distinct().order_by("pk"))


def _describe(decision):
    text = decision.get_outcome_display()
    if decision.suspension_days:
        text += f" ({decision.suspension_days} days)"
    return f"{text}, {decision.get_kind_display()} on {timezone.localdate(decision.decided_at)}"


def evaluate_case(investigation, *, event):
    """Create or update the referral of every officer in the case against the rules in force; return them.

    Never closes or removes a referral: when no rule is met any more, it is flagged for a supervisor's review.
    A referral already sent keeps what was sent; a change after sending is noted for the liaison.
    """
    touched = []
    # The system evaluates, whoever's action set it off: history says "system", and the reason names the event.
    with transaction.atomic(), acting(label=SYSTEM), recorded(label=SYSTEM,
                                                              reason=f"POST referral rules evaluated after {event}"):
        for officer in _officers_to_check(investigation):
            bases = rules.bases_for(investigation, officer)
            referral = Referral.objects.select_for_update().filter(investigation=investigation,
                                                                   officer=officer).first()
            if referral is None and not bases:
                continue
            if referral is None:
                referral = Referral(investigation=investigation, officer=officer)
            is_new = referral.pk is None
            if _apply(referral, bases):
                referral.evaluated_at = timezone.now()
                # The related rows were just read and the row is locked: only the field values need checking.
                referral.full_clean(exclude=["investigation", "officer", "rule", "discipline", "separation"],
                                    validate_unique=False, validate_constraints=False)
                referral.save()
                if is_new:
                    staff_notices.notify_referral_due(referral)
            touched.append(referral)
    return touched


def _apply(referral, bases):
    """Bring `referral` in line with `bases`; True when something changed."""
    before = _snapshot(referral)
    codes = list(dict.fromkeys(b.rule.code for b in bases))
    if bases:
        first = bases[0]
        if referral.status == Status.DUE or referral.pk is None:
            referral.rule = first.rule
            referral.trigger = first.trigger
            referral.trigger_date = first.trigger_date
            referral.due_date = first.due_date
            referral.discipline = first.discipline
            referral.separation = first.separation
            referral.evaluation_note = ""
        elif codes != referral.rules_met or not referral.conditions_met:
            referral.evaluation_note = (
                f"Changed after sending: the rules met are now {', '.join(codes)}"
                + (f" ({_describe(first.discipline)})" if first.discipline else "")
                + ". Consider telling the board."
            )
        referral.rules_met = codes
        referral.conditions_met = True
    elif referral.conditions_met or referral.rules_met:
        decision = rules.determination_in_force(referral.investigation, referral.officer)
        now_text = f" The determination in force is {_describe(decision)}." if decision else ""
        referral.conditions_met = False
        referral.rules_met = []
        referral.evaluation_note = (
            "No referral rule is met any more." + now_text
            + (" A supervisor should close this referral with a reason if it does not apply."
               if referral.status == Status.DUE
               else " It was already sent: tell the board; a supervisor can then close it with a reason.")
        )
    return _snapshot(referral) != before


def _snapshot(referral):
    return (referral.rule_id, referral.trigger, referral.trigger_date, referral.due_date, referral.discipline_id,
            referral.separation_id, tuple(referral.rules_met or ()), referral.conditions_met,
            referral.evaluation_note)


def evaluate_all(*, event="a change to the rules"):
    """Evaluate every case with a final determination or a separation (after rules are edited)."""
    cases = Investigation.objects.filter(pk__in=_cases_with_events()).order_by("pk")
    return [r for investigation in cases for r in evaluate_case(investigation, event=event)]


def _cases_with_events():
    from investigations.models import DisciplineDecision, OfficerSeparation

    ids = set(DisciplineDecision.objects.values_list("investigation_id", flat=True))
    ids |= set(OfficerSeparation.objects.exclude(investigation=None).values_list("investigation_id", flat=True))
    ids |= set(Referral.objects.values_list("investigation_id", flat=True))
    return ids


# -- the liaison's and the supervisor's actions --------------------------------------------------------------


def _require_text(value, what):
    value = (value or "").strip()
    if not value:
        raise MissingReason(f"Please give {what}.")
    return value


def _locked(referral):
    return Referral.objects.select_for_update().get(pk=referral.pk)


def mark_sent(referral, *, by, sent_on, method, board_reference=""):
    """The liaison records that the packet went to the board: date, method and the board's reference."""
    if not policies.can_work_queue(by):
        raise NotPermitted(_("Only the POST liaison records referrals as sent."))
    if method not in Referral.Method.values:
        raise InvalidInput(_("Choose how the referral was sent."))
    if sent_on is None or sent_on > timezone.localdate():
        raise InvalidInput(_("Give the date it was sent (not in the future)."))
    with transaction.atomic(), recorded(by=by, reason=f"referral sent to the board by {method} on {sent_on}"):
        referral = _locked(referral)
        if referral.status not in (Status.DUE, Status.SENT):
            raise TransitionNotAllowed(_("This referral is '%(status)s'; it cannot be sent now.")
                                       % {"status": referral.get_status_display()})
        if not referral.conditions_met:
            raise TransitionNotAllowed(_(
                "No referral rule is met any more, so this referral cannot be sent. A supervisor closes it with "
                "a reason if it does not apply."))
        referral.status = Status.SENT
        referral.sent_on = sent_on
        referral.sent_method = method
        referral.board_reference = (board_reference or "").strip()
        referral.sent_by = by
        referral.save()
    return referral


def mark_acknowledged(referral, *, by, acknowledged_on, board_reference=""):
    """The liaison records the board's acknowledgement of a sent referral."""
    if not policies.can_work_queue(by):
        raise NotPermitted(_("Only the POST liaison records acknowledgements."))
    if acknowledged_on is None or acknowledged_on > timezone.localdate():
        raise InvalidInput(_("Give the date the board acknowledged it (not in the future)."))
    with transaction.atomic(), recorded(by=by, reason=f"board acknowledged the referral on {acknowledged_on}"):
        referral = _locked(referral)
        if referral.status != Status.SENT:
            raise TransitionNotAllowed(_("Only a referral that was sent can be acknowledged."))
        if acknowledged_on < referral.sent_on:
            raise InvalidInput(_("The acknowledgement cannot be dated before the referral was sent."))
        referral.status = Status.ACKNOWLEDGED
        referral.acknowledged_on = acknowledged_on
        referral.acknowledged_by = by
        if board_reference.strip():
            referral.board_reference = board_reference.strip()
        referral.save()
    return referral


def close_referral(referral, *, by, reason):
    """A supervisor closes a referral that does not apply; it stays visible with the reason."""
    if not policies.can_close(by) or not policies.can_view_referral(by, referral):
        raise NotPermitted(_("Only a supervisor closes a referral."))
    reason = _require_text(reason, "the reason this referral does not apply")
    with transaction.atomic(), recorded(by=by, reason=f"referral closed as not applying: {reason}"):
        referral = _locked(referral)
        if not referral.is_closable():
            raise TransitionNotAllowed(
                _("This referral is '%(status)s' and its rules are met; only one not yet sent, or one whose rules "
                  "are no longer met, can be closed.") % {"status": referral.get_status_display()}
            )
        referral.status = Status.CLOSED
        referral.closed_reason = reason
        referral.closed_by = by
        referral.closed_at = timezone.now()
        referral.save()
    return referral


# -- exports -------------------------------------------------------------------------------------------------


def _log(*, by, kind, fmt, content, filename, head, **fields):
    with transaction.atomic(), recorded(by=by, reason=f"{kind} exported as {fmt}"):
        log = ExportLog.objects.create(
            kind=kind, format=fmt, filename=filename, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
            chain_head=head, exported_by=by, **fields,
        )
        # Every export also anchors the signed chain heads outside the database (issue 9), once committed.
        transaction.on_commit(lambda: anchor_heads(reason=f"export {log.pk} ({kind} {fmt})"), robust=True)
        return log


def export_referral(referral, fmt, *, by):
    """(bytes, filename, log row) of one referral packet as pdf, json or csv."""
    if not policies.can_work_queue(by) or not policies.can_view_referral(by, referral):
        raise NotPermitted(_("Only the POST liaison exports referral packets."))
    if fmt not in ("pdf", "json", "csv"):
        raise InvalidInput(_("Choose PDF, JSON or CSV."))
    head = chain_head()
    packet = exports.referral_packet(referral)
    content = exports.RENDERERS[fmt]([packet], head)
    filename = f"referral-{packet['case']['reference']}-{referral.pk}.{fmt}"
    log = _log(by=by, kind=ExportLog.Kind.REFERRAL, fmt=fmt, content=content, filename=filename, head=head,
               referral=referral, investigation=referral.investigation, referral_ids=[referral.pk])
    return content, filename, log


def export_referrals_due(first, last, *, by):
    """(zip bytes, filename, log row): every referral due from `first` to `last` (closed ones left out)."""
    if not policies.can_work_queue(by):
        raise NotPermitted(_("Only the POST liaison exports referral packets."))
    if first is None or last is None or first > last:
        raise InvalidInput(_("Give a date range whose start is not after its end."))
    if (last - first) > datetime.timedelta(days=366 * 5):
        raise InvalidInput(_("Export at most five years at a time."))
    referrals = list(policies.visible_referrals(by, Referral.objects.due_between(first, last)).with_related()
                     .order_by("due_date", "pk"))
    head = chain_head()
    content = exports.bulk_zip(referrals, head, first, last)
    filename = f"referrals-due-{first}-to-{last}.zip"
    log = _log(by=by, kind=ExportLog.Kind.BULK, fmt="zip", content=content, filename=filename, head=head,
               referral_ids=[r.pk for r in referrals], range_start=first, range_end=last)
    return content, filename, log
