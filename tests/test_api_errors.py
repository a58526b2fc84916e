"""Errors are JSON with a `detail`, never HTML (README, "Errors")."""

import pytest


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


@pytest.mark.parametrize("path", ["/count/a/b", "/count/", "/api/nothing", "/count/portfolio/"])
def test_unknown_path_is_json_404(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
