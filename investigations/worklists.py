"""The lists that find the person: their open tasks across cases, the cases waiting for their review or decision.

Each list holds only cases the user may see (investigations.queries, through policies.visible_investigations).
"""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policies, queries
from .views import _case_page, _page, _require, staff_required


@staff_required
def my_tasks(request):
    _require(policies.can_view_caseload(request.user))
    page = _page(request, queries.my_tasks(request.user))
    return render(request, "investigations/my_tasks.html", {"page": page, "today": timezone.localdate()})


@staff_required
def awaiting_review(request):
    _require(policies.can_view_board(request.user))
    page = _case_page(request, queries.awaiting_review(request.user))
    return render(request, "investigations/case_list.html", {
        "title": _("Awaiting my review"), "page": page,
        "intro": _("Cases submitted for supervisor review that you may review, oldest first."),
    })


@staff_required
def awaiting_decision(request):
    _require(policies.can_view_decision_queue(request.user))
    page = _case_page(request, queries.awaiting_decision(request.user))
    return render(request, "investigations/case_list.html", {
        "title": _("Awaiting my decision"), "page": page,
        "intro": _("Cases with sustained findings waiting for your final discipline decision, oldest first."),
    })
