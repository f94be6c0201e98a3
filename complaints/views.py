from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from . import policies
from .models import RoleChange


@login_required
def role_grants(request):
    """Every change that gave someone access to cases (a case-reading role, superuser status), newest first."""
    if not policies.can_see_role_grants(request.user):
        raise PermissionDenied("Only auditors see role grants.")
    changes = RoleChange.objects.filter(grants_case_access=True).select_related("user", "group", "changed_by")
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(request, "complaints/role_grants.html", {"page": page, "rows": page.object_list})
