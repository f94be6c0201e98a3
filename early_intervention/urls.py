from django.urls import path

from . import views

app_name = "early_intervention"

urlpatterns = [
    path("", views.board, name="board"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/do/<slug:action>/", views.alert_action, name="alert_action"),
    path("officers/<int:pk>/", views.officer, name="officer"),
    path("units/", views.units, name="units"),
]
