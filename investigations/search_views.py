"""The case search page, its saved searches and its CSV export (issue 12 item 3): investigations.search does it."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import forms, policies, search
from .exceptions import WorkflowError
from .models import SavedSearch
from .views import PAGE_SIZES, _error_status, _require, page_notices, staff_required


def _per_page(request):
    try:
        per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        per_page = PAGE_SIZES[0]
    return per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]


def _search_query(request):
    """The query string of the search itself (no page number), as saved searches and the export repeat it."""
    query = request.GET.copy()
    for key in ("page", "per_page"):
        query.pop(key, None)
    return query.urlencode()


def _render(request, form, *, page=None, save_form=None, status=200):
    query = _search_query(request)
    return render(request, "investigations/search.html", {
        "form": form, "page": page, "query": query,
        "saved": list(search.saved_searches(request.user)),
        "save_form": save_form or forms.SavedSearchForm(initial={"query": query}, prefix="save"),
        "can_export": policies.can_export_search_results(request.user),
    }, status=status)


def _searched(form):
    return form.is_bound and form.is_valid() and any(v not in (None, "") for v in form.cleaned_data.values())


@staff_required
def search_cases(request):
    """Words in the case texts and filters; results ranked by how well the words match, with where they matched."""
    _require(policies.can_search(request.user))
    form = forms.SearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _render(request, form, status=400)
    page = None
    if _searched(form):
        page = page_notices(request, search.search_page(request.user, form.cleaned_data, request.GET,
                                                        _per_page(request)))
    return _render(request, form, page=page)


@staff_required
def export_results(request):
    """Every case the search finds, as CSV; the export is written to the export log."""
    _require(policies.can_export_search_results(request.user))
    form = forms.SearchForm(request.GET or None)
    if not _searched(form):
        if form.is_bound and not form.is_valid():
            return _render(request, form, status=400)
        messages.error(request, _("Search first: the export holds what the search finds."))
        return _render(request, forms.SearchForm(), status=400)
    try:
        content, filename, log = search.export_search_results(request.user, form.cleaned_data,
                                                              query_string=_search_query(request))
    except WorkflowError as error:
        messages.error(request, str(error))
        return _render(request, form, status=_error_status(error))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-SHA256"] = log.sha256
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def save_search(request):
    _require(policies.can_search(request.user))
    form = forms.SavedSearchForm(request.POST, prefix="save")
    if form.is_valid():
        try:
            saved = search.save_search(by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Search saved: %(name)s.") % {"name": saved.name})
            return redirect(_saved_url(saved))
    messages.error(request, _("Nothing was saved: please correct what is marked below."))
    return _render(request, forms.SearchForm(), save_form=form, status=400)


@staff_required
@require_POST
def hide_saved_search(request, pk):
    _require(policies.can_search(request.user))
    saved = SavedSearch.objects.filter(pk=pk, owner=request.user, hidden_at__isnull=True).first()
    if saved is None:
        raise Http404
    search.hide_saved_search(saved, by=request.user)
    messages.success(request, _("Removed from your saved searches: %(name)s.") % {"name": saved.name})
    return redirect("staff:search")


def _saved_url(saved):
    return f"{reverse('staff:search')}?{saved.query}"
