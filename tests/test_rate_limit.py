"""The per-client rate limit on POST /count/{name}, kept in PostgreSQL (README, "Rate limit")."""

import pytest
from django.db import connection

from counters.models import CounterDaily


@pytest.fixture
def limit_of_three(settings):
    settings.COUNTERHUB_RATE_LIMIT = 3


def hits_of(key: str, limit: int = 3, window_seconds: int = 60) -> int | None:
    """The calls `key` has in its bucket now: how far ahead of now its busy_until is,
    in calls of window_seconds / limit each."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select extract(epoch from busy_until - now()) from rate_limit_hits"
            " where client_key = %s",
            [key],
        )
        row = cursor.fetchone()
    return None if row is None else round(float(row[0]) / (window_seconds / limit))


def test_default_limit_is_on_and_generous(settings):
    assert settings.COUNTERHUB_RATE_LIMIT >= 600


def test_post_over_the_limit_is_429_with_retry_after(client, make_counter, limit_of_three):
    make_counter("portfolio")
    for _ in range(3):
        assert client.post("/count/portfolio").status_code == 200

    response = client.post("/count/portfolio")

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    # DRF's wording for the wait: "1 second", "41 seconds".
    wait = f"{retry_after} second" + ("s" if retry_after != 1 else "")
    assert response.json() == {
        "detail": "Too many requests from this address. Try again later. "
        f"Expected available in {wait}."
    }


def test_limited_post_is_not_counted(client, make_counter, limit_of_three):
    make_counter("portfolio")
    for _ in range(5):
        client.post("/count/portfolio")

    assert CounterDaily.objects.get(counter_id="portfolio").count == 3


def test_limit_is_per_client_address(client, make_counter, limit_of_three):
    make_counter("portfolio")
    for _ in range(3):
        client.post("/count/portfolio", REMOTE_ADDR="192.0.2.1")

    assert client.post("/count/portfolio", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.post("/count/portfolio", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_posts_to_unregistered_names_use_up_the_limit(client, make_counter, limit_of_three):
    make_counter("portfolio")
    for _ in range(3):
        assert client.post("/count/nope").status_code == 404

    assert client.post("/count/portfolio").status_code == 429


def test_reads_are_not_limited(client, make_counter, limit_of_three):
    make_counter("portfolio")
    for _ in range(3):
        client.post("/count/portfolio")

    assert client.get("/count/portfolio").status_code == 200
    assert client.get("/count/portfolio/series").status_code == 200


def test_zero_turns_the_limit_off(client, make_counter, settings):
    settings.COUNTERHUB_RATE_LIMIT = 0
    make_counter("portfolio")
    for _ in range(5):
        assert client.post("/count/portfolio").status_code == 200

    assert hits_of("127.0.0.1") is None


def test_rate_limited_post_is_still_one_round_trip(
    client, make_counter, limit_of_three, django_assert_num_queries
):
    make_counter("portfolio")
    for _ in range(3):
        client.post("/count/portfolio")

    with django_assert_num_queries(1):
        assert client.post("/count/portfolio").status_code == 429


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, make_counter, limit_of_three):
    make_counter("portfolio")
    for i in range(3):
        client.post("/count/portfolio", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")

    response = client.post("/count/portfolio", HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert response.status_code == 429
    assert hits_of("127.0.0.1") == 3


def test_behind_a_proxy_the_address_it_added_is_the_client(
    client, make_counter, limit_of_three, settings
):
    settings.COUNTERHUB_BEHIND_PROXY = True
    make_counter("portfolio")
    # The client forged the first entry; the proxy appended the real address.
    for _ in range(3):
        client.post("/count/portfolio", HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.7")

    assert client.post("/count/portfolio", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert client.post("/count/portfolio", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200
    assert hits_of("203.0.113.7") == 3
    assert hits_of("10.0.0.1") is None


def test_garbage_forwarded_for_falls_back_to_the_peer_address(
    client, make_counter, limit_of_three, settings
):
    settings.COUNTERHUB_BEHIND_PROXY = True
    make_counter("portfolio")

    client.post("/count/portfolio", HTTP_X_FORWARDED_FOR="'; drop table counters; --")

    assert hits_of("127.0.0.1") == 1


def test_ipv6_clients_share_a_limit_per_64(client, make_counter, limit_of_three):
    make_counter("portfolio")
    for i in range(3):
        client.post("/count/portfolio", REMOTE_ADDR=f"2001:db8:1:2::{i + 1}")

    assert client.post("/count/portfolio", REMOTE_ADDR="2001:db8:1:2::ff").status_code == 429
    assert hits_of("2001:db8:1:2::/64") == 3


def test_a_client_quiet_for_a_window_starts_from_zero(client, make_counter, limit_of_three):
    make_counter("portfolio")
    for _ in range(4):
        client.post("/count/portfolio")
    with connection.cursor() as cursor:
        cursor.execute("update rate_limit_hits set busy_until = busy_until - interval '1 hour'")

    assert client.post("/count/portfolio").status_code == 200
    assert hits_of("127.0.0.1") == 1


def test_clients_quiet_for_an_hour_are_cleaned_up_now_and_then(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "insert into rate_limit_hits values ('192.0.2.9', now() - interval '2 hours')"
        )
        # About one call in a thousand deletes clients long quiet; a fixed seed makes it repeatable.
        cursor.execute("select setseed(0.5)")
        cursor.execute(
            # repeat('', n) ties each call to a row, so the function runs 5000 times.
            "select count(*) from generate_series(1, 5000) n, "
            "lateral count_use('nope', 'UTC', '192.0.2.10' || repeat('', n), 1000000, 60)"
        )

    assert hits_of("192.0.2.9") is None
    assert hits_of("192.0.2.10", limit=1000000) == 5000


def shift_clock(seconds: float) -> None:
    """Move every client's bucket back by `seconds`, as if that much time had passed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "update rate_limit_hits set busy_until = busy_until - make_interval(secs => %s)",
            [seconds],
        )


def test_no_window_boundary_lets_twice_the_limit_through(client, make_counter, limit_of_three):
    make_counter("portfolio")
    # The whole limit at once, then a second later (across any minute boundary) more.
    statuses = [client.post("/count/portfolio").status_code for _ in range(3)]
    shift_clock(1)
    statuses += [client.post("/count/portfolio").status_code for _ in range(3)]

    assert statuses == [200, 200, 200, 429, 429, 429]


def test_retry_after_is_exactly_when_the_next_call_is_allowed(client, make_counter, limit_of_three):
    make_counter("portfolio")
    for _ in range(3):
        client.post("/count/portfolio")

    refused = client.post("/count/portfolio")
    # One call per 60 / 3 = 20 seconds comes back.
    assert refused["Retry-After"] == "20"
    shift_clock(19)
    assert client.post("/count/portfolio")["Retry-After"] == "1"
    shift_clock(1)
    assert client.post("/count/portfolio").status_code == 200
    assert client.post("/count/portfolio").status_code == 429


def test_login_throttle_has_no_window_boundary(client, db, settings):
    settings.COUNTERHUB_LOGIN_RATE_LIMIT = 2
    for _ in range(2):
        client.post("/admin/login/", {"username": "x", "password": "y"})
    shift_clock(60)

    refused = client.post("/admin/login/", {"username": "x", "password": "y"})

    # One attempt per 900 / 2 = 450 seconds: 60 s later, 390 s still to wait.
    assert refused.status_code == 429
    assert refused["Retry-After"] == "390"
