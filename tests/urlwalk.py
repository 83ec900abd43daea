"""Enumerate every URL pattern of the project as a concrete sample path."""

import re
import uuid

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

_SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": str(uuid.uuid4())}


def _route_sample(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES.get(m.group(1) or "str", "x"), route)


def _regex_sample(regex: str) -> str:
    regex = regex.lstrip("^").rstrip("$").replace("\\Z", "")

    def group(match):
        body = match.group(1)
        first = body.split("|")[0]
        return first if re.fullmatch(r"[\w\-.]+", first) else "1"

    regex = re.sub(r"\(\?P<\w+>([^()]*)\)", group, regex)
    return regex.replace("\\", "").replace("?", "")


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _route_sample(str(pattern._route))
    if isinstance(pattern, RegexPattern):
        return _regex_sample(pattern._regex)
    return str(pattern)


def walk(patterns=None, prefix: str = "/", namespace: str = ""):
    """Yield (sample_path, namespaced_name) for every URL pattern, descending into includes."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        path = prefix + _sample(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, path, inner)
        elif isinstance(entry, URLPattern):
            yield path, f"{namespace}{entry.name}" if entry.name else None
