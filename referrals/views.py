"""The POST liaison's queue and the exports: views translate HTTP into calls to services and back.

Only the POST liaison (and supervisors, who close referrals that do not apply) reach the queue; everyone else
gets 403. Errors a user can cause become a message on the page they came from.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from investigations import policies as case_policies
from investigations.exceptions import WorkflowError

from . import conf, forms, policies, services
from .models import ExportLog

PAGE_SIZE = 25

TABS = {
    "due": (gettext_lazy("Due"), lambda qs, today: qs.due(today)),
    "overdue": (gettext_lazy("Overdue"), lambda qs, today: qs.overdue(today)),
    "review": (gettext_lazy("No longer met"), lambda qs, today: qs.needs_review()),
    "sent": (gettext_lazy("Sent"), lambda qs, today: qs.sent()),
    "acknowledged": (gettext_lazy("Acknowledged"), lambda qs, today: qs.acknowledged()),
    "closed": (gettext_lazy("Closed"), lambda qs, today: qs.closed()),
}

CONTENT_TYPES = {"pdf": "application/pdf", "json": "application/json", "csv": "text/csv; charset=utf-8",
                 "zip": "application/zip"}


def _require(allowed):
    if not allowed:
        raise PermissionDenied(_("Your role does not give access to POST referrals."))


def _download(content, filename, fmt, log):
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-SHA256"] = log.sha256
    response["X-History-Chain-Head"] = log.chain_head
    response["Cache-Control"] = "no-store"
    return response


@login_required
def queue(request):
    _require(policies.can_view_queue(request.user))
    today = timezone.localdate()
    tab = request.GET.get("tab", "due")
    if tab not in TABS:
        raise Http404
    base = policies.visible_referrals(request.user)
    counts = {key: select(base, today).count() for key, (_label, select) in TABS.items()}
    page = Paginator(TABS[tab][1](base.with_related(), today), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/queue.html", {
        "tabs": [(key, label, counts[key]) for key, (label, _select) in TABS.items()],
        "tab": tab, "page": page, "today": today,
        "can_work": policies.can_work_queue(request.user),
        "can_export": case_policies.can_work_referrals(request.user),
        "can_view_export_log": case_policies.can_view_export_log(request.user),
    })


@login_required
def coming_due(request):
    """The liaison's referrals due within the coming weeks, the overdue ones first and flagged."""
    _require(case_policies.can_work_referrals(request.user))
    today = timezone.localdate()
    days = conf.coming_due_days()
    referrals = policies.visible_referrals(request.user).with_related().coming_due(today, days)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/coming_due.html", {"page": page, "today": today, "days": days})


@login_required
def detail(request, pk):
    _require(policies.can_view_queue(request.user))
    referral = get_object_or_404(policies.visible_referrals(request.user).with_related().select_related(
        "discipline", "separation", "sent_by", "acknowledged_by", "closed_by"), pk=pk)
    if not case_policies.can_view_referral(request.user, referral):
        raise Http404
    return render(request, "referrals/detail.html", _detail_context(request, referral))


def _detail_context(request, referral, **form_overrides):
    can_work = policies.can_work_queue(request.user)
    context = {
        "referral": referral,
        "can_work": can_work,
        "can_close": policies.can_close_referral(request.user, referral),
        "can_send": can_work and referral.conditions_met and referral.status in ("due", "sent"),
        "sent_form": forms.SentForm(),
        "acknowledged_form": forms.AcknowledgedForm(),
        "close_form": forms.CloseForm(),
        "can_export": case_policies.can_work_referrals(request.user),
        "exports": referral.exports.select_related("exported_by")[:20]
        if case_policies.can_view_export_log(request.user) else [],
        "today": timezone.localdate(),
    }
    context.update(form_overrides)
    return context


def _post_action(request, pk, form_class, form_name, act, done):
    # A referral of a case the user is an officer in answers like one that does not exist.
    referral = get_object_or_404(policies.visible_referrals(request.user).with_related(), pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(referral, form.cleaned_data)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
            return redirect("referrals:detail", pk=referral.pk)
    response = render(request, "referrals/detail.html", _detail_context(request, referral, **{form_name: form}))
    response.status_code = 400
    return response


@login_required
@require_POST
def mark_sent(request, pk):
    _require(policies.can_work_queue(request.user))
    return _post_action(
        request, pk, forms.SentForm, "sent_form",
        lambda r, d: services.mark_sent(r, by=request.user, sent_on=d["sent_on"], method=d["method"],
                                        board_reference=d["board_reference"]),
        _("Recorded as sent."),
    )


@login_required
@require_POST
def mark_acknowledged(request, pk):
    _require(policies.can_work_queue(request.user))
    return _post_action(
        request, pk, forms.AcknowledgedForm, "acknowledged_form",
        lambda r, d: services.mark_acknowledged(r, by=request.user, acknowledged_on=d["acknowledged_on"],
                                                board_reference=d["board_reference"]),
        _("Recorded as acknowledged by the board."),
    )


@login_required
@require_POST
def close(request, pk):
    _require(policies.can_close(request.user))
    # An accused supervisor never closes her own referral (can_view_referral answers 404 in _post_action).
    return _post_action(
        request, pk, forms.CloseForm, "close_form",
        lambda r, d: services.close_referral(r, by=request.user, reason=d["reason"]),
        _("Referral closed; it stays on record with your reason."),
    )


@login_required
def export(request, pk, fmt):
    _require(case_policies.can_work_referrals(request.user))
    if fmt not in ("pdf", "json", "csv"):
        raise Http404
    referral = get_object_or_404(policies.visible_referrals(request.user).with_related(), pk=pk)
    content, filename, log = services.export_referral(referral, fmt, by=request.user)
    return _download(content, filename, fmt, log)


@login_required
def bulk_export(request):
    _require(case_policies.can_work_referrals(request.user))
    form = forms.RangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        try:
            content, filename, log = services.export_referrals_due(
                form.cleaned_data["start"], form.cleaned_data["end"], by=request.user)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            return _download(content, filename, "zip", log)
    return render(request, "referrals/bulk.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
def export_log(request):
    _require(case_policies.can_view_export_log(request.user))
    logs = case_policies.without_excluded_cases(request.user, ExportLog.objects.all())
    logs = case_policies.without_excluded_cases(request.user, logs, path="referral__investigation")
    logs = logs.select_related("exported_by", "referral__officer", "investigation__complaint")
    page = Paginator(logs.order_by("-exported_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/export_log.html", {"page": page})
