"""Public statistics pages (served from stored releases only: no query over cases per public request) and the
staff statistics pages (live figures, publishing).
"""

import csv
import datetime
import hashlib
import io

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from complaints.chain import chain_head
from complaints.history import recorded
from investigations.views import staff_required

from . import charts, microdata, policies, releases, tables
from .exceptions import PublicDataError
from .forms import PublishForm, StatisticsFilterForm
from .models import Release


def _display(table, *, rtl=False):
    """A stored table ready for a template: translated labels, percentages where the total is published, a chart."""
    cols = [_(c["label"]) for c in table["cols"]]
    rows = []
    total = table.get("total")
    one_column = table["kind"] == "count" and len(table["cols"]) == 1
    for r, row in enumerate(table["rows"]):
        cells = table["cells"][r]
        share = None
        if one_column and cells[0] is not None and total:
            share = round(100 * cells[0] / total)
        rows.append({
            "label": _(row["label"]),
            "cells": cells,
            "total": (table["row_totals"] or [None] * len(table["rows"]))[r] if not one_column else None,
            "share": share,
        })
    if table["kind"] == "count":
        values = [(row["label"], row["cells"][0] if one_column else row["total"]) for row in rows]
        chart = charts.bar_chart(_(table["title"]), values, rtl=rtl, chart_id=f"chart-{table['id']}")
    else:
        chart = charts.bar_chart(_(table["title"]), [(row["label"], row["cells"][0]) for row in rows], rtl=rtl,
                                 chart_id=f"chart-{table['id']}")
    return {
        "id": table["id"],
        "title": _(table["title"]),
        "row_header": _(table["row_header"]),
        "cols": cols,
        "rows": rows,
        "one_column": one_column,
        "kind": table["kind"],
        "col_totals": table.get("col_totals"),
        "total": total,
        "chart": chart,
    }


def _release(period):
    release = Release.objects.filter(period=period.upper()).order_by("-published_at").first()
    if release is None:
        raise Http404
    return release


def _series(releases_list, rtl):
    quarters = sorted((r for r in releases_list if r.kind == Release.Kind.QUARTER), key=lambda r: r.period_start)
    points = []
    for release in quarters:
        table = release.table("complaints_by_channel")
        points.append((release.period, table["total"] if table else None))
    return charts.time_series(_("Complaints received per quarter"), points, rtl=rtl) if points else ""


def index(request):
    current = list(Release.objects.current().only("period", "kind", "period_start", "period_end", "tables",
                                                  "published_at"))
    rtl = get_language_bidi()
    return render(request, "publicdata/index.html", {
        "quarters": [r for r in current if r.kind == Release.Kind.QUARTER],
        "years": [r for r in current if r.kind == Release.Kind.YEAR],
        "series": _series(current, rtl),
    })


def _with_series(release, rtl):
    """The release's tables for display, each count table with its total over every quarter published so far."""
    quarters = sorted((r for r in Release.objects.current().filter(kind=Release.Kind.QUARTER,
                                                                    period_start__lte=release.period_start)
                       .only("period", "period_start", "tables")), key=lambda r: r.period_start)
    shown = []
    for table in release.tables:
        display = _display(table, rtl=rtl)
        if table["kind"] == "count" and len(quarters) > 1:
            points = [(q.period, (q.table(table["id"]) or {}).get("total")) for q in quarters]
            display["series"] = charts.time_series(_("%(title)s, per quarter") % {"title": display["title"]},
                                                   points, rtl=rtl, chart_id=f"series-{table['id']}")
        shown.append(display)
    return shown


def release_page(request, period):
    release = _release(period)
    rtl = get_language_bidi()
    return render(request, "publicdata/release.html", {
        "release": release,
        "tables": _with_series(release, rtl),
        "files": release.files.only("name", "sha256", "release_id"),
        "changed": [_(release.table(t)["title"]) for t in releases.changed_tables(release)],
        "earlier": Release.objects.filter(period=release.period).exclude(pk=release.pk).order_by("-published_at"),
    })


def dictionary(request, period):
    release = _release(period)
    return render(request, "publicdata/dictionary.html", {
        "release": release,
        "tables": [{"file": f"{t['id']}.csv", "title": _(t["title"]), "row_header": _(t["row_header"]),
                    "cols": [_(c["label"]) for c in t["cols"]]} for t in release.tables],
        "fields": [(name, _(microdata.FIELD_LABELS[name]), release.generalisation.get(name, 0))
                   for name in microdata.FIELDS],
    })


