"""Indicators: what a rule counts, read in bulk from our own records and the imported officer events.

An indicator code is one of
  complaint_received           a complaint naming the officer in an allegation (once per complaint)
  allegation:<category code>   one allegation of that category against the officer
  sustained_finding            a supervisor-approved sustained finding (recommended findings never count)
  retaliation_concern          a retaliation report on a complaint the officer is accused in
  event:<event type code>      an imported event, current revision only, final reports only
Each occurrence is a reference string ("complaint:12", "allegation:7", "finding:3", "retaliation:5", "event:40")
so an alert can name the exact records that triggered it.
"""

from collections import defaultdict

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

OWN_INDICATORS = {
    "complaint_received": _("complaints received"),
    "sustained_finding": _("sustained findings"),
    "retaliation_concern": _("retaliation concerns"),
}


def is_known(code):
    from complaints.models import Category

    from .models import EventType

    if code in OWN_INDICATORS:
        return True
    prefix, _sep, rest = code.partition(":")
    if prefix == "allegation":
        return Category.objects.filter(code=rest).exists()
    if prefix == "event":
        return EventType.objects.filter(code=rest).exists()
    return False


def label(code):
    """A readable name for an indicator code."""
    from complaints.models import Category

    from .models import EventType

    if code in OWN_INDICATORS:
        return str(OWN_INDICATORS[code])
    prefix, _sep, rest = code.partition(":")
    if prefix == "allegation":
        category = Category.objects.filter(code=rest).first()
        return str(_("allegations: %(category)s") % {"category": category.label() if category else rest})
    if prefix == "event":
        event_type = EventType.objects.filter(code=rest).first()
        return str(event_type.label if event_type else rest)
    return code


def occurrences(code, start, end, officer_ids=None):
    """[(officer_id, reference, when)] of indicator `code` with start < when <= end."""
    from complaints.models import Allegation
    from investigations.models import Finding

    from .models import OfficerEvent

    def limit(qs, field="officer_id"):
        return qs.filter(**{f"{field}__in": officer_ids}) if officer_ids is not None else qs

    if code == "complaint_received":
        rows = limit(Allegation.objects.filter(
            officer__isnull=False, complaint__received_at__gt=start, complaint__received_at__lte=end,
        )).values_list("officer_id", "complaint_id", "complaint__received_at").distinct()
        return [(officer, f"complaint:{complaint}", when) for officer, complaint, when in rows]
    if code == "sustained_finding":
        rows = limit(Finding.objects.filter(
            stage=Finding.Stage.APPROVED, disposition__is_sustained=True, allegation__officer__isnull=False,
            recorded_at__gt=start, recorded_at__lte=end,
        ), "allegation__officer_id").values_list("allegation__officer_id", "pk", "recorded_at")
        return [(officer, f"finding:{pk}", when) for officer, pk, when in rows]
    if code == "retaliation_concern":
        rows = limit(Allegation.objects.filter(
            officer__isnull=False, complaint__retaliation_reports__reported_at__gt=start,
            complaint__retaliation_reports__reported_at__lte=end,
        )).values_list("officer_id", "complaint__retaliation_reports__pk",
                       "complaint__retaliation_reports__reported_at").distinct()
        return [(officer, f"retaliation:{pk}", when) for officer, pk, when in rows]
    prefix, _sep, rest = code.partition(":")
    if prefix == "allegation":
        rows = limit(Allegation.objects.filter(
            officer__isnull=False, category__code=rest, complaint__received_at__gt=start,
            complaint__received_at__lte=end,
        )).values_list("officer_id", "pk", "complaint__received_at")
        return [(officer, f"allegation:{pk}", when) for officer, pk, when in rows]
    if prefix == "event":
        newer = OfficerEvent.objects.filter(supersedes=OuterRef("pk"))
        rows = limit(OfficerEvent.objects.filter(
            event_type__code=rest, is_final=True, occurred_at__gt=start, occurred_at__lte=end,
        )).filter(~Exists(newer)).values_list("officer_id", "pk", "occurred_at")
        return [(officer, f"event:{pk}", when) for officer, pk, when in rows]
    raise ValueError(f"Unknown indicator {code!r}")


def by_officer(codes, start, end, officer_ids=None):
    """{officer_id: sorted [(when, reference)]} for all indicator `codes` together (each reference once)."""
    found = defaultdict(dict)
    for code in codes:
        for officer, reference, when in occurrences(code, start, end, officer_ids):
            found[officer][reference] = when
    return {officer: sorted((when, ref) for ref, when in refs.items()) for officer, refs in found.items()}
