"""The list-filter grammar of operations.list and entries:list, as pure functions."""

import pytest

from emulator.jobs.filters import Term, filter_parse
from emulator.wire import ApiError


def test_comparisons_join_with_and_or_whitespace_and_quoted_values_unescape():
    text = 'done=true AND metadata.apiMethodName:"Import" severity>=ERROR logName="a \\"b\\""'
    assert filter_parse(text) == [
        Term("done", "=", "true"),
        Term("metadata.apiMethodName", ":", "Import"),
        Term("severity", ">=", "ERROR"),
        Term("logName", "=", 'a "b"'),
    ]


def test_an_empty_filter_has_no_terms():
    assert filter_parse("  ") == []


@pytest.mark.parametrize("text", ["done", "done=true OR done=false", "NOT done=true", "(done=true)", "done=true AND",
                                  "=true", 'logName="unterminated'])
def test_unsupported_syntax_is_a_400(text):
    with pytest.raises(ApiError) as caught:
        filter_parse(text)
    assert caught.value.code == 400


def test_fields_outside_the_allowed_set_are_named_in_the_error():
    with pytest.raises(ApiError, match="unsupported field 'name'"):
        filter_parse("name=x", allowed={"done"})
    assert filter_parse("resource.labels.location=x", allowed=set(), prefixes=("resource.labels.",))
