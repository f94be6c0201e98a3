"""The figures of a period, computed from the record: the live, unsuppressed tables staff see, and the input of a
public release (which `publicdata.releases` then suppresses and freezes).

Labels are stored as message ids (English) and translated when shown, so one release serves every language.
Quantities that appear in several tables share a key (see `publicdata.suppression`).
"""

import datetime
import statistics
from collections import Counter, defaultdict

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone, translation

# Labels are stored untranslated in releases and translated when shown: `_` marks them for the catalogs only.
from django.utils.translation import gettext_noop as _

from complaints.defaults import DISPOSITIONS
from complaints.models import Allegation, BiasCharacteristic, Category, Complaint, FilerDemographics

from .suppression import Table

OPEN = "open"
REFERRED = "referred"
NOT_GIVEN = "not_given"
DISPOSITION_COLUMNS = [(code, label) for code, label, _sustained, _reason in DISPOSITIONS] + [
    (REFERRED, _("Referred to another agency")),
    (OPEN, _("Still open")),
]
DISCIPLINE_BANDS = [
    ("reprimand", _("Reprimand")),
    ("suspension_1_9", _("Suspension of 1 to 9 days")),
    ("suspension_10_plus", _("Suspension of 10 days or more")),
    ("termination", _("Termination")),
    ("other", _("Other discipline (counseling, retraining, demotion)")),
    ("none", _("No discipline")),
    ("separated", _("Resigned or retired before a decision")),
]
CHANGE_KINDS = [
    ("appeal", _("Appeal")),
    ("grievance", _("Grievance")),
    ("arbitration", _("Arbitration")),
    ("court", _("Court")),
]
CHANGE_RESULTS = [
    ("overturned", _("Discipline removed")),
    ("reduced", _("Discipline reduced")),
    ("kept", _("Kept or increased")),
]
AGE_BANDS = [(0, 30, _("Up to 30 days")), (31, 90, _("31 to 90 days")), (91, 180, _("91 to 180 days")),
             (181, 365, _("181 days to 1 year")), (366, None, _("More than 1 year"))]
CHANNEL_LABELS = {
    "web": _("Online form"), "phone": _("Telephone"), "walk_in": _("In person"), "mail": _("Mail"),
    "email": _("E-mail"), "internal": _("From inside the department"), "referral": _("Referred by another agency"),
}
ROLE_LABELS = {
    "harmed": _("The person harmed"), "third_party": _("A witness or someone filing for another person"),
    "representative": _("A lawyer or representative"), "anonymous": _("Anonymous"),
}
NOT_GIVEN_LABEL = _("Not given")
SEVERITY = {"none": 0, "counseling": 1, "retraining": 1, "written_reprimand": 2, "suspension": 3, "demotion": 4,
            "termination": 5}

TITLES = {
    "complaints_by_channel": _("Complaints received, by how they were filed"),
    "complaints_by_role": _("Complaints received, by who filed them"),
    "complaints_by_language": _("Complaints received, by the language of the complaint"),
    "complaints_by_district": _("Complaints received, by police district"),
    "complainants_by_age": _("Complaints received, by the filer's age (if they chose to say)"),
    "complainants_by_race": _("Complaints received, by the filer's race or ethnicity (if they chose to say)"),
    "complainants_by_gender": _("Complaints received, by the filer's gender (if they chose to say)"),
    "allegations": _("Allegations in complaints received, by category and finding"),
    "bias": _("Allegations of bias-based policing, by what the person was treated differently for, and finding"),
    "discipline": _("Discipline decided for sustained allegations"),
    "discipline_changes": _("Discipline changed after appeal, grievance, arbitration or a court"),
    "time_to_close": _("Days from receipt to closure of allegations closed in the period"),
    "open_by_age": _("Cases still open at the end of the period, by age"),
    "referrals": _("Officers referred to the state's police standards board for decertification"),
}
ROW_HEADERS = {
    "complaints_by_channel": _("How filed"), "complaints_by_role": _("Who filed"),
    "complaints_by_language": _("Language"), "complaints_by_district": _("District"),
    "complainants_by_age": _("Age"), "complainants_by_race": _("Race or ethnicity"),
    "complainants_by_gender": _("Gender"), "allegations": _("Category"), "bias": _("Treated differently for"),
    "discipline": _("Outcome"), "discipline_changes": _("Changed by"), "time_to_close": _("Category"),
    "open_by_age": _("Age of the case"), "referrals": _("Referrals"),
}
COUNT_COLUMN = [("count", _("Count"))]
COMPLAINTS_TOTAL = "complaints|*"


