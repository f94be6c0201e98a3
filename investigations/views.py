from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from complaints.models import Complaint
from complaints.roles import roles_of


@login_required
def home(request):
    roles = roles_of(request.user)
    if not roles and not request.user.is_superuser:
        raise PermissionDenied("This account has no staff role.")
    complaints = Complaint.objects.none()
    if request.user.has_perm("complaints.view_complaint"):
        complaints = Complaint.objects.all()
        if not request.user.has_perm("complaints.view_sealed_complaint"):
            complaints = complaints.unsealed()
        complaints = complaints.order_by("-received_at")[:25]
    return render(request, "investigations/home.html", {"roles": roles, "complaints": complaints})
