"""Referral packets as bytes: PDF (complaints.pdf), JSON, CSV and a zip of referrals due.

Rendering reads only the database. Field names are documented in docs/referral-export-fields.md.
"""

import csv
import datetime
import hashlib
import io
import json
import zipfile

from django.utils import timezone
from django.utils.translation import gettext

from complaints.agency import agency_name, agency_ori
from complaints.models import Officer
from complaints.pdf import render_pdf
from investigations.models import DisciplineDecision, Finding, Review

from . import rules

SCHEMA = "post-referral/1"


NO_LONGER_MET = "NO REFERRAL RULE IS MET ANY MORE: do not send this packet as a referral."


def employment_status(officer, moment, decision):
    """The officer's employment status at `moment` (a date means its end): the roster as it stood then (from its
    history), and a termination in force by then even if the roster was not yet updated. {status, since, reason}."""
    if not isinstance(moment, datetime.datetime):
        moment = timezone.make_aware(datetime.datetime.combine(moment + datetime.timedelta(days=1), datetime.time()))
    try:
        then = officer.history.as_of(moment)
    except Officer.DoesNotExist:
        then = officer
    status = {"status": then.employment_status, "since": _date(then.separation_date),
              "reason": then.separation_reason}
    terminated = (decision is not None and decision.outcome == DisciplineDecision.Outcome.TERMINATION
                  and decision.effective_date <= timezone.localdate(moment))
    if terminated and then.employment_status != Officer.EmploymentStatus.SEPARATED:
        status = {"status": "terminated", "since": _date(decision.effective_date), "reason": "termination"}
    return status


def _date(value):
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localdate(value).isoformat()
    return value.isoformat()


# -- the referral packet (one dict; every format is made from it) -------------------------------------------


def _finding(findings, allegation_id, stage):
    finding = findings.get((allegation_id, stage))
    return finding.disposition.public_label if finding else None


def _action_type(referral, decision):
    if referral.trigger == "separation" and referral.separation_id:
        return f"{referral.separation.reason}_during_investigation"
    if decision is not None:
        return decision.outcome
    return "sustained_finding"


def _decision_dict(decision):
    return {
        "id": decision.pk,
        "kind": decision.kind,
        "outcome": decision.outcome,
        "outcome_label": str(decision.get_outcome_display()),
        "suspension_days": decision.suspension_days,
        "effective_date": _date(decision.effective_date),
        "decided_on": _date(decision.decided_at),
        "reason": decision.reason,
        "changes": decision.changes_id,
    }


def _discipline_chain(investigation, officer):
    """Every discipline decision for the officer in the case (finals and their changes), oldest first."""
    return list(DisciplineDecision.objects.filter(investigation=investigation, officer=officer)
                .order_by("decided_at", "pk"))


