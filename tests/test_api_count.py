"""POST /count/{name}: counting one use (API.md)."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from counters.models import CounterDaily


def test_post_counts_one_use_in_todays_bucket(client, make_counter):
    make_counter("portfolio")

    response = client.post("/count/portfolio")

    assert response.status_code == 200
    assert response.json() == {
        "counter": "portfolio",
        "date": timezone.localdate().isoformat(),
        "count": 1,
        "total": 1,
    }


def test_second_post_increments_the_same_bucket(client, make_counter):
    make_counter("portfolio")
    client.post("/count/portfolio")

    body = client.post("/count/portfolio").json()

    assert (body["count"], body["total"]) == (2, 2)
    assert CounterDaily.objects.get(counter_id="portfolio").count == 2


def test_total_includes_earlier_days(client, make_counter):
    counter = make_counter("portfolio")
    CounterDaily.objects.create(counter=counter, bucket_date=datetime.date(2026, 1, 1), count=40)

    body = client.post("/count/portfolio").json()

    assert (body["count"], body["total"]) == (1, 41)


def test_post_ignores_any_body(client, make_counter):
    make_counter("portfolio")

    response = client.post("/count/portfolio", data="{not json", content_type="application/json")

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_post_to_unregistered_counter_is_404_and_creates_nothing(client, db):
    response = client.post("/count/nope")

    assert response.status_code == 404
    assert "nope" in response.json()["detail"]
    assert not CounterDaily.objects.exists()


def test_post_to_disabled_counter_is_403(client, make_counter):
    make_counter("portfolio", enabled=False)

    response = client.post("/count/portfolio")

    assert response.status_code == 403
    assert "disabled" in response.json()["detail"]
    assert not CounterDaily.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/count/Portfolio",
        "/count/with%20space",
        "/count/caf%C3%A9",
        "/count/" + "a" * 65,
        "/count/..",
        "/count/-leading-dash",
        "/count/.hidden",
        "/count/a%00b",
        "/count/portfolio%0A",
    ],
)
def test_malformed_name_is_404(client, make_counter, path):
    make_counter("portfolio")

    response = client.post(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_longest_allowed_name_counts(client, make_counter):
    name = "a" * 64
    make_counter(name)

    assert client.post(f"/count/{name}").status_code == 200


def test_post_needs_no_csrf_token_and_ignores_cookies(make_counter):
    from django.test import Client

    make_counter("portfolio")
    strict = Client(enforce_csrf_checks=True)
    strict.cookies["sessionid"] = "garbage"
    strict.cookies["csrftoken"] = "garbage"

    response = strict.post("/count/portfolio")

    assert response.status_code == 200
    assert "Set-Cookie" not in response


def test_day_is_the_date_in_the_configured_time_zone(client, make_counter, settings):
    # UTC-12 for the service, UTC+14 for the database session: 26 hours apart, so the
    # two dates always differ and only the configured zone can give the expected one.
    settings.COUNTERHUB_TIME_ZONE = "Etc/GMT+12"
    make_counter("portfolio")
    with connection.cursor() as cursor:
        cursor.execute("set time zone 'Etc/GMT-14'")

    body = client.post("/count/portfolio").json()

    expected = timezone.now().astimezone(zoneinfo.ZoneInfo("Etc/GMT+12")).date()
    assert body["date"] == expected.isoformat()


def test_hot_path_is_one_database_round_trip(client, make_counter, django_assert_num_queries):
    make_counter("portfolio")

    with django_assert_num_queries(1):
        assert client.post("/count/portfolio").status_code == 200
