"""The import URI rules, as pure functions (the same table runs through the real API in test_import.py)."""

import pytest

from emulator.jobs.wildcards import InvalidUri, gcs_pattern_parse

MATCHES = [
    ("gs://bk1/dir/Example*.dcm", "dir/Example.dcm", True),
    ("gs://bk1/dir/Example*.dcm", "dir/Example22.dcm", True),
    ("gs://bk1/dir/Example*.dcm", "dir/sub/Example1.dcm", False),
    ("gs://bk1/dir/Example*.dcm", "dir/Example/x.dcm", False),
    ("gs://bk1/dir/Example?.dcm", "dir/Example1.dcm", True),
    ("gs://bk1/dir/Example?.dcm", "dir/Example.dcm", False),
    ("gs://bk1/dir/Example?.dcm", "dir/Example01.dcm", False),
    ("gs://bk1/dir/**.dcm", "dir/a.dcm", True),
    ("gs://bk1/dir/**.dcm", "dir/x/y/z.dcm", True),
    ("gs://bk1/dir/**.dcm", "dir/x/y/z.txt", False),
    ("gs://bk1/dir/**.dcm", "other/a.dcm", False),
    ("gs://bk1/dir/**", "dir/x/y", True),
    ("gs://bk1/dir/*", "dir/a", True),
    ("gs://bk1/dir/*", "dir/a/b", False),
    ("gs://bk1/dir/a.dcm", "dir/a.dcm", True),
    ("gs://bk1/dir/a.dcm", "dir/a.dcm2", False),
    ("gs://bk1/d.r/*.dcm", "dXr/a.dcm", False),
    ("gs://bk1/d.r/*.dcm", "d.r/a.dcm", True),
    ("gs://bk1/**", "anything/at/all", True),
]


@pytest.mark.parametrize(("uri", "name", "expected"), MATCHES)
def test_patterns_match_object_names_as_the_api_documents(uri, name, expected):
    assert gcs_pattern_parse(uri).matches(name) is expected


@pytest.mark.parametrize(("uri", "prefix"), [
    ("gs://bk1/dir/Example*.dcm", "dir/Example"),
    ("gs://bk1/dir/**.dcm", "dir/"),
    ("gs://bk1/a/b?c/*", "a/b"),
    ("gs://bk1/a/exact.dcm", "a/exact.dcm"),
])
def test_listing_uses_the_literal_prefix_before_the_first_wildcard(uri, prefix):
    assert gcs_pattern_parse(uri).prefix == prefix


@pytest.mark.parametrize(("uri", "rule"), [
    ("b1/dir/*.dcm", "gs://BUCKET/OBJECT"),
    ("gs://bk1", "object path is required"),
    ("gs://bk1/", "object path is required"),
    ("gs://b*/x.dcm", "bucket part may not contain wildcards"),
    ("gs://bk1/dir/**/x.dcm", "'**' must be at the end"),
    ("gs://bk1/d*/**.dcm", "only wildcard"),
    ("gs://bk1/**/*.dcm", "'**' must be at the end"),
    ("gs://bk1/dir/**x", "'**' must be at the end"),
    ("gs://bk1/dir/?/**", "only wildcard"),
])
def test_bad_uris_are_rejected_naming_the_rule(uri, rule):
    with pytest.raises(InvalidUri, match=rule.replace("*", r"\*").replace("?", r"\?")):
        gcs_pattern_parse(uri)
