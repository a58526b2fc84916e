"""GET /count/{name}: a counter's summary (README, "The API")."""

import datetime

from counters.models import CounterDaily


def test_summary_of_counter_with_history(client, make_counter):
    counter = make_counter("dotfiles-test", description="Dotfiles install script")
    CounterDaily.objects.create(counter=counter, bucket_date=datetime.date(2026, 1, 1), count=4)
    CounterDaily.objects.create(counter=counter, bucket_date=datetime.date(2026, 1, 12), count=7)

    response = client.get("/count/dotfiles-test")

    assert response.status_code == 200
    body = response.json()
    assert body["counter"] == "dotfiles-test"
    assert body["description"] == "Dotfiles install script"
    assert body["enabled"] is True
    assert body["total"] == 11
    assert (body["first_day"], body["last_day"]) == ("2026-01-01", "2026-01-12")
    assert datetime.datetime.fromisoformat(body["last_updated"]).utcoffset() is not None


def test_summary_of_counter_without_history_has_zero_and_nulls(client, make_counter):
    make_counter("portfolio")

    body = client.get("/count/portfolio").json()

    assert body["total"] == 0
    assert (body["first_day"], body["last_day"], body["last_updated"]) == (None, None, None)


def test_summary_of_disabled_counter_is_readable(client, make_counter):
    make_counter("portfolio", enabled=False)
    response = client.get("/count/portfolio")

    assert response.status_code == 200
    assert response.json()["enabled"] is False


def test_summary_of_unregistered_counter_is_404(client, db):
    response = client.get("/count/nope")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No counter named 'nope' is registered."}


def test_summary_never_increments(client, make_counter):
    make_counter("portfolio")
    client.get("/count/portfolio")

    assert not CounterDaily.objects.exists()


def test_summary_after_posts_matches_their_answers(client, make_counter):
    make_counter("portfolio")
    for _ in range(3):
        last = client.post("/count/portfolio").json()

    body = client.get("/count/portfolio").json()

    assert body["total"] == last["total"] == 3
    assert body["last_day"] == last["date"]
