from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api import views

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
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
