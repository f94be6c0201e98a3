from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from complaints import views as complaints_views

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("staff/referrals/", include("referrals.urls")),
    path("staff/sign-in/", include("signin.urls")),
    path("staff/statistics/", include("publicdata.staff_urls")),
    path("staff/role-grants/", complaints_views.role_grants, name="role_grants"),
    path("staff/early-intervention/", include("early_intervention.urls")),
    path("staff/me/", include("staffnotices.urls")),
    path("staff/", include("investigations.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("data/", include("publicdata.urls")),
    path("", include("intake.urls")),
    prefix_default_language=True,
)
