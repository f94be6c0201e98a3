from django.urls import path

from . import views

app_name = "staffnotices"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.read_all, name="read_all"),
    path("notifications/<int:pk>/", views.open_notification, name="open"),
    path("settings/", views.preferences, name="settings"),
]
