"""The counting API's own, shorter middleware chain (counterhub/handlers.py) answers with
every header Django's full chain adds (README: "Cross-origin use", "Logs")."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.utils.module_loading import import_string

from counterhub.handlers import APIHandler, uses_api_handler
from counterhub.wsgi import api_application, django_application

ORIGIN = "https://site.example"


def serve(app, method, path, **headers):
    """Status and headers of `app`'s answer to one request, its body read to the end."""
    environ = RequestFactory().generic(method, path, **headers).environ
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = dict(response_headers)

    result = app(environ, start_response)
    b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return answer["status"], answer["headers"]


def test_api_middleware_is_the_full_lists_entries_in_its_order():
    """Each entry is one of MIDDLEWARE's (or a subclass of one), in MIDDLEWARE's order: a
    middleware added to MIDDLEWARE reaches the API only when added here too."""
    full = [import_string(path) for path in settings.MIDDLEWARE]
    positions = []
    for path in settings.API_MIDDLEWARE:
        api_class = import_string(path)
        matches = [i for i, cls in enumerate(full) if issubclass(api_class, cls)]
        assert matches, f"{path} is not in MIDDLEWARE"
        positions.append(matches[0])

    assert positions == sorted(set(positions))


def test_api_paths_and_only_those_go_to_the_api_handler():
    assert isinstance(api_application, APIHandler)
    assert all(uses_api_handler(p) for p in ("/count/x", "/count/x/series", "/healthz"))
    assert not any(uses_api_handler(p) for p in ("/", "/admin/", "/static/x.js", "/counters/x/"))


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/count/portfolio", {"HTTP_ORIGIN": ORIGIN}),
        ("GET", "/count/portfolio", {}),
        ("GET", "/count/portfolio/badge.svg", {}),
        ("POST", "/count/unknown", {}),
        (
            "OPTIONS",
            "/count/portfolio",
            {"HTTP_ORIGIN": ORIGIN, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST"},
        ),
        ("GET", "/healthz", {}),
        # Errors, each in the API's JSON form whichever chain answers.
        ("PUT", "/count/portfolio", {}),
        ("DELETE", "/healthz", {}),
        ("GET", "/count/portfolio/series?start=2026-1-1", {}),
        ("GET", "/count/portfolio/series?format=", {}),
        ("POST", "/count/portfolio", {"data": "x" * 2048, "content_type": "text/plain"}),
        ("GET", "/count/portfolio", {"HTTP_ACCEPT": "application/xml"}),
        ("GET", "/count/UPPER", {}),
    ],
)
def test_api_chain_answers_with_the_full_chains_status_and_headers(
    transactional_db, make_counter, method, path, headers
):
    make_counter("portfolio")

    full_status, full = serve(django_application, method, path, **headers)
    api_status, api = serve(api_application, method, path, **headers)

    assert api_status == full_status
    assert api.keys() == full.keys()
    # Each answer has its own request id; every other header is the same.
    assert {k: v for k, v in api.items() if k != "X-Request-ID"} == {
        k: v for k, v in full.items() if k != "X-Request-ID"
    }
    assert {"X-Request-ID", "Content-Security-Policy", "X-Content-Type-Options"} <= api.keys()


def test_api_handler_replaces_a_connection_past_its_age_at_the_request_start(
    transactional_db, make_counter
):
    make_counter("portfolio")
    connection.ensure_connection()
    old = connection.connection
    # What close_old_connections() checks, as Django's request_started signal runs it.
    connection.close_at = 0

    status, _ = serve(api_application, "POST", "/count/portfolio")

    assert status.startswith("200")
    assert connection.connection is not old


def test_api_handler_replaces_a_connection_broken_while_idle_before_counting(
    transactional_db, make_counter
):
    make_counter("portfolio")
    connection.ensure_connection()
    broken = connection.connection
    # Broken underneath Django, as a database restart leaves an idle worker's connection.
    broken.close()

    status, _ = serve(api_application, "POST", "/count/portfolio")

    # Found before the view runs, at no round trip (README: "When the database goes
    # away"): the POST is counted on a new connection.
    assert status.startswith("200")
    assert connection.connection is not broken
