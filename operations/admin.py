"""Admin of tracked operations: read-only rows, actions that delegate to services."""

import json

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gcp import errors as gcp_errors

from . import services
from .models import Operation, WatchedDataset


def _pretty_json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True))


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin):
    list_display = (
        "operation_id",
        "state",
        "kind",
        "store",
        "dataset",
        "success_count",
        "failure_count",
        "pending_count",
        "started_by",
        "create_time",
    )
    list_filter = ("state", "kind", "api_version", "location", ("started_by", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "operation_id", "store", "uri", "dataset")
    date_hierarchy = "create_time"
    list_select_related = ("started_by",)
    list_per_page = 50
    show_full_result_count = False
    actions = ("repoll", "cancel")
    readonly_fields = ("request_json", "raw_json")
    exclude = ("request", "raw")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "project",
                    "location",
                    "dataset",
                    "operation_id",
                    "store",
                    "kind",
                    "api_version",
                    "api_method",
                    "uri",
                    "started_by",
                )
            },
        ),
        (
            _("Outcome"),
            {
                "fields": (
                    "state",
                    "success_count",
                    "failure_count",
                    "pending_count",
                    "cancel_requested",
                    "create_time",
                    "end_time",
                    "logs_url",
                    "error_code",
                    "error_message",
                )
            },
        ),
        (_("Polling"), {"fields": ("poll_count", "poll_error", "last_polled_at", "next_poll_at", "poll_token")}),
        (_("JSON"), {"fields": ("request_json", "raw_json")}),
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # rows mirror the API: change them through the actions only

    @admin.display(description=_("Request parameters"))
    def request_json(self, obj):
        return _pretty_json(obj.request)

    @admin.display(description=_("Last Operation JSON"))
    def raw_json(self, obj):
        return _pretty_json(obj.raw)

    @admin.action(description=_("Poll the selected operations now"))
    def repoll(self, request, queryset):
        count = sum(services.operation_repoll(operation=op) for op in queryset)
        self.message_user(
            request, ngettext("%d operation will be polled.", "%d operations will be polled.", count) % count
        )

    @admin.action(description=_("Cancel the selected operations"), permissions=["cancel"])
    def cancel(self, request, queryset):
        done = 0
        for operation in queryset.filter(state=Operation.State.RUNNING):
            try:
                services.operation_cancel(operation=operation)
            except (ValueError, gcp_errors.ApiError) as exc:
                self.message_user(request, f"{operation.operation_id}: {exc}", messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("Cancellation requested for %d operation.", "Cancellation requested for %d operations.", done)
            % done,
        )

    def has_cancel_permission(self, request):
        return request.user.has_perm("operations.cancel_operation")


@admin.register(WatchedDataset)
class WatchedDatasetAdmin(admin.ModelAdmin):
    list_display = ("project", "location", "dataset", "last_seen_at", "last_synced_at", "sync_error")
    search_fields = ("project", "dataset")
    readonly_fields = ("last_seen_at", "last_synced_at", "sync_error")
