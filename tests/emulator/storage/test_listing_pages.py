"""objects.list pages computed in-process: keyset tokens, prefixes that span many rows, glob scans."""

import pytest

from emulator.storage import service
from emulator.storage.listing import object_list_page


@pytest.fixture
def filled(db, data_dir):
    bucket = service.bucket_create(project_id="list-project", name="list-bucket")
    names = [f"big/{i:03d}" for i in range(120)] + ["a.txt", "big.txt", "mid/1", "mid/2", "z/last"]
    for name in names:
        service.object_write("list-bucket", name, b"")
    return bucket


def _all_pages(bucket, **params):
    pages, token = [], ""
    while True:
        page = object_list_page(bucket, page_token=token, **params)
        pages.append(([o.name for o in page.items], page.prefixes))
        token = page.next_page_token
        if not token:
            return pages


def test_a_prefix_over_many_rows_is_listed_once_and_skipped(filled):
    pages = _all_pages(filled, delimiter="/", max_results=2)

    assert pages == [(["a.txt", "big.txt"], []), ([], ["big/", "mid/"]), ([], ["z/"])]


def test_pages_without_delimiter_cover_every_name_once(filled):
    pages = _all_pages(filled, max_results=7)

    names = [name for items, _ in pages for name in items]
    assert names == sorted(names) and len(names) == len(set(names)) == 125


def test_a_glob_scan_starts_at_its_literal_prefix(filled):
    pages = _all_pages(filled, match_glob="big/1?[05]")

    assert pages == [([f"big/1{d}{u}" for d in "01" for u in "05"], [])]


def test_offsets_and_prefix_combine(filled):
    page = object_list_page(filled, prefix="big/", start_offset="big/050", end_offset="big/053")

    assert [o.name for o in page.items] == ["big/050", "big/051", "big/052"]
    assert page.next_page_token == ""
