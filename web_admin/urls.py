from django.contrib.auth import views as auth_views
from django.urls import path

from web_admin import views

urlpatterns = [
    path("", views.queue, name="manage-queue"),
    path("login/", views.LoginView.as_view(), name="manage-login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="manage-login"), name="manage-logout"),
    path("reports/<str:number>/", views.report_detail, name="manage-report"),
    path("reports/<str:number>/status/", views.report_status, name="manage-report-status"),
    path("reports/<str:number>/note/", views.report_note, name="manage-report-note"),
    path("reports/<str:number>/moderate/", views.report_moderate, name="manage-report-moderate"),
    path("photos/<uuid:token>/<str:variant>", views.photo, name="manage-photo"),
]
