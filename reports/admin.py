"""Reports in the superusers' admin: the record, its photos and trail. Status changes go
through the services (admin actions), so they are audited and residents are told."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiClient
from reports import services
from reports.models import MeToo, Photo, Receipt, Report, ReportEvent


class PhotoInline(admin.TabularInline):
    model = Photo
    fk_name = "report"
    extra = 0
    fields = ["token", "public", "width", "height", "gps", "taken_at", "is_public"]
    readonly_fields = ["token", "public", "width", "height", "gps", "taken_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    fields = ["at", "kind", "from_value", "to_value", "reason", "public", "text", "by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _transition(to, label):
    def action(modeladmin, request, queryset):
        done = 0
        for report in queryset:
            try:
                services.report_transition(report=report, to=to, acting_user=request.user)
                done += 1
            except services.ReportError as exc:
                modeladmin.message_user(request, f"{report}: {exc}", messages.WARNING)
        modeladmin.message_user(request, _("%(count)d reports changed.") % {"count": done})

    action.short_description = label
    action.__name__ = f"mark_{to}"
    return action


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    # Another system's photo link, typed without a scheme, is read as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "number",
        "category",
        "asset",
        "owner",
        "status",
        "source",
        "me_too_count",
        "photo_far_from_asset",
        "created_at",
    ]
    list_filter = ["status", "source", "category__group", "photo_far_from_asset", "owner"]
    search_fields = ["number", "description", "address_text", "asset__ledger_id", "label_code"]
    list_select_related = ["category", "asset__asset_type", "owner"]
    raw_id_fields = ["asset", "duplicate_of", "submitted_by"]
    readonly_fields = [
        "number",
        "source",
        "language",
        "status",
        "close_reason",
        "ended_at",
        "me_too_count",
        "contacts_deleted_at",
        "photo_distance_m",
        "photo_far_from_asset",
        "created_at",
        "updated_at",
    ]
    inlines = [PhotoInline, EventInline]
    actions = [
        _transition(Report.Status.ACCEPTED, _("Accept")),
        _transition(Report.Status.IN_PROGRESS, _("Start work")),
        _transition(Report.Status.FIXED, _("Mark fixed")),
    ]
    show_full_result_count = False
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # reports come through the form, Open311, inspections or staff intake


@admin.register(MeToo)
class MeTooAdmin(admin.ModelAdmin):
    list_display = ["report", "source", "created_at", "language"]
    raw_id_fields = ["report", "api_client"]


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    """Receipts are made by the intake door; here they can only be looked at. The token
    is not shown: it is the holder's key to their own report."""

    list_display = ["origin", "report", "me_too", "public_only", "created_at"]
    exclude = ["token"]
    readonly_fields = ["report", "origin", "me_too", "public_only", "announce", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Keys are made and revoked on /manage/api-clients/, where the key is shown once;
    here they can only be looked at."""

    list_display = ["name", "prefix", "rate_limit", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = [
        "name",
        "contact_email",
        "prefix",
        "rate_limit",
        "services",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
