"""GET /count/{name}: today, last_7_days, last_30_days and time_zone (README: "The API")."""

import datetime
import zoneinfo

import pytest

from counters.models import CounterDaily


def today_in(zone: str) -> datetime.date:
    return datetime.datetime.now(zoneinfo.ZoneInfo(zone)).date()


def days_ago(zone: str, n: int) -> datetime.date:
    return today_in(zone) - datetime.timedelta(days=n)


def add_days(counter, *days):
    for day, count in days:
        CounterDaily.objects.create(counter=counter, bucket_date=day, count=count)


def test_summary_reports_the_time_zone(client, make_counter, settings):
    settings.COUNTERHUB_TIME_ZONE = "Europe/Berlin"
    make_counter("portfolio")

    assert client.get("/count/portfolio").json()["time_zone"] == "Europe/Berlin"


def test_counter_without_history_has_zero_windows(client, make_counter):
    make_counter("portfolio")

    body = client.get("/count/portfolio").json()

    assert (body["today"], body["last_7_days"], body["last_30_days"]) == (0, 0, 0)


def test_windows_end_today_and_include_it(client, make_counter, settings):
    zone = settings.COUNTERHUB_TIME_ZONE
    add_days(
        make_counter("portfolio"),
        (days_ago(zone, 0), 1),
        (days_ago(zone, 6), 10),
        (days_ago(zone, 7), 100),
        (days_ago(zone, 29), 1000),
        (days_ago(zone, 30), 10000),
    )

    body = client.get("/count/portfolio").json()

    assert body["today"] == 1
    assert body["last_7_days"] == 11
    assert body["last_30_days"] == 1111
    assert body["total"] == 11111


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_today_is_the_day_in_the_configured_time_zone(client, make_counter, settings, zone):
    # UTC+14 and UTC-11: their "today" differs from UTC's for most of every day.
    settings.COUNTERHUB_TIME_ZONE = zone
    add_days(make_counter("portfolio"), (today_in(zone), 5))

    body = client.get("/count/portfolio").json()

    assert (body["today"], body["last_7_days"], body["time_zone"]) == (5, 5, zone)


def test_future_days_are_outside_every_window(client, make_counter, settings):
    tomorrow = days_ago(settings.COUNTERHUB_TIME_ZONE, -1)
    add_days(make_counter("portfolio"), (tomorrow, 3))

    body = client.get("/count/portfolio").json()

    assert (body["today"], body["last_7_days"], body["last_30_days"]) == (0, 0, 0)
    assert body["total"] == 3


def test_increment_shows_in_today_at_once(client, make_counter):
    make_counter("portfolio")
    client.post("/count/portfolio")

    body = client.get("/count/portfolio").json()

    assert (body["today"], body["last_7_days"], body["last_30_days"]) == (1, 1, 1)