def period_bounds(period):
    """('quarter'|'year', first day, last day) of '2026Q4' or '2026'; ValueError for anything else."""
    text = (period or "").strip().upper()
    if len(text) == 4 and text.isdigit():
        year = int(text)
        return "year", datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if len(text) == 6 and text[:4].isdigit() and text[4] == "Q" and text[5] in "1234":
        year, quarter = int(text[:4]), int(text[5])
        start = datetime.date(year, 3 * quarter - 2, 1)
        end = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - datetime.timedelta(1)
        return "quarter", start, end
    raise ValueError(f"not a period: {period!r} (use e.g. 2026Q4 or 2026)")


def quarter_of(day):
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _aware(day, end=False):
    moment = datetime.datetime.combine(day + datetime.timedelta(days=1) if end else day, datetime.time.min)
    return timezone.make_aware(moment)


def discipline_band(outcome, days):
    if outcome == "termination":
        return "termination"
    if outcome == "suspension":
        return "suspension_10_plus" if (days or 0) >= 10 else "suspension_1_9"
    if outcome == "written_reprimand":
        return "reprimand"
    if outcome == "none":
        return "none"
    return "other"


def _severity(decision):
    return SEVERITY.get(decision.outcome, 0) + (decision.suspension_days or 0) / 1000


def _one_column(table_id, counts, order, labels, total_key=COMPLAINTS_TOTAL, key_prefix=None):
    rows = [r for r in order if counts.get(r)] if order is None else list(order)
    extra = sorted(k for k in counts if k not in rows)
    rows += extra
    prefix = key_prefix or table_id
    return Table(
        id=table_id, rows=rows, cols=["count"], cells=[[counts.get(r, 0)] for r in rows],
        keys=[[f"{prefix}|{r}"] for r in rows], total_key=total_key,
        meta={"row_labels": [labels.get(r, r) for r in rows]},
    )


