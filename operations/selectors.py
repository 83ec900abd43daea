"""Read-only queries of the operations pages."""

from django.db.models import QuerySet

from .forms import WHO_ME, WHO_OUTSIDE
from .models import Operation

LIST_FIELDS = (
    "id",
    "name",
    "project",
    "location",
    "dataset",
    "operation_id",
    "store",
    "kind",
    "uri",
    "state",
    "success_count",
    "failure_count",
    "pending_count",
    "create_time",
    "end_time",
    "started_by__username",
    "started_by__id",
)


def operations_filtered(
    *, filters: dict, user=None, project: str = "", location: str = "", dataset: str = ""
) -> QuerySet:
    """Return the operations matching the list filters, newest first, with the starting user joined."""
    queryset = Operation.objects.select_related("started_by").only(*LIST_FIELDS)
    if dataset:
        queryset = queryset.filter(project=project, location=location, dataset=dataset)
    elif filters.get("dataset"):
        queryset = queryset.filter(dataset=filters["dataset"])
    if filters.get("status"):
        queryset = queryset.filter(state=filters["status"])
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("store"):
        queryset = queryset.filter(store=filters["store"])
    who = (filters.get("who") or "").strip()
    if who == WHO_ME and user is not None:
        queryset = queryset.filter(started_by=user)
    elif who == WHO_OUTSIDE:
        queryset = queryset.filter(started_by__isnull=True)
    elif who:
        queryset = queryset.filter(started_by__username=who)
    return queryset.order_by("-create_time", "-id")


def store_choices(*, project: str = "", location: str = "", dataset: str = "") -> list[str]:
    """Return the store ids seen in operations (of one dataset when given), for the store filter."""
    queryset = Operation.objects.exclude(store="")
    if dataset:
        queryset = queryset.filter(project=project, location=location, dataset=dataset)
    return list(queryset.order_by("store").values_list("store", flat=True).distinct()[:200])
