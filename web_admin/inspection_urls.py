"""The inspection screens under /manage/inspections/."""

from django.urls import include, path

from web_admin.inspection_screens import (
    assets,
    assignments,
    conditions,
    history,
    overview,
    quarantine,
)

urlpatterns = [
    path("", overview.overview, name="manage-inspections"),
    path("assets/", assets.asset_list, name="manage-inspection-assets"),
    path("assets/map.json", assets.asset_map, name="manage-inspection-assets-map"),
    path("assets/<int:pk>/", history.asset_history, name="manage-asset-history"),
    path("assets/<int:pk>/works/", history.asset_work, name="manage-asset-work"),
    path("assignments/", assignments.assignment_list, name="manage-assignments"),
    path("assignments/<int:pk>/", assignments.assignment_detail, name="manage-assignment"),
    path("quarantine/", quarantine.quarantine, name="manage-quarantine"),
    path(
        "quarantine/<int:pk>/resolve/",
        quarantine.quarantine_resolve,
        name="manage-quarantine-resolve",
    ),
    path("conditions/", conditions.conditions, name="manage-conditions"),
    path("", include("web_admin.inspection_exports")),  # the lists as Excel files
]
