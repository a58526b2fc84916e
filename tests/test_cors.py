"""Cross-origin use of /count/...: any origin or the configured ones, never credentials
(README, "Cross-origin use")."""


def test_post_from_any_origin_is_allowed_without_credentials(client, make_counter):
    make_counter("portfolio")

    response = client.post("/count/portfolio", headers={"origin": "https://example.org"})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_preflight_allows_a_post_from_any_origin_without_credentials(client, db):
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
    assert "Access-Control-Allow-Credentials" not in response


def test_configured_origins_are_allowed_and_others_are_not(client, make_counter, settings):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = ["https://mine.example"]
    make_counter("portfolio")

    mine = client.post("/count/portfolio", headers={"origin": "https://mine.example"})
    other = client.post("/count/portfolio", headers={"origin": "https://other.example"})

    assert mine["Access-Control-Allow-Origin"] == "https://mine.example"
    assert "Access-Control-Allow-Origin" not in other


def test_configured_origins_are_never_allowed_credentials(client, make_counter, settings):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = ["https://mine.example"]
    make_counter("portfolio")

    response = client.post("/count/portfolio", headers={"origin": "https://mine.example"})

    assert response["Access-Control-Allow-Origin"] == "https://mine.example"
    assert "Access-Control-Allow-Credentials" not in response


def test_admin_sends_no_cors_headers(client, db):
    response = client.get("/admin/login/", headers={"origin": "https://example.org"})

    assert "Access-Control-Allow-Origin" not in response
