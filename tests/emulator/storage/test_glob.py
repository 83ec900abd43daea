"""Cloud Storage's matchGlob grammar (pure function, no server)."""

import pytest

from emulator.storage.glob import compile_glob, literal_prefix
from emulator.wire import ApiError


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("*.dcm", "a.dcm", True),
        ("*.dcm", "dir/a.dcm", False),
        ("**/*.dcm", "a.dcm", True),
        ("**/*.dcm", "x/y/z.dcm", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**", "a/x/y", True),
        ("?.txt", "a.txt", True),
        ("?.txt", "/.txt", False),
        ("?.txt", "ab.txt", False),
        ("[abc]1", "b1", True),
        ("[abc]1", "d1", False),
        ("[!abc]1", "d1", True),
        ("[0-9][0-9]", "42", True),
        ("*.{dcm,DCM}", "x.DCM", True),
        ("{a*,b}/c", "abc/c", True),
        ("{a*,b}/c", "c/c", False),
        ("\\*", "*", True),
        ("\\*", "x", False),
        ("a.b", "aXb", False),
    ],
)
def test_glob_matches_like_cloud_storage(pattern, name, matches):
    assert bool(compile_glob(pattern).match(name)) is matches


@pytest.mark.parametrize("pattern", ["{a,b", "[ab", "a\\"])
def test_malformed_globs_are_a_400(pattern):
    with pytest.raises(ApiError) as excinfo:
        compile_glob(pattern)
    assert excinfo.value.code == 400


def test_the_literal_prefix_stops_at_the_first_wildcard():
    assert literal_prefix("study1/*/Example?.dcm") == "study1/"
    assert literal_prefix("**/*.dcm") == ""