class Figures:
    """Everything a release or the staff dashboard shows for one period (and optional filters)."""

    def __init__(self, start, end, *, district="", category="", unit=None):
        self.start, self.end = start, end
        self.start_at, self.end_at = _aware(start), _aware(end, end=True)
        complaints = Complaint.objects.filter(received_at__gte=self.start_at, received_at__lt=self.end_at)
        allegations = Allegation.objects.filter(complaint__received_at__gte=self.start_at,
                                                complaint__received_at__lt=self.end_at)
        if district:
            complaints = complaints.filter(district=district)
            allegations = allegations.filter(complaint__district=district)
        if category:
            complaints = complaints.filter(allegations__category__code=category).distinct()
            allegations = allegations.filter(category__code=category)
        if unit is not None:
            complaints = complaints.filter(allegations__officer__unit=unit).distinct()
            allegations = allegations.filter(officer__unit=unit)
        self.complaints = complaints
        self.allegations = allegations
        self.filters = {"district": district, "category": category, "unit": unit}

    # -- counts -------------------------------------------------------------------------------------------------

    def complaint_tables(self):
        # Counted by the database (GROUP BY), never row by row: a year holds tens of thousands of complaints.
        by = {}
        for key, field in (("channel", "channel"), ("role", "filer_role"), ("language", "language"),
                           ("district", "district")):
            by[key] = Counter({(value or NOT_GIVEN): n for value, n in
                               self.complaints.order_by().values_list(field).annotate(n=Count("pk", distinct=True))})
        total = sum(by["channel"].values())
        answers = FilerDemographics.objects.filter(complaint__in=self.complaints.order_by().values("pk"))
        for key, field in (("age", "age_band"), ("race", "race_ethnicity"), ("gender", "gender")):
            counter = Counter({(value or NOT_GIVEN): n for value, n in
                               answers.order_by().values_list(field).annotate(n=Count("pk"))})
            counter[NOT_GIVEN] += total - sum(counter.values())
            by[key] = counter
        language_labels = {code: name for code, name in settings.LANGUAGES}
        demo = FilerDemographics
        tables = [
            _one_column("complaints_by_channel", by["channel"], list(CHANNEL_LABELS), CHANNEL_LABELS),
            _one_column("complaints_by_role", by["role"], list(ROLE_LABELS), ROLE_LABELS),
            _one_column("complaints_by_language", by["language"], [c for c, _n in settings.LANGUAGES],
                        language_labels),
            _one_column("complaints_by_district", by["district"], sorted(by["district"]),
                        {NOT_GIVEN: NOT_GIVEN_LABEL}),
        ]
        for table_id, counter, choices in (("complainants_by_age", by["age"], demo.AgeBand),
                                           ("complainants_by_race", by["race"], demo.RaceEthnicity),
                                           ("complainants_by_gender", by["gender"], demo.Gender)):
            labels = {value: _choice_msgid(choices, value) for value, _label in choices.choices}
            labels[NOT_GIVEN] = NOT_GIVEN_LABEL
            tables.append(_one_column(table_id, counter, [v for v, _l in choices.choices] + [NOT_GIVEN], labels))
        return tables

    def allegation_rows(self):
        """One dict per allegation: category, bias characteristic, district, received, disposition, band, days."""
        if hasattr(self, "_allegation_rows"):
            return self._allegation_rows
        approved = dict(
            apps.get_model("investigations", "Finding").objects.filter(
                stage="approved", allegation__in=self.allegations).values_list("allegation_id", "disposition__code"))
        bands = self._bands_by_case_officer()
        rows = []
        values = self.allegations.values_list(
                "pk", "category__code", "bias_characteristic", "complaint__district", "complaint__received_at",
                "officer_id", "complaint__investigation__state", "complaint__investigation__closed_at",
                "complaint__investigation__pk")
        for pk, category, characteristic, district, received, officer, state, closed, case in values:
            if state == "referred":
                disposition = REFERRED
            else:
                disposition = approved.get(pk, OPEN)
            days = (closed - received).days if closed and disposition not in (OPEN, REFERRED) else None
            band = bands.get((case, officer)) if disposition == "sustained" else None
            rows.append({"category": category, "characteristic": characteristic or "other", "district": district,
                         "received": received, "disposition": disposition, "band": band, "days": days})
        self._allegation_rows = rows
        return rows

    def _bands_by_case_officer(self):
        """{(investigation, officer): band of the decision in force}: the final decision as later changed."""
        decisions = list(apps.get_model("investigations", "DisciplineDecision").objects.filter(
            investigation__complaint__in=self.complaints).order_by("decided_at", "pk"))
        current = {}
        for decision in decisions:
            current[(decision.investigation_id, decision.officer_id)] = discipline_band(
                decision.outcome, decision.suspension_days)
        return current

    def allegation_tables(self):
        rows = self.allegation_rows()
        categories = list(Category.objects.order_by("sort_order", "pk").values_list("code", "public_label"))
        columns = [code for code, _label in DISPOSITION_COLUMNS]
        counts = Counter((r["category"], r["disposition"]) for r in rows)
        used = [code for code, _label in categories]
        table = Table(
            id="allegations", rows=used, cols=columns,
            cells=[[counts.get((c, d), 0) for d in columns] for c in used],
            keys=[[f"alleg|{c}|{d}" for d in columns] for c in used],
            row_total_keys=[f"alleg|{c}|*" for c in used], col_total_keys=[f"alleg|*|{d}" for d in columns],
            total_key="alleg|*|*",
            meta={"row_labels": [label for _code, label in categories]},
        )
        characteristics = [value for value, _label in BiasCharacteristic.choices]
        bias = Counter((r["characteristic"], r["disposition"]) for r in rows if r["category"] == "bias")
        bias_table = Table(
            id="bias", rows=characteristics, cols=columns,
            cells=[[bias.get((ch, d), 0) for d in columns] for ch in characteristics],
            keys=[[f"bias|{ch}|{d}" for d in columns] for ch in characteristics],
            row_total_keys=[f"bias|{ch}|*" for ch in characteristics],
            # The bias table's column totals are the bias row of the allegations table: one quantity, one key.
            col_total_keys=[f"alleg|bias|{d}" for d in columns], total_key="alleg|bias|*",
            meta={"row_labels": [_choice_msgid(BiasCharacteristic, ch) for ch in characteristics]},
        )
        if "bias" not in used:
            return [table]
        return [table, bias_table]

    def discipline_tables(self):
        decision_model = apps.get_model("investigations", "DisciplineDecision")
        separation_model = apps.get_model("investigations", "OfficerSeparation")
        decided = decision_model.objects.filter(decided_at__gte=self.start_at, decided_at__lt=self.end_at)
        if self.filters["unit"] is not None:
            decided = decided.filter(officer__unit=self.filters["unit"])
        if self.filters["district"]:
            decided = decided.filter(investigation__complaint__district=self.filters["district"])
        if self.filters["category"]:
            decided = decided.filter(
                investigation__complaint__allegations__category__code=self.filters["category"]).distinct()
        bands = Counter()
        changes = Counter()
        by_pk = {}
        for decision in decided.select_related("changes").order_by("decided_at", "pk"):
            by_pk[decision.pk] = decision
            if decision.kind == "final":
                bands[discipline_band(decision.outcome, decision.suspension_days)] += 1
            elif decision.changes_id:
                if decision.outcome == "none" and decision.changes.outcome != "none":
                    result = "overturned"
                elif _severity(decision) < _severity(decision.changes):
                    result = "reduced"
                else:
                    result = "kept"
                changes[(decision.kind, result)] += 1
        separations = separation_model.objects.filter(
            recorded_at__gte=self.start_at, recorded_at__lt=self.end_at, reason__in=("resigned", "retired"),
            investigation__isnull=False)
        if self.filters["unit"] is not None:
            separations = separations.filter(officer__unit=self.filters["unit"])
        finals = set(decision_model.objects.filter(kind="final").values_list("investigation_id", "officer_id"))
        for investigation_id, officer_id in separations.values_list("investigation_id", "officer_id"):
            if (investigation_id, officer_id) not in finals:
                bands["separated"] += 1
        band_labels = dict(DISCIPLINE_BANDS)
        discipline = _one_column("discipline", bands, list(band_labels), band_labels, total_key="discipline|*")
        kinds, results = [k for k, _l in CHANGE_KINDS], [r for r, _l in CHANGE_RESULTS]
        change_table = Table(
            id="discipline_changes", rows=kinds, cols=results,
            cells=[[changes.get((k, r), 0) for r in results] for k in kinds],
            meta={"row_labels": [label for _k, label in CHANGE_KINDS]},
        )
        return [discipline, change_table]

    def open_by_age(self):
        investigation_model = apps.get_model("investigations", "Investigation")
        cases = investigation_model.objects.filter(complaint__received_at__lt=self.end_at).exclude(
            closed_at__lt=self.end_at)
        if self.filters["district"]:
            cases = cases.filter(complaint__district=self.filters["district"])
        if self.filters["category"]:
            cases = cases.filter(complaint__allegations__category__code=self.filters["category"]).distinct()
        if self.filters["unit"] is not None:
            cases = cases.filter(complaint__allegations__officer__unit=self.filters["unit"]).distinct()
        # One aggregate query: a case is in band [low, high] when it was received within (end - high - 1, end - low]
        # days of the period's end.
        buckets = {}
        for low, high, _label in AGE_BANDS:
            within = Q(complaint__received_at__lte=self.end_at - datetime.timedelta(days=low))
            if high is not None:
                within &= Q(complaint__received_at__gt=self.end_at - datetime.timedelta(days=high + 1))
            buckets[str(low)] = Count("pk", distinct=True, filter=within)
        counts = Counter(cases.order_by().aggregate(**buckets))
        labels = {str(low): label for low, _high, label in AGE_BANDS}
        return _one_column("open_by_age", counts, [str(low) for low, _h, _l in AGE_BANDS], labels,
                           total_key="open|*")

    def referrals(self):
        referral_model = apps.get_model("referrals", "Referral")
        made = referral_model.objects.filter(trigger_date__gte=self.start, trigger_date__lte=self.end)
        if self.filters["unit"] is not None:
            made = made.filter(officer__unit=self.filters["unit"])
        if self.filters["district"]:
            made = made.filter(investigation__complaint__district=self.filters["district"])
        if self.filters["category"]:
            made = made.filter(investigation__complaint__allegations__category__code=self.filters["category"])
        count = made.values("pk").distinct().count()
        return _one_column("referrals", {"made": count}, ["made"], {"made": _("Officers referred")},
                           total_key="referrals|*")

    def count_tables(self):
        return (self.complaint_tables() + self.allegation_tables() + self.discipline_tables()
                + [self.open_by_age(), self.referrals()])

    # -- statistics ---------------------------------------------------------------------------------------------

    def time_to_close(self):
        """{category: (n, median days, 90th percentile days)} for allegations whose case closed in the period."""
        closed = Allegation.objects.filter(
            complaint__investigation__closed_at__gte=self.start_at,
            complaint__investigation__closed_at__lt=self.end_at,
            complaint__investigation__state__in=("closed", "administratively_closed"))
        if self.filters["district"]:
            closed = closed.filter(complaint__district=self.filters["district"])
        if self.filters["category"]:
            closed = closed.filter(category__code=self.filters["category"])
        if self.filters["unit"] is not None:
            closed = closed.filter(officer__unit=self.filters["unit"])
        days = defaultdict(list)
        for category, received, closed_at in closed.values_list(
                "category__code", "complaint__received_at", "complaint__investigation__closed_at"):
            days[category].append((closed_at - received).days)
        return {category: (len(values), percentile(values, 50), percentile(values, 90))
                for category, values in days.items()}


