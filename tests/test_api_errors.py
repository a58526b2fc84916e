"""Errors are JSON with a `detail`, never HTML (README, "Errors")."""

import pytest
from django.test import Client


@pytest.mark.parametrize(
    "method, path",
    [
        ("put", "/count/portfolio"),
        ("delete", "/count/portfolio"),
        ("patch", "/count/portfolio"),
        ("post", "/count/portfolio/series"),
    ],
)
def test_method_the_path_does_not_take_is_405(client, make_counter, method, path):
    make_counter("portfolio")

    response = getattr(client, method)(path)

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}


def test_post_to_metrics_is_405_not_a_csrf_failure(db):
    # The test client skips CSRF checks unless asked: a real client does not.
    client = Client(enforce_csrf_checks=True)

    response = client.post("/metrics")

    assert response.status_code == 405
    assert response.json() == {"detail": "Method not allowed."}
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", ["/count/a/b", "/count/", "/api/nothing", "/count/portfolio/"])
def test_unknown_path_is_json_404(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_unknown_path_answers_the_same_bytes_as_an_api_views_404(client, db):
    from_a_view = client.get("/shared/no-such-token/series")
    from_no_view = client.get("/api/nothing")

    assert from_a_view.status_code == from_no_view.status_code == 404
    assert from_no_view.content == from_a_view.content == b'{"detail":"Not found."}'
