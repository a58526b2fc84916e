"""Faults and hostile requests answered as the README promises: per-family error forms
(README: "Errors"), the outage's 503 (README: "When the database goes away"), the body
limit, strict dates, badges that stay well-formed XML, the HTTPS redirect that keeps a
POST, and what a bad Host header logs (README: "Logs")."""

import datetime
import logging
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from counterhub.clients import client_key
from counters import badges, history
from counters.models import CounterDaily

MAX_BIGINT = 2**63 - 1
PAGE_MARK = 'class="error-page"'


def assert_project_page(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert PAGE_MARK in html
    assert response["X-Request-ID"] in html


# --- rate limit: IPv4-mapped addresses ----------------------------------------------------


def test_ipv4_mapped_address_is_keyed_as_its_ipv4_address():
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_key("2001:db8::1") == "2001:db8::/64"


def test_ipv4_mapped_clients_behind_a_proxy_do_not_share_a_limit(client, make_counter, settings):
    settings.COUNTERHUB_RATE_LIMIT = 2
    settings.COUNTERHUB_BEHIND_PROXY = True
    make_counter("portfolio")

    statuses = [
        client.post("/count/portfolio", HTTP_X_FORWARDED_FOR=f"::ffff:192.0.2.{n}").status_code
        for n in range(1, 6)
    ]

    assert statuses == [200] * 5


# --- API docs and schema ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_options_on_api_docs_and_schema_is_json_and_logs_no_error(client, db, caplog, path):
    caplog.set_level(logging.INFO)

    response = client.options(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- the largest bigint -------------------------------------------------------------------


def test_post_at_the_largest_bigint_is_a_json_409(client, make_counter):
    make_counter("portfolio")
    CounterDaily.objects.create(
        counter_id="portfolio", bucket_date=timezone.localdate(), count=MAX_BIGINT
    )

    response = client.post("/count/portfolio")

    assert response.status_code == 409
    assert "largest number" in response.json()["detail"]


def test_import_refuses_a_day_that_would_overflow_naming_its_line(make_counter):
    make_counter("portfolio")
    day = datetime.date(2024, 3, 1)
    CounterDaily.objects.create(counter_id="portfolio", bucket_date=day, count=5)

    with pytest.raises(history.HistoryError, match=r"The line for 2024-03-01 \('2024-03-01,"):
        history.import_history("portfolio", [(day, MAX_BIGINT - 1)], "add")

    assert CounterDaily.objects.get(counter_id="portfolio").count == 5


def test_import_refuses_a_total_that_would_overflow_naming_its_line(make_counter):
    make_counter("portfolio")
    counts = [(datetime.date(2024, 3, 1), MAX_BIGINT), (datetime.date(2024, 3, 2), 1)]

    with pytest.raises(history.HistoryError, match=r"2024-03-02,1'\): the counter's total"):
        history.import_history("portfolio", counts, "add")

    assert not CounterDaily.objects.exists()


# --- badges -------------------------------------------------------------------------------


@hypothesis_settings(max_examples=300, deadline=None)
@given(label=st.text(max_size=100), style=st.sampled_from(badges.STYLES))
def test_any_label_makes_a_well_formed_svg(label, style):
    svg = badges.Badge(label=label, message=label + " 7", style=style).svg()

    ET.fromstring(svg)


@pytest.mark.parametrize("label", ["x\ufffey", "x\uffffy"])
def test_badge_drops_characters_xml_forbids(client, make_counter, label):
    make_counter("portfolio")

    response = client.get("/count/portfolio/badge.svg", {"label": label})

    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.find("{http://www.w3.org/2000/svg}title").text == "xy: 0"


# --- a bad Host header --------------------------------------------------------------------


def test_bad_host_is_logged_as_a_warning_without_the_header(client, db, caplog):
    caplog.set_level(logging.INFO)

    response = client.get("/", HTTP_HOST="evil-host.example")

    assert_project_page(response, 400)
    (record,) = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "Refused a suspicious request: DisallowedHost."
    assert record.exc_info is None


def test_too_many_fields_is_logged_as_a_warning(client, make_counter, caplog):
    caplog.set_level(logging.INFO)
    make_counter("portfolio")

    response = client.get("/count/portfolio/series?" + "&".join(f"p{n}=1" for n in range(1001)))

    assert response.status_code == 400
    (record,) = [r for r in caplog.records if r.name.startswith("django.security.")]
    assert record.levelno == logging.WARNING


# --- error forms by family ----------------------------------------------------------------


def test_unknown_page_is_the_projects_html_404_with_the_request_id(client, db):
    assert_project_page(client.get("/no/such/page"), 404)


def test_unknown_api_path_is_still_json_404(client, db):
    response = client.get("/api/nothing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_csrf_failure_on_a_page_is_the_html_403(db):
    csrf_client = Client(enforce_csrf_checks=True)

    assert_project_page(csrf_client.put("/"), 403)


def test_method_a_page_does_not_take_is_the_html_405_with_allow(client, db):
    response = client.generic("TRACE", "/")

    assert_project_page(response, 405)
    assert response["Allow"] == "GET, HEAD"


def test_login_throttle_is_the_html_429_with_retry_after(client, db, settings):
    settings.COUNTERHUB_LOGIN_RATE_LIMIT = 1
    client.post("/admin/login/", {"username": "x", "password": "y"})

    response = client.post("/admin/login/", {"username": "x", "password": "y"})

    assert_project_page(response, 429)
    assert f"Try again in {response['Retry-After']} seconds" in response.content.decode()


def test_html_error_pages_carry_the_security_headers(client, db):
    response = client.get("/no/such/page")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]


# --- HTTPS redirect -----------------------------------------------------------------------


def test_https_redirect_of_a_post_is_308(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.post("/count/portfolio")

    assert response.status_code == 308
    assert response["Location"] == "https://testserver/count/portfolio"


def test_https_redirect_of_a_get_stays_301(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/count/portfolio").status_code == 301


# --- dates and formats --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2026-1-1", "２026-01-01", "2026-01-1", "+2026-01-01"])
def test_series_dates_must_be_four_two_two_ascii_digits(client, make_counter, value):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series", {"start": value})

    assert response.status_code == 400
    assert response.json() == {
        "start": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    }


def test_empty_format_is_a_400(client, make_counter):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series?format=")

    assert response.status_code == 400
    assert response.json() == {"format": ["Must not be empty."]}


# --- request bodies -----------------------------------------------------------------------


def test_post_with_a_body_over_1_kib_is_413_and_not_counted(client, make_counter):
    make_counter("portfolio")

    response = client.generic("POST", "/count/portfolio", b"x" * 1025)

    assert response.status_code == 413
    assert "1024 bytes" in response.json()["detail"]
    assert not CounterDaily.objects.exists()


def test_chunked_post_over_1_kib_is_413(client, make_counter):
    make_counter("portfolio")

    response = client.generic(
        "POST",
        "/count/portfolio",
        b"x" * 5000,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert response.status_code == 413
    assert not CounterDaily.objects.exists()


def test_post_with_a_small_body_is_counted(client, make_counter):
    make_counter("portfolio")

    assert client.generic("POST", "/count/portfolio", b"x" * 1024).status_code == 200


# --- the database away --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/counters/portfolio/", "/admin/counters/counter/"])
def test_pages_answer_the_html_503_with_retry_after_while_the_database_is_away(database_away, path):
    away = Client(raise_request_exception=False)
    # A session cookie makes the page look its user up in the database.
    away.cookies["sessionid"] = "x" * 32

    response = away.get(path)

    assert_project_page(response, 503)
    assert response["Retry-After"] == "5"


def test_api_answers_json_503_while_the_database_is_away(database_away):
    response = Client(raise_request_exception=False).get("/count/portfolio")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": "The database is unavailable. Try again shortly."}