def percentile(values, p):
    """The nearest-rank percentile (a value that occurred), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))
    return ordered[int(rank) - 1]


def median(values):
    return statistics.median(values) if values else None


def _choice_msgid(choices, value):
    """The message id of a choice's label (stored untranslated; translated when shown)."""
    with translation.override(None):
        return str(dict(choices.choices)[value])


def serialise(table, withheld=frozenset(), labels=None):
    """A table as stored in a release (or shown live): message-id labels, null for every withheld value."""
    values = table.values()

    def shown(key):
        return None if key in withheld else values[key]

    row_labels = table.meta.get("row_labels") or table.rows
    return {
        "id": table.id,
        "title": TITLES[table.id],
        "row_header": ROW_HEADERS[table.id],
        "kind": "count",
        "rows": [{"key": r, "label": str(label)} for r, label in zip(table.rows, row_labels, strict=True)],
        "cols": [{"key": c, "label": (labels or {}).get(c, dict(COUNT_COLUMN).get(c, c))} for c in table.cols],
        "cells": [[shown(table.keys[r][c]) for c in range(len(table.cols))] for r in range(len(table.rows))],
        "row_totals": [shown(k) for k in table.row_total_keys],
        "col_totals": [shown(k) for k in table.col_total_keys],
        "total": shown(table.total_key),
    }


def column_labels():
    labels = {code: label for code, label in DISPOSITION_COLUMNS}
    labels.update({code: label for code, label in CHANGE_RESULTS})
    labels.update(dict(COUNT_COLUMN))
    return labels


def time_to_close_table(stats, threshold=None):
    """The per-category median and 90th percentile, withheld where fewer than `threshold` allegations closed."""
    categories = list(Category.objects.order_by("sort_order", "pk").values_list("code", "public_label"))
    rows, cells = [], []
    for code, label in categories:
        n, med, p90 = stats.get(code, (0, None, None))
        if n == 0:
            continue
        small = threshold is not None and n < threshold
        rows.append({"key": code, "label": label})
        cells.append([None if small else med, None if small else p90] + ([] if threshold is not None else [n]))
    cols = [{"key": "median", "label": _("Median days")},
            {"key": "p90", "label": _("90 in 100 closed within (days)")}]
    if threshold is None:
        cols.append({"key": "n", "label": _("Allegations closed")})
    return {"id": "time_to_close", "title": TITLES["time_to_close"], "row_header": ROW_HEADERS["time_to_close"],
            "kind": "stat", "rows": rows, "cols": cols, "cells": cells, "row_totals": None, "col_totals": None,
            "total": None}
