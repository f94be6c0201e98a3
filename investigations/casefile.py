"""The case file: the whole case as one PDF, in the exporting staff member's language.

Its timeline is `queries.timeline`, the same history the staff case page shows, so the two cannot drift apart.
"""

from django.db.models import Q
from django.utils import timezone

from complaints.agency import agency_name
from complaints.models import CustodyRecord
from complaints.pdf import render_pdf

from . import queries
from .models import DisciplineDecision, Finding
from .services import current_discipline


def case_file_pdf(investigation, head, *, contact_details, exported_by):
    """PDF bytes of the case file; contact details only when `contact_details` (the exporter may see them)."""
    complaint = investigation.complaint
    allegations = list(complaint.allegations.select_related("officer", "category").order_by("pk"))
    findings = {(f.allegation_id, f.stage): f for f in investigation.findings.select_related("disposition",
                                                                                              "recorded_by")}
    rows = [{
        "allegation": a,
        "recommended": findings.get((a.pk, Finding.Stage.RECOMMENDED)),
        "approved": findings.get((a.pk, Finding.Stage.APPROVED)),
    } for a in allegations]
    decisions = list(investigation.discipline_decisions.select_related("officer", "decided_by", "changes")
                     .order_by("decided_at", "pk"))
    return render_pdf("investigations/case_file_pdf.html", {
        "investigation": investigation,
        "complaint": complaint,
        "parties": list(complaint.parties.order_by("pk")),
        "contact_details": contact_details,
        "allegations": rows,
        "reviews": list(investigation.reviews.select_related("reviewer").order_by("decided_at", "pk")),
        "decisions": decisions,
        "in_force": {d.pk: current_discipline(d).pk for d in decisions if d.kind == DisciplineDecision.Kind.FINAL},
        "separations": list(investigation.officer_separations.select_related("officer").order_by("separation_date")),
        "evidence": list(complaint.evidence.order_by("submitted_at", "pk").prefetch_related(
            "derived_files", queries.sealed_openings())),
        "physical_items": list(complaint.physical_evidence.order_by("added_at", "pk")),
        "custody": list(CustodyRecord.objects.filter(Q(evidence__complaint=complaint) | Q(item__complaint=complaint))
                        .select_related("evidence", "item", "from_user", "to_user", "recorded_by")
                        .order_by("at", "pk")),
        "interviews": list(investigation.interviews.order_by("held_at", "pk")),
        "timeline": queries.timeline(investigation),
        "chain_head": head,
        "agency": agency_name(),
        "exported_by": exported_by,
        "generated_at": timezone.localtime(),
    })
