"""The Django admin at /admin/: for superusers only (DESIGN.md); managers work in /manage/.

Thin on purpose. The models' clean() checks geometry kinds, attributes and grades, and the
admin's forms run it, so a mistake comes back as a form error, never a 500. Geometry fields
get the offline map widget (assets/widgets.py).
"""

import json
import math

import orjson
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.gis.admin.options import GeoModelAdminMixin
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse, JsonResponse
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms import GuardedAuthenticationForm
from accounts.models import City, CityHost, Organization, User
from assets import selectors, versions
from assets.models import Asset, AssetType, FaultCategory
from assets.scales import SCALES
from assets.widgets import MapWidget

# Enough context for a map at street level; more only costs the browser.
NEARBY_LIMIT = 1000
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}  # an address typed without a scheme


# --- The site: superusers only ---------------------------------------------------------------


class SuperuserAuthenticationForm(GuardedAuthenticationForm, AdminAuthenticationForm):
    """Refuse staff accounts that are not superusers, with the usual vague message; behind
    the sign-in guard like every door."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


def superusers_only(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.is_superuser


# is_staff alone must not open /admin/: it shows every organisation's records, internal
# attributes included, without the scopes that /manage/ and the API enforce. The default
# site is kept rather than replaced, so every app's admin.py still registers on admin.site.
admin.site.has_permission = superusers_only
admin.site.login_form = SuperuserAuthenticationForm
admin.site.site_header = "まちもり 管理 / Machimori admin"
admin.site.site_title = _("Machimori admin")
admin.site.index_title = _("Administration")


# --- Shared pieces ---------------------------------------------------------------------------


class PrettyJSONField(forms.JSONField):
    """JSON shown indented: attribute schemas and questions are long lists of objects."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class BaseAdmin(admin.ModelAdmin):
    formfield_overrides = {
        models.JSONField: {
            "form_class": PrettyJSONField,
            "widget": AdminTextareaWidget(attrs={"rows": 8, "class": "vLargeTextField"}),
        },
    }


class MapAdmin(GeoModelAdminMixin, BaseAdmin):
    """Geometry fields drawn on the offline map, with the assets around for context."""

    gis_widget = MapWidget

    @property
    def gis_widget_kwargs(self):
        return {"nearby_url": reverse_lazy("admin:assets_asset_nearby")}


def _bbox(text: str) -> tuple[float, float, float, float]:
    """min_lon,min_lat,max_lon,max_lat, clamped to the world; ValueError when malformed."""
    parts = [float(part) for part in text.split(",")]
    if len(parts) != 4 or not all(math.isfinite(n) for n in parts):
        raise ValueError(text)
    min_x, max_x = (min(max(n, -180.0), 180.0) for n in (parts[0], parts[2]))
    min_y, max_y = (min(max(n, -90.0), 90.0) for n in (parts[1], parts[3]))
    if min_x > max_x or min_y > max_y:
        raise ValueError(text)
    return (min_x, min_y, max_x, max_y)


# --- Organisations and people ----------------------------------------------------------------


class CityHostInline(admin.TabularInline):
    model = CityHost
    extra = 0
    min_num = 1


@admin.register(City)
class CityAdmin(MapAdmin):
    """The cities of a deployment that serves several (manage.py create_city adds one)."""

    list_display = ("slug", "name", "prefecture", "local_government_code", "is_active")
    list_filter = ("is_active", "prefecture")
    search_fields = ("slug", "name", "name_en", "local_government_code", "hosts__host")
    readonly_fields = ("created_at",)
    inlines = (CityHostInline,)
    formfield_overrides = MapAdmin.formfield_overrides | HTTPS_URLS
    _open311 = ("jurisdiction_id", "open311_contact")
    _licence = ("open_data_license", "open_data_license_url")
    # Secrets are password inputs that never show what is stored (accounts.models.SecretField).
    _line = ("line_basic_id", "line_push_monthly_cap", "line_channel_secret", "line_access_token")
    _mailbox = ("mail_address", ("mail_host", "mail_port"), ("mail_user", "mail_password"))
    _folders = (("mail_folder", "mail_processed_folder", "mail_staff_folder"), "mail_ca_file")
    fieldsets = (
        (None, {"fields": ("slug", "name", "name_en", "prefecture", "local_government_code")}),
        (_("Residents"), {"fields": ("public_base_url", "short_url_base", "phone", "phone_hours")}),
        (_("Open data and Open311"), {"fields": (*_open311, *_licence)}),
        (_("Service area"), {"fields": ("service_area",)}),
        (_("LINE"), {"fields": _line}),
        (_("Report mailbox"), {"fields": (*_mailbox, *_folders)}),
        (_("Record"), {"fields": ("is_active", "created_at")}),
    )


@admin.register(Organization)
class OrganizationAdmin(MapAdmin):
    list_display = ("code", "name", "kind", "parent", "contact_email")
    list_filter = ("kind", "is_active", "city")
    list_select_related = ("parent",)
    search_fields = ("code", "name", "name_en", "contact_email")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "kind", "parent", "city", "is_active")}),
        (_("Contact"), {"fields": ("contact_email", "phone")}),
        (_("Service area"), {"fields": ("service_area",)}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )


_ORGANISATION_FIELDSET = (_("Organisation"), {"fields": ("organization", "role")})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        _ORGANISATION_FIELDSET,
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, _ORGANISATION_FIELDSET)
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "organization",
        "role",
        "is_staff",
        "is_superuser",
    )
    list_filter = ("role", "organization", "is_superuser", "is_staff", "is_active", "groups")
    list_select_related = ("organization",)


# --- The catalogue ---------------------------------------------------------------------------


