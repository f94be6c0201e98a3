from django.urls import path

from . import views

app_name = "publicdata"

urlpatterns = [
    path("", views.index, name="index"),
    path("releases.json", views.api_index, name="api"),
    path("<str:period>/", views.release_page, name="release"),
    path("<str:period>/dictionary/", views.dictionary, name="dictionary"),
    path("<str:period>/report.pdf", views.report_pdf, name="pdf"),
    path("<str:period>/files/<str:name>", views.release_file, name="file"),
]
