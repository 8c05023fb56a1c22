"""The inspection screens under /manage/inspections/."""

from django.urls import path

from web_admin import inspection_views as views

urlpatterns = [
    path("", views.overview, name="manage-inspections"),
    path("assets/", views.asset_list, name="manage-inspection-assets"),
    path("assets/map.json", views.asset_map, name="manage-inspection-assets-map"),
    path("assets/<int:pk>/", views.asset_history, name="manage-asset-history"),
    path("assignments/", views.assignment_list, name="manage-assignments"),
    path("assignments/<int:pk>/", views.assignment_detail, name="manage-assignment"),
    path("quarantine/", views.quarantine, name="manage-quarantine"),
    path(
        "quarantine/<int:pk>/resolve/", views.quarantine_resolve, name="manage-quarantine-resolve"
    ),
    path("conditions/", views.conditions, name="manage-conditions"),
]
