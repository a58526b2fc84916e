"""Logs: one JSON line per request, a request id on every response and error (README: "Logs")."""

import json
import logging

import pytest
from django.test import Client

from counterhub.logs import JsonFormatter


def access_records(caplog):
    return [r for r in caplog.records if r.name == "counterhub.access"]


def as_json(record) -> dict:
    return json.loads(JsonFormatter().format(record))


def test_one_access_line_per_request_with_method_path_status_duration(client, db, caplog):
    caplog.set_level(logging.INFO)

    response = client.post("/count/nope?secret=1")

    (record,) = access_records(caplog)
    line = as_json(record)
    assert line["method"] == "POST"
    assert line["path"] == "/count/nope"
    assert line["status"] == 404
    assert isinstance(line["duration_ms"], float)
    assert line["client"] == "127.0.0.1"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_every_response_has_a_generated_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert len(first) == 32 and first != second


def test_request_id_from_a_client_is_ignored_without_a_trusted_proxy(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")

    assert response["X-Request-ID"] != "abc-123"


def test_request_id_from_a_trusted_proxy_is_kept(client, db, settings):
    settings.COUNTERHUB_BEHIND_PROXY = True

    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"


def test_malformed_request_id_from_a_proxy_is_replaced(client, db, settings):
    settings.COUNTERHUB_BEHIND_PROXY = True

    response = client.get("/healthz", HTTP_X_REQUEST_ID="x\ty" + "z" * 200)

    assert len(response["X-Request-ID"]) == 32


def test_client_errors_do_not_log_django_warnings(client, db, caplog):
    caplog.set_level(logging.INFO)

    client.post("/count/nope")
    client.get("/count/UPPER")
    client.put("/count/nope")

    assert [r.name for r in caplog.records] == ["counterhub.access"] * 3


@pytest.mark.urls("tests.urls_boom")
def test_server_error_is_logged_with_the_request_id(db, caplog):
    caplog.set_level(logging.INFO)

    response = Client(raise_request_exception=False).get("/boom")

    # /boom is no API path: the project's HTML page, showing the request id.
    assert response.status_code == 500
    assert response["X-Request-ID"] in response.content.decode()
    errors = [as_json(r) for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and errors[0]["request_id"] == response["X-Request-ID"]
    assert "RuntimeError: boom" in errors[0]["exception"]


def test_log_lines_survive_hostile_paths(client, db, caplog):
    caplog.set_level(logging.INFO)

    client.get('/count/a"b%0A{"status": 200}%00')

    (record,) = access_records(caplog)
    rendered = JsonFormatter().format(record)
    assert "\n" not in rendered
    assert json.loads(rendered)["status"] == 404


def test_secrets_in_headers_cookies_and_query_are_not_logged(client, db, caplog):
    caplog.set_level(logging.DEBUG)
    client.cookies["sessionid"] = "cookie-secret-value"

    client.get(
        "/count/nope?token=query-secret-value",
        HTTP_AUTHORIZATION="Bearer header-secret-value",
    )

    logged = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    for secret in ("cookie-secret-value", "query-secret-value", "header-secret-value"):
        assert secret not in logged


def test_access_line_is_the_same_json_as_any_other_record_even_for_a_hostile_path(
    client, db, caplog
):
    caplog.set_level(logging.INFO)
    client.post('/count/a"b\\c\u00e9\u2028/x')

    (record,) = access_records(caplog)
    line = JsonFormatter().format(record)
    # The fast line for access records against the general form, built from the same record.
    record.name = "counterhub.other"
    general = json.loads(JsonFormatter().format(record))

    assert json.loads(line) == general | {"logger": "counterhub.access"}
    assert json.loads(line)["path"] == '/count/a"b\\c\u00e9\u2028/x'
    assert line.isascii() and "\n" not in line
