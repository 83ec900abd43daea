"""The import URI rules: what is accepted, the message naming a broken rule, matching, listing prefix."""

import pytest

from gcp.wildcards import WildcardError, check_import_uri, literal_prefix, matcher

VALID = [
    ("gs://bucket-1/dir/**.dcm", "bucket-1", "dir/**.dcm"),
    ("bucket-1/dir/**.dcm", "bucket-1", "dir/**.dcm"),
    ("gs://bucket-1/dir/**", "bucket-1", "dir/**"),
    ("gs://bucket-1/**", "bucket-1", "**"),
    ("gs://bucket-1/dir/Example*.dcm", "bucket-1", "dir/Example*.dcm"),
    ("gs://bucket-1/dir/*/*.dcm", "bucket-1", "dir/*/*.dcm"),
    ("gs://bucket-1/dir/Example?.dcm", "bucket-1", "dir/Example?.dcm"),
    ("gs://bucket-1/dir/a.dcm", "bucket-1", "dir/a.dcm"),
    ("  gs://my.bucket_x/a b/c.dcm  ", "my.bucket_x", "a b/c.dcm"),
]

INVALID = [
    ("gs://b/dir/**/x.dcm", "** must be at the end of the path"),
    ("gs://bucket-1/**/*", "** must be at the end of the path"),
    ("gs://bucket-1/dir*/**.dcm", "** must be the only wildcard"),
    ("gs://bucket-1/dir/**x?.dcm", "** must be the only wildcard"),
    ("gs://bucket-1/dir/**dcm", "file extension that starts with a dot"),
    ("gs://bucket-1/dir/***.dcm", "not three or more *"),
    ("gs://buck*/dir/a.dcm", "not in the bucket name"),
    ("gs://BUCKET/dir/a.dcm", "not a valid bucket name"),
    ("gs://ab/dir/a.dcm", "not a valid bucket name"),
    ("s3://bucket-1/a.dcm", "must start with gs://"),
    ("gs://bucket-1", "Add the objects to import after the bucket name"),
    ("gs://bucket-1/", "Add the objects to import after the bucket name"),
    ("", "Enter a Cloud Storage path"),
]


@pytest.mark.parametrize(("text", "bucket", "pattern"), VALID)
def test_valid_import_uris_are_split_into_bucket_and_pattern(text, bucket, pattern):
    uri = check_import_uri(text)

    assert (uri.bucket, uri.pattern, uri.uri) == (bucket, pattern, f"gs://{bucket}/{pattern}")


@pytest.mark.parametrize(("text", "rule"), INVALID)
def test_invalid_import_uris_get_a_message_naming_the_broken_rule(text, rule):
    with pytest.raises(WildcardError) as excinfo:
        check_import_uri(text)

    assert rule in str(excinfo.value)


MATCHES = [
    ("dir/Example*.dcm", "dir/Example.dcm", True),
    ("dir/Example*.dcm", "dir/Example22.dcm", True),
    ("dir/Example*.dcm", "dir/sub/Example22.dcm", False),
    ("dir/*.dcm", "dir/a/b.dcm", False),
    ("dir/**.dcm", "dir/a/b.dcm", True),
    ("dir/**.dcm", "dir/a.dcm", True),
    ("dir/**.dcm", "dir/a.txt", False),
    ("dir/**.dcm", "other/a.dcm", False),
    ("dir/**", "dir/a/b/c", True),
    ("dir/Example?.dcm", "dir/Example1.dcm", True),
    ("dir/Example?.dcm", "dir/Example.dcm", False),
    ("dir/Example?.dcm", "dir/Example01.dcm", False),
    ("dir/a?b", "dir/a/b", False),
    ("dir/a.dcm", "dir/a.dcm", True),
    ("dir/a.dcm", "dir/aXdcm", False),
    ("dir/(x)+[y].dcm", "dir/(x)+[y].dcm", True),
]


@pytest.mark.parametrize(("pattern", "name", "expected"), MATCHES)
def test_the_matcher_follows_the_api_rules(pattern, name, expected):
    assert matcher(pattern)(name) is expected


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [("dir/**.dcm", "dir/"), ("dir/Example*.dcm", "dir/Example"), ("a?b", "a"), ("**", ""), ("x/y.dcm", "x/y.dcm")],
)
def test_the_listing_prefix_is_the_text_before_the_first_wildcard(pattern, prefix):
    assert literal_prefix(pattern) == prefix
