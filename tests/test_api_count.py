"""POST /count/{name}: counting one use (README, "The API")."""

import datetime
import zoneinfo
from urllib.parse import quote

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
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No counter named 'nope' is registered."}
    assert not CounterDaily.objects.exists()


def test_post_to_disabled_counter_is_403(client, make_counter):
    make_counter("portfolio", enabled=False)

    response = client.post("/count/portfolio")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "This counter is disabled: it does not accept increments."}
    assert not CounterDaily.objects.exists()


# A null byte in a name is a hostile-input case: tests/test_hostile_input.py.
@pytest.mark.parametrize(
    "name",
    ["Portfolio", "with space", "café", "a" * 65, "..", "-leading-dash", ".hidden", "portfolio\n"],
)
def test_malformed_name_is_the_404_of_an_unregistered_one_without_asking_the_database(
    client, make_counter, django_assert_num_queries, name
):
    make_counter("portfolio")

    with django_assert_num_queries(0):
        response = client.post("/count/" + quote(name))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": f"No counter named {name!r} is registered."}


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