def referral_packet(referral):
    """Everything the board gets about one referral, as plain JSON-ready data."""
    investigation, officer = referral.investigation, referral.officer
    complaint = investigation.complaint
    rule = referral.rule
    allegations = list(complaint.allegations.filter(officer=officer).select_related("category").order_by("pk"))
    findings = {(f.allegation_id, f.stage): f for f in Finding.objects.filter(
        investigation=investigation, allegation__in=allegations).select_related("disposition")}
    decisions = _discipline_chain(investigation, officer)
    in_force = rules.determination_in_force(investigation, officer)
    separation = referral.separation or officer.separations.filter(investigation=investigation).order_by(
        "-separation_date", "-pk").first()
    approval = investigation.reviews.filter(decision=Review.Decision.APPROVED).order_by("-decided_at", "-pk").first()
    sustained = [a for a in allegations
                 if (f := findings.get((a.pk, Finding.Stage.APPROVED))) and f.disposition.is_sustained]
    reason = rule.description
    if sustained:
        reason += " Sustained: " + "; ".join(sorted({a.category.public_label for a in sustained})) + "."
    if not referral.conditions_met:
        # Never let a packet cite a rule that no longer holds as if it did (e.g. termination cut to a suspension).
        reason = f"{NO_LONGER_MET} {referral.evaluation_note} (Rule at the trigger: {rule.code}.)"
    summary = (
        f"Complaint {complaint.reference} received {_date(complaint.received_at)}; "
        f"{len(allegations)} allegation(s) against this officer, {len(sustained)} sustained on supervisor review"
        + (f" ({_date(approval.decided_at)})" if approval else "")
        + f". Case status: {investigation.get_state_display()}"
        + (f", closed {_date(investigation.closed_at)}" if investigation.closed_at else "")
        + "."
        + (f" Reviewer's reasons: {approval.reasons}" if approval and approval.reasons else "")
    )
    if not referral.conditions_met:
        summary = f"{NO_LONGER_MET} {summary}"
    return {
        "schema": SCHEMA,
        "referral_id": referral.pk,
        "agency": {"name": agency_name(), "ori": agency_ori()},
        "officer_name": f"{officer.first_name} {officer.last_name}".strip(),
        "certification_number": officer.post_certification_number,
        "action_type": _action_type(referral, in_force),
        "action_date": _date(referral.trigger_date),
        "reason": reason,
        "officer": {
            "first_name": officer.first_name,
            "last_name": officer.last_name,
            "certification_number": officer.post_certification_number,
            "star_number": officer.star_number,
            "employee_id": officer.employee_id,
            "rank": officer.rank,
            "employment_status": officer.employment_status,
            "employment_status_at_export": employment_status(officer, timezone.now(), in_force),
            "employment_status_at_trigger": employment_status(
                officer, referral.discipline.decided_at if referral.discipline else referral.trigger_date,
                referral.discipline),
            "separation_date": _date(officer.separation_date),
            "separation_reason": officer.separation_reason,
        },
        "case": {
            "reference": complaint.reference,
            "received_on": _date(complaint.received_at),
            "incident_on": _date(complaint.incident_at),
            "state": investigation.state,
            "closed_on": _date(investigation.closed_at),
        },
        "rule": {
            "state": rule.rule_set.state,
            "rule_set": rule.rule_set.name,
            "rule_set_effective_from": _date(rule.rule_set.effective_from),
            "statute": rule.rule_set.statute,
            "board": rule.rule_set.board,
            "code": rule.code,
            "description": rule.description,
        },
        "rules_met": list(referral.rules_met),
        "conditions_met": referral.conditions_met,
        "evaluation_note": referral.evaluation_note,
        "trigger": referral.trigger,
        "trigger_date": _date(referral.trigger_date),
        "due_date": _date(referral.due_date),
        "allegations": [
            {
                "id": a.pk,
                "category_code": a.category.code,
                "category": a.category.public_label,
                "summary": a.summary,
                "recommended_finding": _finding(findings, a.pk, Finding.Stage.RECOMMENDED),
                "approved_finding": _finding(findings, a.pk, Finding.Stage.APPROVED),
                "finding_reason": (findings.get((a.pk, Finding.Stage.APPROVED))
                                   or findings.get((a.pk, Finding.Stage.RECOMMENDED)) or Finding()).reason,
            }
            for a in allegations
        ],
        "discipline": [_decision_dict(d) for d in decisions],
        "discipline_in_force": _decision_dict(in_force) if in_force else None,
        "separation": {
            "date": _date(separation.separation_date),
            "reason": separation.reason,
            "notice_served": separation.notice_served,
            "notes": separation.notes,
        } if separation else None,
        "investigation_summary": summary,
        "status": {
            "status": referral.export_status,
            "record_status": referral.status,
            "sent_on": _date(referral.sent_on),
            "sent_method": referral.sent_method,
            "board_reference": referral.board_reference,
            "acknowledged_on": _date(referral.acknowledged_on),
            "closed_reason": referral.closed_reason,
        },
    }


# -- renderers: (list of packets, chain head) -> bytes -----------------------------------------------------

CSV_FIELDS = [
    "referral_id", "agency_name", "agency_ori", "officer_name", "officer_last_name", "officer_first_name",
    "certification_number", "star_number", "employee_id", "action_type", "action_date", "reason",
    "case_reference", "rule_state", "rule_code", "rules_met", "conditions_met", "evaluation_note", "trigger",
    "trigger_date", "due_date", "employment_status_at_trigger", "employment_status_at_export",
    "discipline_outcome", "suspension_days", "discipline_kind", "separation_date", "separation_reason",
    "notice_served", "allegations", "status", "sent_on", "sent_method", "board_reference", "acknowledged_on",
    "chain_head",
]


