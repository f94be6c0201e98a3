"""Early-intervention pages: views translate HTTP into calls to services and back.

Who may see what is asked of early_intervention.policies; a refused action re-renders the alert page with what
was typed and a translated message (400 for missing or bad input, 403 not permitted, 409 wrong state).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from complaints.models import Officer

from . import forms, policies, queries, services
from .exceptions import EarlyInterventionError, InvalidInput, MissingReason, NotPermitted
from .models import Alert, AlertState

PAGE_SIZE = 50

ACTION_LABELS = {
    "begin_review": gettext_lazy("Begin supervisor review"),
    "escalate": gettext_lazy("Send to chain-of-command review"),
    "plan_intervention": gettext_lazy("Intervention needed"),
    "false_positive": gettext_lazy("False positive"),
    "no_action_needed": gettext_lazy("No action needed"),
}


def _require(allowed):
    if not allowed:
        raise PermissionDenied(_("Your role does not give access to early intervention."))


def _load_alert(request, pk):
    alert = Alert.objects.select_related("officer__unit", "rule").filter(pk=pk).first()
    if alert is None or not policies.can_view_officer(request.user, alert.officer):
        raise Http404
    return alert


def _status(error):
    if isinstance(error, NotPermitted):
        return 403
    if isinstance(error, InvalidInput | MissingReason):
        return 400
    return 409


@login_required
def board(request):
    _require(policies.can_view_early_intervention(request.user))
    state = request.GET.get("state", "")
    if state and state not in AlertState.values:
        raise Http404
    page = Paginator(queries.board(request.user, state or None), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "early_intervention/board.html", {
        "page": page, "state": state, "states": AlertState.choices, "now": timezone.now(),
        "reviews_past_due": queries.reviews_past_due(request.user),
    })


def _alert_context(request, alert, **overrides):
    interventions = list(alert.interventions.prefetch_related("reviews"))
    available = {t.name for t in alert.get_available_state_transitions()}
    context = {
        "alert": alert,
        "triggers": queries.describe_triggers(alert.triggers),
        "decisions": alert.decisions.select_related("decided_by"),
        "interventions": [(i, queries.review_due_on(i)) for i in interventions],
        "may_answer": policies.may_answer_alert(alert, request.user),
        "actions": [(action, ACTION_LABELS[action], needs_reason)
                    for action, (name, needs_reason) in services.ACTIONS.items() if name in available],
        "may_intervene": alert.state in (AlertState.SUPERVISOR_REVIEW, AlertState.CHAIN_OF_COMMAND_REVIEW,
                                         AlertState.INTERVENTION_PENDING),
        "reason_form": forms.ReasonForm(),
        "intervention_form": forms.InterventionForm(),
        "follow_up_form": None,
        "now": timezone.now(),
    }
    if alert.state == AlertState.MONITORING and interventions:
        context["follow_up_form"] = forms.FollowUpForm(initial={"intervention": interventions[-1].pk})
    context.update(overrides)
    # A refused form comes back with what was typed, even when the alert's state no longer offers it.
    context["may_intervene"] |= "intervention_form" in overrides
    context["show_answer"] = bool(context["actions"]) or "reason_form" in overrides
    return context


@login_required
def alert_detail(request, pk):
    _require(policies.can_view_early_intervention(request.user))
    alert = _load_alert(request, pk)
    return render(request, "early_intervention/alert.html", _alert_context(request, alert))


@login_required
@require_POST
def alert_action(request, pk, action):
    _require(policies.can_view_early_intervention(request.user))
    alert = _load_alert(request, pk)
    if action in services.ACTIONS:
        form, form_name = forms.ReasonForm(request.POST), "reason_form"
        act = lambda data: services.answer_alert(alert, action, by=request.user, reason=data["reason"])  # noqa: E731
    elif action == "intervention":
        form, form_name = forms.InterventionForm(request.POST), "intervention_form"
        act = lambda data: services.record_intervention(alert, by=request.user, **data)  # noqa: E731
    elif action == "follow_up":
        form, form_name = forms.FollowUpForm(request.POST), "follow_up_form"

        def act(data):
            intervention = alert.interventions.filter(pk=data["intervention"]).first()
            if intervention is None:
                raise InvalidInput(_("That intervention is not part of this alert."))
            return services.review_follow_up(intervention, by=request.user, outcome=data["outcome"],
                                             notes=data["notes"], next_review_due=data["next_review_due"])
    else:
        raise Http404
    status = 400
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except EarlyInterventionError as error:
            messages.error(request, str(error))
            status = _status(error)
            alert = _load_alert(request, pk)
        else:
            messages.success(request, _("Saved."))
            return redirect("early_intervention:alert", pk=alert.pk)
    else:
        messages.error(request, _("Please correct the errors below."))
    response = render(request, "early_intervention/alert.html",
                      _alert_context(request, alert, **{form_name: form}))
    response.status_code = status
    return response


@login_required
def officer(request, pk):
    _require(policies.can_view_early_intervention(request.user))
    person = Officer.objects.select_related("unit").filter(pk=pk).first()
    if person is None or not policies.can_view_officer(request.user, person):
        raise PermissionDenied(_("You may not open this officer's record (it is yours, or you have a conflict "
                                 "in one of its cases)."))
    return render(request, "early_intervention/officer.html", {
        "officer": person,
        "timeline": queries.officer_timeline(request.user, person),
        "counts": queries.twelve_month_counts(person),
    })


@login_required
def units(request):
    _require(policies.can_view_early_intervention(request.user))
    rows, warn_above = queries.unit_dashboard(request.user)
    return render(request, "early_intervention/units.html", {"rows": rows, "warn_above": warn_above})