def release_file(request, period, name):
    release = _release(period)
    file = release.files.filter(name=name).first()
    if file is None:
        raise Http404
    response = HttpResponse(file.content.encode(), content_type=f"{file.content_type}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(False, f"{release.period}-{name}")
    response["X-Content-SHA256"] = file.sha256
    return response


def api_index(request):
    """Read-only JSON: every release with its files and their SHA-256."""
    data = [{
        "period": r.period, "kind": r.kind, "period_start": r.period_start.isoformat(),
        "period_end": r.period_end.isoformat(), "published_at": r.published_at.isoformat(),
        "chain_head": r.chain_head, "corrects": r.corrects.period if r.corrects_id else None,
        "change_note": r.change_note,
        "files": {f.name: {"sha256": f.sha256, "url": reverse("publicdata:file", args=[r.period, f.name])}
                  for f in r.files.all()},
    } for r in Release.objects.select_related("corrects").prefetch_related("files")]
    return JsonResponse({"releases": data}, json_dumps_params={"ensure_ascii": False})


def report_pdf(request, period):
    release = _release(period)
    from .pdf import release_pdf

    pdf = release_pdf(release, _with_series(release, get_language_bidi()))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"statistics-{release.period}-{get_language()}.pdf")
    return response


# -- staff ----------------------------------------------------------------------------------------------------


def _live_tables(form):
    data = form.cleaned_data
    figures = tables.Figures(data["start"], data["end"], district=data.get("district") or "",
                             category=data["category"].code if data.get("category") else "",
                             unit=data.get("unit"))
    labels = tables.column_labels()
    out = [tables.serialise(t, labels=labels) for t in figures.count_tables()]
    out.append(tables.time_to_close_table(figures.time_to_close()))
    return out


def _default_range():
    today = timezone.localdate()
    start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return {"start": start, "end": today}


@staff_required
def statistics(request):
    if not policies.can_view_statistics(request.user):
        raise PermissionDenied
    form = StatisticsFilterForm(request.GET or None, initial=_default_range())
    if not request.GET:
        form = StatisticsFilterForm({k: v.isoformat() for k, v in _default_range().items()})
    live = None
    status = 200
    if form.is_valid():
        live = [_display(t) for t in _live_tables(form)]
        if request.GET.get("format") == "csv":
            return _statistics_csv(request, form, live)
    else:
        status = 400
    return render(request, "publicdata/staff_statistics.html", {
        "form": form, "tables": live, "may_publish": policies.can_publish_statistics(request.user),
    }, status=status)


def _statistics_csv(request, form, live):
    out = io.StringIO()
    writer = csv.writer(out)
    data = form.cleaned_data
    writer.writerow([_("From"), data["start"].isoformat(), _("To"), data["end"].isoformat()])
    for table in live:
        writer.writerow([])
        writer.writerow([table["title"]])
        writer.writerow([table["row_header"]] + table["cols"] + ([] if table["one_column"] or table["kind"] != "count"
                                                                 else [_("Total")]))
        for row in table["rows"]:
            writer.writerow([row["label"]] + ["" if v is None else v for v in row["cells"]]
                            + ([] if table["one_column"] or table["kind"] != "count" else [row["total"]]))
    content = out.getvalue().encode()
    filename = f"statistics-{data['start'].isoformat()}-{data['end'].isoformat()}.csv"
    _log_export(request, filename, content, data)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _log_export(request, filename, content, data):
    export_log = apps.get_model("referrals", "ExportLog")
    with recorded(by=request.user, reason="statistics exported"):
        return export_log.objects.create(
            kind="statistics", format="csv", filename=filename, size=len(content),
            sha256=hashlib.sha256(content).hexdigest(), chain_head=chain_head(), exported_by=request.user,
            range_start=data["start"], range_end=data["end"],
        )


@staff_required
@require_http_methods(["GET", "POST"])
def publish(request):
    if not policies.can_publish_statistics(request.user):
        raise PermissionDenied
    form = PublishForm(request.POST or request.GET or None)
    preview = None
    status = 200
    if form.is_valid():
        period = form.cleaned_data["period"]
        if request.method == "POST" and request.POST.get("confirm") == "1":
            try:
                release = releases.publish(period, by=request.user, change_note=form.cleaned_data["change_note"])
            except PublicDataError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, _("%(period)s is published.") % {"period": release.period})
                return redirect("publicdata:release", period=release.period)
        try:
            data = releases.preview(period)
        except PublicDataError as error:
            form.add_error(None, str(error))
            status = 409
        else:
            preview = {"tables": [_display(t) for t in data["tables"]], "withheld": data["withheld"],
                       "rows": len(data["allegation_rows"]), "rows_withheld": data["allegation_rows_withheld"],
                       "already": Release.objects.filter(period=data["period"]).exists(),
                       "period": data["period"]}
    elif form.is_bound:
        status = 400
    return render(request, "publicdata/staff_publish.html", {"form": form, "preview": preview}, status=status)

