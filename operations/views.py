"""Pages: the global Operations list, a dataset's Operations tab, one operation, its actions."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gcp import errors as gcp_errors

from . import logs, services
from .forms import OperationFilterForm
from .models import Operation
from .selectors import operations_filtered, store_choices


def _list_context(request, *, project: str = "", location: str = "", dataset: str = "") -> dict:
    form = OperationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = operations_filtered(
        filters=filters, user=request.user, project=project, location=location, dataset=dataset
    )
    page = Paginator(queryset, settings.OPERATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "operations": page.object_list,
        "any_running": any(op.state == Operation.State.RUNNING for op in page.object_list),
        "query": query.urlencode(),
        "project": project,
        "location": location,
        "dataset": dataset,
    }


def _render_list(request, template: str, context: dict):
    if request.headers.get("HX-Request"):
        return render(request, "operations/_table.html", context)
    # Only the full page shows the filters (the live fragment is just the table).
    context["stores"] = store_choices(
        project=context["project"], location=context["location"], dataset=context["dataset"]
    )
    return render(request, template, context)


def operation_list(request):
    """Show operations across every dataset."""
    return _render_list(request, "operations/list.html", _list_context(request))


def operation_dataset(request, project: str, location: str, dataset: str):
    """Show the Operations tab of a dataset (and remember the dataset for the sweeper's sync)."""
    services.dataset_watch(project=project, location=location, dataset=dataset)
    context = _list_context(request, project=project, location=location, dataset=dataset)
    context["active"] = "operations"
    return _render_list(request, "operations/dataset.html", context)


def _get_operation(project: str, location: str, dataset: str, op_id: str) -> Operation:
    name = f"projects/{project}/locations/{location}/datasets/{dataset}/operations/{op_id}"
    try:
        return services.operation_lookup(name=name)
    except gcp_errors.NotFound:
        raise Http404(_("No operation %(name)s is known.") % {"name": name}) from None


def operation_detail(request, project: str, location: str, dataset: str, op_id: str):
    """Show one operation: status, overview, errors and the per-file errors from Cloud Logging."""
    try:
        operation = _get_operation(project, location, dataset, op_id)
    except gcp_errors.ApiError as exc:
        messages.error(request, _("Could not read the operation: %(error)s") % {"error": exc})
        return redirect("operations-dataset", project, location, dataset)
    if request.headers.get("HX-Request"):
        if not operation.is_running:
            # It just ended: reload the whole page, which adds the error list and stops polling.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "operations/_detail_live.html", {"operation": operation})
    context = {"operation": operation, "project": project, "location": location, "dataset": dataset}
    if operation.failure_count or operation.error_message:
        context["log"] = logs.operation_errors(operation=operation)
    return render(request, "operations/detail.html", context)


@require_POST
@permission_required("operations.cancel_operation", raise_exception=True)
def operation_cancel(request, project: str, location: str, dataset: str, op_id: str):
    """Ask the API to cancel a running operation."""
    operation = _get_operation(project, location, dataset, op_id)
    try:
        services.operation_cancel(operation=operation)
    except (ValueError, gcp_errors.ApiError) as exc:
        messages.error(request, _("Could not cancel the operation: %(error)s") % {"error": exc})
    else:
        messages.success(request, _("Cancellation requested."))
    return redirect("operations-detail", project, location, dataset, op_id)


@require_POST
@permission_required("operations.start_operation", raise_exception=True)
def operation_rerun(request, project: str, location: str, dataset: str, op_id: str):
    """Start the same import or export again."""
    operation = _get_operation(project, location, dataset, op_id)
    try:
        new = services.operation_rerun(operation=operation, user=request.user)
    except (ValueError, gcp_errors.ApiError) as exc:
        messages.error(request, _("Could not run the operation again: %(error)s") % {"error": exc})
        return redirect("operations-detail", project, location, dataset, op_id)
    messages.success(request, _("Started operation %(id)s.") % {"id": new.operation_id})
    return redirect("operations-detail", new.project, new.location, new.dataset, new.operation_id)


def _cell(value) -> str:
    """Return a CSV cell that spreadsheets will not run as a formula (file names come from the API)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def operation_errors_csv(request, project: str, location: str, dataset: str, op_id: str):
    """Download the per-file errors of an operation, read from Cloud Logging, as CSV."""
    operation = _get_operation(project, location, dataset, op_id)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(["timestamp", "file", "code", "message"])
        try:
            for row in logs.operation_error_rows(operation=operation):
                yield writer.writerow([_cell(row[key]) for key in ("timestamp", "file", "code", "message")])
        except gcp_errors.ApiError as exc:
            yield writer.writerow(["", "", "", f"Cloud Logging could not be read: {exc}"])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="operation-{operation.operation_id}-errors.csv"'
    return response
