"""/manage/: the managers' screens, a module a screen (inspections in inspection_urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from web_admin import (
    api_clients,
    dashboard,
    intake,
    plan_screens,
    plan_views,
    privacy,
    queue,
    report_views,
    signin,
    work_orders,
)

R = "reports/<str:number>/"

urlpatterns = [
    path("", dashboard.dashboard, name="manage-dashboard"),
    path("queue/", queue.queue, name="manage-queue"),
    path("queue.<str:fmt>", queue.queue_export, name="manage-queue-export"),
    path("queue/bulk/", queue.queue_bulk, name="manage-queue-bulk"),
    path("intake/", intake.intake, name="manage-intake"),
    path("login/", signin.LoginView.as_view(), name="manage-login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="manage-login"), name="manage-logout"),
    path("password-reset/", signin.PasswordResetView.as_view(), name="manage-password-reset"),
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
    path(R, report_views.report_detail, name="manage-report"),
    path(R + "status/", report_views.report_status, name="manage-report-status"),
    path(R + "note/", report_views.report_note, name="manage-report-note"),
    path(R + "moderate/", report_views.report_moderate, name="manage-report-moderate"),
    path(R + "assign/", report_views.report_assign, name="manage-report-assign"),
    path(R + "merge/", report_views.report_merge, name="manage-report-merge"),
    path(R + "forward/", report_views.report_forward, name="manage-report-forward"),
    path(R + "priority/", report_views.report_priority, name="manage-report-priority"),
    path(R + "link/", report_views.report_link, name="manage-report-link"),
    path("photos/<uuid:token>/<str:variant>", report_views.photo, name="manage-photo"),
    path(R + "work-order/", work_orders.work_order, name="manage-work-order"),
    path("work-orders/", work_orders.work_order_selection, name="manage-work-orders"),
    path("inspections/", include("web_admin.inspection_urls")),
    path("plan/", plan_views.plan_home, name="manage-plan"),
    path("plan/make/", plan_views.plan_make, name="manage-plan-make"),
    path("plan/plans/<int:pk>/", plan_views.plan_detail, name="manage-plan-detail"),
    path(
        "plan/plans/<int:pk>/works.<str:fmt>",
        plan_views.plan_download,
        name="manage-plan-download",
    ),
    path("plan/models/", plan_screens.model_list, name="manage-plan-models"),
    path("plan/models/<slug:code>/", plan_screens.model_detail, name="manage-plan-model"),
    path("api-clients/", api_clients.api_clients, name="manage-api-clients"),
    path(
        "api-clients/<int:pk>/revoke/",
        api_clients.api_client_revoke,
        name="manage-api-client-revoke",
    ),
    path("privacy/", privacy.privacy, name="manage-privacy"),
    path("privacy/export.json", privacy.privacy_export, name="manage-privacy-export"),
    path("privacy/erase/", privacy.privacy_erase, name="manage-privacy-erase"),
]
