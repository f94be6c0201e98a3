from django.urls import path

from . import resumable, views

app_name = "intake"

urlpatterns = [
    path("", views.home, name="home"),
    path("file/", views.file_complaint, name="file"),
    path("language/", views.change_language, name="language"),
    path("receipt/", views.receipt_page, name="receipt"),
    path("uploads/", resumable.uploads, name="uploads"),
    path("uploads/<str:upload_id>/", resumable.upload, name="upload"),
    path("receipt/pdf/", views.receipt_download, name="receipt_pdf"),
    path("receipt/email/", views.receipt_email, name="receipt_email"),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("follow-up/case/", views.follow_up_case, name="follow_up_case"),
    path("follow-up/case/letter/", views.follow_up_letter, name="follow_up_letter"),
    path("follow-up/case/receipt/", views.follow_up_receipt, name="follow_up_receipt"),
    path("follow-up/sign-out/", views.follow_up_sign_out, name="follow_up_sign_out"),
]
