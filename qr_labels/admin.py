"""Labels in the superusers' admin: read mostly; changes go through the label services."""

from django.contrib import admin

from qr_labels.models import Label, LabelEvent


class LabelEventInline(admin.TabularInline):
    model = LabelEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "from_asset", "to_asset", "by", "note"]
    readonly_fields = fields
    raw_id_fields = ["from_asset", "to_asset"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["code", "asset", "state", "keeps_working", "issued_at", "printed_at"]
    list_filter = ["state", "keeps_working"]
    search_fields = ["code", "asset__ledger_id"]
    list_select_related = ["asset__asset_type"]
    raw_id_fields = ["asset", "replaced_by"]
    readonly_fields = [
        "code",
        "asset",
        "state",
        "replaced_by",
        "issued_at",
        "ended_at",
        "printed_at",
    ]
    fields = [
        "code",
        "asset",
        "state",
        "keeps_working",
        "replaced_by",
        "issued_at",
        "ended_at",
        "printed_at",
    ]
    inlines = [LabelEventInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # codes are issued by the services (print_labels, the API)

    def has_delete_permission(self, request, obj=None):
        return False  # a printed code must keep meaning something
