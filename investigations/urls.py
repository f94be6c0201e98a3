from django.contrib.auth import views as auth_views
from django.urls import path

from signin.views import StaffLoginView

from . import evidence_serving, search_views, staff_intake, views, worklists

app_name = "staff"

urlpatterns = [
    path("login/", StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("triage/", views.triage_queue, name="triage"),
    path("caseload/", views.caseload, name="caseload"),
    path("board/", views.board, name="board"),
    path("decisions/", views.decision_queue, name="decisions"),
    path("search/", search_views.search_cases, name="search"),
    path("search/results.csv", search_views.export_results, name="search_export"),
    path("search/saved/", search_views.save_search, name="saved_search_create"),
    path("search/saved/<int:pk>/remove/", search_views.hide_saved_search, name="saved_search_hide"),
    path("my-tasks/", worklists.my_tasks, name="my_tasks"),
    path("awaiting-review/", worklists.awaiting_review, name="awaiting_review"),
    path("awaiting-decision/", worklists.awaiting_decision, name="awaiting_decision"),
    path("intake/new/", staff_intake.enter_complaint, name="enter_complaint"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/case-file.pdf", views.case_file, name="case_file"),
    path("cases/<str:reference>/add/<slug:what>/", views.case_post, name="case_post"),
    path("cases/<str:reference>/tasks/<int:task_id>/done/", views.complete_task, name="task_done"),
    path("cases/<str:reference>/tasks/<int:task_id>/carry-over/", views.carry_over_task, name="task_carry_over"),
    path("cases/<str:reference>/do/<slug:action>/", views.case_action, name="action"),
    path("cases/<str:reference>/evidence-log/", views.case_access_log, name="case_access_log"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/users/<int:user_id>/", views.user_access_log, name="user_access_log"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/download/", views.evidence_file, {"download": True}, name="evidence_download"),
    path("evidence/derived/<int:pk>/", evidence_serving.derived_file, name="derived_file"),
    path("evidence/<int:pk>/sealed-original/", evidence_serving.sealed_original, name="sealed_original"),
]
