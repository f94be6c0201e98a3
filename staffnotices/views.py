"""A staff member's own notifications and settings: nobody reads or changes another person's."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from investigations.views import _page, staff_required

from . import queries, services
from .forms import PreferenceForm


@staff_required
def notification_list(request):
    rows = (queries.visible_notifications(request.user).select_related("investigation__complaint", "referral")
            .order_by("-created_at", "-pk"))
    return render(request, "staffnotices/list.html", {"page": _page(request, rows)})


@staff_required
def open_notification(request, pk):
    """Mark it read and go to what it is about; someone else's (or one about a case now hidden) is missing."""
    notification = queries.visible_notifications(request.user).select_related(
        "investigation__complaint").filter(pk=pk).first()
    if notification is None:
        raise Http404
    services.open_notification(notification, by=request.user)
    if notification.referral_id:
        return redirect("referrals:detail", notification.referral_id)
    return redirect("staff:case", notification.investigation.complaint.reference)


@require_POST
@staff_required
def read_all(request):
    services.mark_all_read(request.user)
    messages.success(request, _("All your notifications are marked read."))
    return redirect("staffnotices:list")


@staff_required
def preferences(request):
    preference = services.preference_of(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST":
        if form.is_valid():
            services.set_preference(request.user, language=form.cleaned_data["language"],
                                    delivery=form.cleaned_data["delivery"])
            messages.success(request, _("Your settings are saved."))
            return redirect("staffnotices:settings")
        return render(request, "staffnotices/settings.html", {"form": form}, status=400)
    return render(request, "staffnotices/settings.html", {"form": form})
