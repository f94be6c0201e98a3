from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("staff/referrals/", include("investigations.referrals.urls")),
    path("staff/early-intervention/", include("early_intervention.urls")),
    path("staff/", include("investigations.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(path("", include("intake.urls")), prefix_default_language=True)
