"""Operation ids and operation resource names."""

import re
import secrets

from emulator.wire import ApiError

DATASET_RE = r"projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/datasets/(?P<dataset>[^/]+)"
OPERATION_NAME = re.compile(rf"^(?P<dataset_name>{DATASET_RE})/operations/(?P<op_id>[0-9]+)$")


def operation_id_new() -> int:
    """Return a random 19-digit id (Google's LRO ids are long decimal strings)."""
    return 10**18 + secrets.randbelow(2**63 - 1 - 10**18)


def dataset_parts(dataset_name: str) -> dict:
    match = re.fullmatch(DATASET_RE, dataset_name)
    if not match:
        raise ApiError(400, f"Invalid dataset name {dataset_name!r}.")
    return match.groupdict()


def store_parts(store_name: str) -> dict:
    match = re.fullmatch(rf"{DATASET_RE}/dicomStores/(?P<store>[^/]+)", store_name)
    if not match:
        raise ApiError(400, f"Invalid DICOM store name {store_name!r}.")
    return match.groupdict()
