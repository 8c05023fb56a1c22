from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from web_admin import views

R = "reports/<str:number>/"

urlpatterns = [
    path("", views.queue, name="manage-queue"),
    path("queue.<str:fmt>", views.queue_export, name="manage-queue-export"),
    path("intake/", views.intake, name="manage-intake"),
    path("login/", views.LoginView.as_view(), name="manage-login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="manage-login"), name="manage-logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="manage-password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="web_admin/password_reset_sent.html"
        ),
        name="manage-password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="web_admin/password_reset_confirm.html",
            success_url=reverse_lazy("manage-password-reset-complete"),
        ),
        name="manage-password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="web_admin/password_reset_complete.html"
        ),
        name="manage-password-reset-complete",
    ),
    path(R, views.report_detail, name="manage-report"),
    path(R + "status/", views.report_status, name="manage-report-status"),
    path(R + "note/", views.report_note, name="manage-report-note"),
    path(R + "moderate/", views.report_moderate, name="manage-report-moderate"),
    path(R + "assign/", views.report_assign, name="manage-report-assign"),
    path(R + "merge/", views.report_merge, name="manage-report-merge"),
    path(R + "forward/", views.report_forward, name="manage-report-forward"),
    path(R + "priority/", views.report_priority, name="manage-report-priority"),
    path("photos/<uuid:token>/<str:variant>", views.photo, name="manage-photo"),
    path("inspections/", include("web_admin.inspection_urls")),
    path("api-clients/", views.api_clients, name="manage-api-clients"),
    path("api-clients/<int:pk>/revoke/", views.api_client_revoke, name="manage-api-client-revoke"),
    path("privacy/", views.privacy, name="manage-privacy"),
    path("privacy/export.json", views.privacy_export, name="manage-privacy-export"),
    path("privacy/erase/", views.privacy_erase, name="manage-privacy-erase"),
]
