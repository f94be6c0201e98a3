from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("", views.statistics, name="live"),
    path("publish/", views.publish, name="publish"),
]
