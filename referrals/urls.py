from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("coming-due/", views.coming_due, name="coming_due"),
    path("exports/", views.export_log, name="export_log"),
    path("bulk/", views.bulk_export, name="bulk"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sent/", views.mark_sent, name="sent"),
    path("<int:pk>/acknowledged/", views.mark_acknowledged, name="acknowledged"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/export.<str:fmt>", views.export, name="export"),
]
