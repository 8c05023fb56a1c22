from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from api import labels, views
from api.tablet import auth, history, packs, photos, sync

app_name = "api"

urlpatterns = [
    path("v1/assets/", views.AssetListApi.as_view(), name="asset-list"),
    path("v1/assets/<int:pk>/", views.AssetDetailApi.as_view(), name="asset-detail"),
    path(
        "v1/assets/ledger/<path:ledger_id>/",
        views.AssetByLedgerApi.as_view(),
        name="asset-by-ledger",
    ),
    path("v1/asset-types/", views.AssetTypeListApi.as_view(), name="asset-type-list"),
    path("v1/assets/<int:pk>/labels/", labels.LabelIssueApi.as_view(), name="label-issue"),
    path("v1/labels/", labels.LabelListApi.as_view(), name="label-list"),
    path("v1/labels/scans/", labels.ScanCountApi.as_view(), name="label-scans"),
    path("v1/labels/sheet.pdf", labels.LabelSheetApi.as_view(), name="label-sheet"),
    path("v1/labels/<str:code>/replace/", labels.LabelReplaceApi.as_view(), name="label-replace"),
    path("v1/labels/<str:code>/move/", labels.LabelMoveApi.as_view(), name="label-move"),
    path("v1/labels/<str:code>/retire/", labels.LabelRetireApi.as_view(), name="label-retire"),
    path(
        "v1/labels/<str:code>/keeps-working/",
        labels.LabelKeepsWorkingApi.as_view(),
        name="label-keeps-working",
    ),
    re_path(
        r"^v1/labels/(?P<code>[0-9A-Za-z]{8})/qr\.(?P<fmt>png|svg)$",
        labels.LabelImageApi.as_view(),
        name="label-image",
    ),
    path("v1/auth/token/", auth.SignInApi.as_view(), name="sign-in"),
    path("v1/auth/sign-out/", auth.SignOutApi.as_view(), name="sign-out"),
    path("v1/auth/devices/", auth.DeviceListApi.as_view(), name="device-list"),
    path("v1/auth/devices/<int:pk>/", auth.DeviceRevokeApi.as_view(), name="device-revoke"),
    path("v1/assignments/", packs.AssignmentListApi.as_view(), name="assignment-list"),
    path("v1/workpack/", packs.WorkPackApi.as_view(), name="workpack"),
    path("v1/changes/", packs.ChangesApi.as_view(), name="changes"),
    path("v1/inspections/sync/", sync.SyncApi.as_view(), name="inspection-sync"),
    path(
        "v1/inspections/<uuid:uuid>/photos/",
        photos.InspectionPhotoApi.as_view(),
        name="inspection-photos",
    ),
    path(
        "v1/inspections/<uuid:uuid>/photos/<str:sha256>/confirm/",
        photos.InspectionPhotoConfirmApi.as_view(),
        name="inspection-photo-confirm",
    ),
    path("v1/assets/<int:pk>/history/", history.AssetHistoryApi.as_view(), name="asset-history"),
    path(
        "v1/condition-history.csv",
        history.ConditionHistoryCsvApi.as_view(),
        name="condition-history",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's start-up script comes from docs/?script, not inline: the CSP allows no
    # inline script (config/settings.py).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    # Redoc styles itself with <style> elements it writes at run time (styled-components) and
    # searches in a worker it starts from a blob. Its "API docs by Redocly" logo from
    # cdn.redoc.ly stays refused: the page hides it, and no page of ours calls out to a CDN.
    path(
        "redoc/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
]
