"""Checklists, assignments (created here for now), inspections and the quarantine."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from inspections.errors import InspectionError
from inspections.models import (
    Assignment,
    AssignmentAsset,
    ChecklistTemplate,
    Defect,
    Inspection,
    Quarantine,
)
from inspections.quarantine import quarantine_resolve


@admin.register(ChecklistTemplate)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["asset_type", "version", "is_current", "created_at", "change_seq"]
    list_filter = ["is_current", "asset_type"]
    readonly_fields = ["version", "is_current", "created_at", "change_seq"]

    def has_change_permission(self, request, obj=None):
        return False  # a checklist changes by publishing a new version (services)


class StopInline(admin.TabularInline):
    model = AssignmentAsset
    raw_id_fields = ["asset"]
    extra = 3


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["title", "inspector", "organization", "due_date", "status"]
    list_filter = ["status", "organization"]
    raw_id_fields = ["inspector", "created_by"]
    inlines = [StopInline]
    readonly_fields = ["change_seq"]


class DefectInline(admin.TabularInline):
    model = Defect
    extra = 0
    can_delete = False
    readonly_fields = ["component", "kind", "grade", "measurement", "unit", "notes", "fault"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["asset", "kind", "overall_grade", "performed_at", "inspector", "received_at"]
    list_filter = ["kind", "overall_grade"]
    search_fields = ["uuid", "asset__ledger_id"]
    list_select_related = ["asset__asset_type", "inspector"]
    inlines = [DefectInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # immutable once synced: a correction is a new record

    def has_delete_permission(self, request, obj=None):
        return False


def _resolve(accept: bool, label):
    def action(modeladmin, request, queryset):
        for record in queryset:
            try:
                quarantine_resolve(record=record, accept=accept, acting_user=request.user)
            except InspectionError as exc:
                modeladmin.message_user(request, f"{record}: {exc}", messages.WARNING)

    action.short_description = label
    action.__name__ = "accept" if accept else "discard"
    return action


@admin.register(Quarantine)
class QuarantineAdmin(admin.ModelAdmin):
    list_display = ["uuid", "reason", "inspector", "received_at", "resolution"]
    list_filter = ["reason", "resolution"]
    readonly_fields = [f.name for f in Quarantine._meta.fields]
    actions = [_resolve(True, _("Record it (as a correction)")), _resolve(False, _("Discard"))]

    def has_add_permission(self, request):
        return False
