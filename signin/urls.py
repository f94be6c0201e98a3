from django.urls import path

from . import views

app_name = "signin"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("", views.security, name="security"),
    path("recovery-codes/", views.new_recovery_codes, name="new_recovery_codes"),
]