def _cell(value):
    """A CSV cell a spreadsheet shows as text: formulas (=, +, -, @ at the start) are neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_row(packet, head):
    force = packet["discipline_in_force"] or {}
    separation = packet["separation"] or {}
    status = packet["status"]
    row = {
        "referral_id": packet["referral_id"],
        "agency_name": packet["agency"]["name"],
        "agency_ori": packet["agency"]["ori"],
        "officer_name": packet["officer_name"],
        "officer_last_name": packet["officer"]["last_name"],
        "officer_first_name": packet["officer"]["first_name"],
        "certification_number": packet["certification_number"],
        "star_number": packet["officer"]["star_number"],
        "employee_id": packet["officer"]["employee_id"],
        "action_type": packet["action_type"],
        "action_date": packet["action_date"],
        "reason": packet["reason"],
        "case_reference": packet["case"]["reference"],
        "rule_state": packet["rule"]["state"],
        "rule_code": packet["rule"]["code"],
        "rules_met": ";".join(packet["rules_met"]),
        "conditions_met": packet["conditions_met"],
        "evaluation_note": packet["evaluation_note"],
        "employment_status_at_trigger": packet["officer"]["employment_status_at_trigger"]["status"],
        "employment_status_at_export": packet["officer"]["employment_status_at_export"]["status"],
        "trigger": packet["trigger"],
        "trigger_date": packet["trigger_date"],
        "due_date": packet["due_date"],
        "discipline_outcome": force.get("outcome"),
        "suspension_days": force.get("suspension_days"),
        "discipline_kind": force.get("kind"),
        "separation_date": separation.get("date"),
        "separation_reason": separation.get("reason"),
        "notice_served": separation.get("notice_served"),
        "allegations": "; ".join(f"{a['category']}: {a['approved_finding'] or a['recommended_finding'] or 'no finding'}"
                                 for a in packet["allegations"]),
        "status": status["status"],
        "sent_on": status["sent_on"],
        "sent_method": status["sent_method"],
        "board_reference": status["board_reference"],
        "acknowledged_on": status["acknowledged_on"],
        "chain_head": head,
    }
    return {key: _cell(value) for key, value in row.items()}


def render_csv(packets, head):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for packet in packets:
        writer.writerow(csv_row(packet, head))
    # A byte-order mark so spreadsheet programs read names with accents as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_json(packets, head):
    document = {"schema": SCHEMA, "chain_head": head, "generated_at": timezone.now().isoformat(),
                "referrals": packets}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def render_referral_pdf(packets, head):
    return render_pdf("referrals/packet_pdf.html", {
        "packets": packets, "chain_head": head, "agency": agency_name(), "generated_at": timezone.localtime(),
        **_labels(),
    })


def _labels():
    """Labels, in the active language, of the codes a packet holds (the JSON and CSV keep the codes)."""
    from investigations.models import State

    from .models import Referral, Status

    return {
        "status_labels": {**dict(Status.choices), "no_longer_met": gettext("no longer met")},
        "employment_labels": {**dict(Officer.EmploymentStatus.choices), "terminated": gettext("terminated")},
        "trigger_labels": dict(Referral.Trigger.choices),
        "state_labels": dict(State.choices),
        "kind_labels": dict(DisciplineDecision.Kind.choices),
        "separation_labels": dict(Officer.SeparationReason.choices),
        "method_labels": dict(Referral.Method.choices),
    }


RENDERERS = {"pdf": render_referral_pdf, "json": render_json, "csv": render_csv}


def bulk_zip(referrals, head, first, last):
    """One archive: a PDF and a JSON per referral, one CSV of them all, and a manifest with every file's SHA-256."""
    packets = [referral_packet(r) for r in referrals]
    files = {}
    for packet in packets:
        stem = f"referral-{packet['case']['reference']}-{packet['referral_id']}"
        files[f"{stem}.pdf"] = render_referral_pdf([packet], head)
        files[f"{stem}.json"] = render_json([packet], head)
    files["referrals.csv"] = render_csv(packets, head)
    manifest = {
        "schema": SCHEMA, "agency": agency_name(), "due_from": first.isoformat(), "due_to": last.isoformat(),
        "chain_head": head, "referral_ids": [p["referral_id"] for p in packets],
        "referrals": [{"referral_id": p["referral_id"], "status": p["status"]["status"],
                       "conditions_met": p["conditions_met"], "rules_met": p["rules_met"],
                       "evaluation_note": p["evaluation_note"]} for p in packets],
        "no_longer_met": [p["referral_id"] for p in packets if not p["conditions_met"]],
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    files["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    buffer = io.BytesIO()
    # A fixed timestamp inside the archive: the same data gives the same bytes (and SHA-256).
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(first.year, first.month, first.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()
