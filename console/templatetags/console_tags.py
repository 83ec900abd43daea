from django import template

register = template.Library()


@register.filter
def store_size(metrics: dict) -> int:
    """Return a store's total size in bytes from its DicomStoreMetrics (int64 strings)."""
    total = 0
    for key in ("structuredStorageSizeBytes", "blobStorageSizeBytes"):
        try:
            total += int((metrics or {}).get(key) or 0)
        except (TypeError, ValueError):
            continue
    return total


@register.filter
def dotted(uid: str) -> str:
    """Return a long UID shortened for display (the full UID stays in the title)."""
    return uid if len(uid) <= 28 else f"{uid[:12]}…{uid[-12:]}"


@register.filter
def basename(path: str) -> str:
    """Return the last part of an object name or folder prefix ("a/b/" → "b/")."""
    stripped = path.rstrip("/")
    return stripped.rsplit("/", 1)[-1] + ("/" if path.endswith("/") else "")