@admin.register(FaultCategory)
class FaultCategoryAdmin(BaseAdmin):
    list_display = (
        "code",
        "group",
        "name_ja",
        "name_en",
        "severity",
        "danger",
        "response_hours",
        "response_business_days",
    )
    list_filter = ("group", "danger", "severity", "is_active")
    search_fields = ("code", "name_ja", "name_en")


@admin.register(AssetType)
class AssetTypeAdmin(BaseAdmin):
    list_display = ("code", "name_ja", "geometry_kind", "scale", "inspection_cycle_months")
    list_filter = ("geometry_kind", "scale")
    search_fields = ("code", "name_ja", "name_en")
    filter_horizontal = ("categories",)


# --- Assets ----------------------------------------------------------------------------------

# How the map draws each type's geometry kind; Asset.clean() has the last word.
_DRAW_TYPES = {
    AssetType.Geometry.POINT: "Point",
    AssetType.Geometry.LINE: "LineString",
    AssetType.Geometry.POLYGON: "Polygon",
}


def asset_type_draw_types() -> dict[str, str]:
    return {
        str(pk): _DRAW_TYPES[kind]
        for pk, kind in AssetType.objects.values_list("pk", "geometry_kind")
    }


class ConditionGradeFilter(admin.SimpleListFilter):
    """Grades from the scales in code: Django's default filter would scan every asset for
    its distinct grades on each page load."""

    title = _("current grade")
    parameter_name = "condition_grade"

    def lookups(self, request, model_admin):
        codes = dict.fromkeys(code for scale in SCALES.values() for code in scale.codes())
        return [*((code, code) for code in codes), ("none", _("not graded"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(condition_grade="")
        if value:
            return queryset.filter(condition_grade=value)
        return queryset


class AssetAdminForm(forms.ModelForm):
    """The admin supplies the model and fields (from AssetAdmin.fieldsets)."""

    def _json_object(self, name: str) -> dict:
        # Asset.clean() merges both as dicts; a list or a string here would crash it.
        value = self.cleaned_data.get(name)
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise ValidationError(
                _('Enter a JSON object, e.g. {"wattage": 20}.'), code="not_an_object"
            )
        return value

    def clean_attributes(self):
        return self._json_object("attributes")

    def clean_internal_attributes(self):
        return self._json_object("internal_attributes")


@admin.register(Asset)
class AssetAdmin(MapAdmin):
    form = AssetAdminForm
    list_display = (
        "id",
        "ledger_id",
        "name",
        "asset_type",
        "owner",
        "status",
        "condition_grade",
        "next_inspection_due",
    )
    list_display_links = ("id", "ledger_id")
    list_filter = ("asset_type", "status", "owner", ConditionGradeFilter)
    list_select_related = ("asset_type", "owner")
    search_fields = ("ledger_id", "name", "address")
    raw_id_fields = ("parent",)
    readonly_fields = ("condition_rank", "created_at", "updated_at")
    # Counting 100k+ rows on every page load buys nothing but a number.
    show_full_result_count = False
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "asset_type",
                    "owner",
                    "parent",
                    "ledger_id",
                    "name",
                    "address",
                    "status",
                    "install_date",
                    "criticality",
                )
            },
        ),
        (_("Location"), {"fields": ("geom",)}),
        (_("Attributes"), {"fields": ("attributes", "internal_attributes")}),
        (
            _("Condition"),
            {
                "fields": (
                    "condition_grade",
                    "condition_rank",
                    "last_inspected_on",
                    "next_inspection_due",
                )
            },
        ),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    @property
    def gis_widget_kwargs(self):
        return {
            "nearby_url": reverse_lazy("admin:assets_asset_nearby"),
            "kind_field": "asset_type",
            "kinds": asset_type_draw_types,
        }

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        versions.asset_changed(obj.pk)  # its public sticker page shows what was edited

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "geom" in form.base_fields:
            # The asset being edited is drawn by the widget itself, not again as context.
            widget = form.base_fields["geom"].widget
            widget.nearby_url = f"{reverse('admin:assets_asset_nearby')}?exclude={obj.pk}"
        return form

    def get_urls(self):
        nearby = path(
            "nearby/",
            self.admin_site.admin_view(self.nearby_view),
            name="assets_asset_nearby",
        )
        return [nearby, *super().get_urls()]

    def nearby_view(self, request):
        """Assets in service within ?bbox=…, as GeoJSON for the map's context layer."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            bbox = _bbox(request.GET.get("bbox", ""))
        except ValueError:
            return JsonResponse(
                {
                    "detail": "bbox must be min_lon,min_lat,max_lon,max_lat.",
                    "code": "invalid_bbox",
                },
                status=400,
            )
        queryset = selectors.assets_in_bbox(
            Asset.objects.filter(status=Asset.Status.IN_SERVICE), bbox
        )
        exclude = request.GET.get("exclude", "")
        if exclude.isdecimal():
            queryset = queryset.exclude(pk=int(exclude))
        rows = list(
            queryset.order_by()
            .annotate(geometry=AsGeoJSON("geom", precision=7))
            .values_list("pk", "ledger_id", "name", "asset_type__code", "geometry")[
                : NEARBY_LIMIT + 1
            ]
        )
        features = [
            {
                "type": "Feature",
                "id": pk,
                "geometry": orjson.Fragment(geometry),
                "properties": {"label": name or ledger_id or "", "type": type_code},
            }
            for pk, ledger_id, name, type_code, geometry in rows[:NEARBY_LIMIT]
        ]
        body = orjson.dumps(
            {
                "type": "FeatureCollection",
                "features": features,
                "truncated": len(rows) > NEARBY_LIMIT,
            }
        )
        return HttpResponse(body, content_type="application/geo+json")
