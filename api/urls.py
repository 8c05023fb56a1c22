from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api import labels, views

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
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
