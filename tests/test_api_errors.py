"""Errors are JSON with a `detail`, never HTML; methods and cross-origin use (API.md)."""

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
    assert "detail" in response.json()


@pytest.mark.parametrize("path", ["/count/a/b", "/count/", "/nothing-here", "/count/portfolio/"])
def test_unknown_path_is_json_404(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_any_origin_may_count_from_a_browser(client, make_counter):
    make_counter("portfolio")

    response = client.post("/count/portfolio", headers={"origin": "https://example.org"})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_preflight_is_answered(client, db):
    response = client.options(
        "/count/portfolio",
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_configured_origins_exclude_others(client, make_counter, settings):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = ["https://mine.example"]
    make_counter("portfolio")

    mine = client.get("/count/portfolio", headers={"origin": "https://mine.example"})
    other = client.get("/count/portfolio", headers={"origin": "https://other.example"})

    assert mine["Access-Control-Allow-Origin"] == "https://mine.example"
    assert "Access-Control-Allow-Origin" not in other


def test_admin_is_not_opened_to_other_origins(client, db):
    response = client.get("/admin/login/", headers={"origin": "https://example.org"})

    assert "Access-Control-Allow-Origin" not in response
