"""Query-string filters for the asset API. Bad values are 400s with a stable code."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from assets import geo, selectors
from assets.models import Asset

MAX_DISTANCE_M = 50_000


class _CoordinatesField(forms.CharField):
    parse = None

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return type(self).parse(value)
        except geo.CoordinateError as exc:
            raise ValidationError(str(exc), code=exc.code) from None


class BBoxField(_CoordinatesField):
    parse = staticmethod(geo.parse_bbox)


class PointField(_CoordinatesField):
    parse = staticmethod(geo.parse_point)


class BBoxFilter(django_filters.Filter):
    field_class = BBoxField


class PointFilter(django_filters.Filter):
    field_class = PointField


class AssetFilter(django_filters.FilterSet):
    bbox = BBoxFilter(
        method="filter_bbox",
        label="min_lon,min_lat,max_lon,max_lat (WGS84): assets whose geometry meets the box",
    )
    point = PointFilter(
        method="filter_noop",
        label="lon,lat: with `dist`, assets within that many metres; adds distance_m",
    )
    dist = django_filters.NumberFilter(
        method="filter_noop",
        label=f"metres from `point` (geodesic, at most {MAX_DISTANCE_M})",
        min_value=0,
        max_value=MAX_DISTANCE_M,
    )
    type = django_filters.CharFilter(
        method="filter_type", label="asset type code(s), comma-separated"
    )
    owner = django_filters.CharFilter(method="filter_owner", label="owner organisation code or id")
    status = django_filters.ChoiceFilter(choices=Asset.Status.choices)
    ledger_id = django_filters.CharFilter()
    parent = django_filters.NumberFilter(field_name="parent_id", label="id of the parent asset")
    ordering = django_filters.ChoiceFilter(
        method="filter_noop",
        choices=[("id", "id"), ("-id", "-id"), ("distance", "distance (needs point)")],
        label="id (default), -id, or distance (nearest first; needs point)",
    )

    class Meta:
        model = Asset
        fields = []

    def filter_noop(self, queryset, name, value):
        return queryset  # handled together in filter_queryset

    def filter_bbox(self, queryset, name, value):
        return selectors.assets_in_bbox(queryset, value)

    def filter_type(self, queryset, name, value):
        codes = [code.strip() for code in value.split(",") if code.strip()]
        return queryset.filter(asset_type__code__in=codes)

    def filter_owner(self, queryset, name, value):
        value = value.strip()
        if value.isdecimal():
            return queryset.filter(Q(owner_id=int(value)) | Q(owner__code=value))
        return queryset.filter(owner__code=value)

    def is_valid(self):
        valid = super().is_valid()
        if valid:
            data = self.form.cleaned_data
            if data.get("dist") is not None and data.get("point") is None:
                self.form.add_error(
                    "dist", ValidationError("dist needs point.", code="invalid_point")
                )
            if data.get("ordering") == "distance" and data.get("point") is None:
                self.form.add_error(
                    "ordering",
                    ValidationError("Ordering by distance needs point.", code="invalid_point"),
                )
        return self.form.is_valid()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        point, dist = data.get("point"), data.get("dist")
        if point is not None and dist is not None:
            queryset = selectors.assets_within(queryset, point, float(dist))
        elif point is not None:
            queryset = selectors.with_distance(queryset, point)
        ordering = data.get("ordering") or "id"
        if ordering == "distance":
            return queryset.order_by("distance", "id")
        return queryset.order_by(ordering)
