"""GET /count/{name}/series: history for charts and reports (README, "The API")."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from counters import db

WRONG_DATE = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."


@pytest.fixture
def january(make_counter):
    """The README's example: 17 uses over three days of January 2026, and 5 in February."""
    make_counter("dotfiles-test")
    db.set_daily_counts(
        "dotfiles-test",
        [
            (datetime.date(2026, 1, 1), 4),
            (datetime.date(2026, 1, 12), 7),
            (datetime.date(2026, 1, 28), 6),
            (datetime.date(2026, 2, 3), 5),
        ],
    )
    return "dotfiles-test"


def series(client, query="", name="dotfiles-test", **headers):
    return client.get(f"/count/{name}/series{query}", headers=headers)


def test_series_of_a_month_matches_the_contract_example(client, january):
    response = series(client, "?start=2026-01-01&end=2026-01-31")

    assert response.status_code == 200
    assert response.json() == {
        "counter": "dotfiles-test",
        "start": "2026-01-01",
        "end": "2026-01-31",
        "group": "day",
        "fill": "none",
        "total": 17,
        "points": [
            {"date": "2026-01-01", "count": 4},
            {"date": "2026-01-12", "count": 7},
            {"date": "2026-01-28", "count": 6},
        ],
    }


def test_series_without_range_has_every_point_and_null_bounds(client, january):
    body = series(client).json()

    assert (body["start"], body["end"], body["total"]) == (None, None, 22)
    assert len(body["points"]) == 4


def test_series_grouped_by_month(client, january):
    body = series(client, "?group=month").json()

    assert body["points"] == [
        {"date": "2026-01-01", "count": 17},
        {"date": "2026-02-01", "count": 5},
    ]


def test_series_grouped_by_week_is_labelled_by_monday(client, january):
    body = series(client, "?group=week").json()

    days = [datetime.date.fromisoformat(p["date"]) for p in body["points"]]
    assert all(day.weekday() == 0 for day in days)
    assert body["total"] == 22


def test_fill_zero_gives_every_day_of_the_range(client, january):
    body = series(client, "?start=2026-01-01&end=2026-01-31&fill=zero").json()

    assert len(body["points"]) == 31
    assert body["points"][1] == {"date": "2026-01-02", "count": 0}
    assert body["total"] == 17


def test_fill_zero_by_month_gives_every_month(client, january):
    body = series(client, "?start=2025-11-15&end=2026-03-02&group=month&fill=zero").json()

    assert [p["date"] for p in body["points"]] == [
        "2025-11-01",
        "2025-12-01",
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
    ]
    assert [p["count"] for p in body["points"]] == [0, 0, 17, 5, 0]


def test_fill_zero_closes_open_start_with_first_day_and_open_end_with_today(client, january):
    body = series(client, "?fill=zero&group=month").json()

    assert body["start"] == "2026-01-01"
    assert body["end"] == timezone.localdate().isoformat()
    assert body["points"][0] == {"date": "2026-01-01", "count": 17}


def test_empty_range_is_not_an_error(client, january):
    body = series(client, "?start=2025-01-01&end=2025-01-31").json()

    assert (body["points"], body["total"]) == ([], 0)


def test_fill_zero_on_counter_without_history_has_no_points(client, make_counter):
    make_counter("portfolio")

    response = series(client, "?fill=zero", name="portfolio")

    assert response.status_code == 200
    assert (response.json()["points"], response.json()["total"]) == ([], 0)


def test_fill_zero_over_more_than_3660_buckets_is_400(client, january):
    response = series(client, "?start=2000-01-01&end=2026-01-01&fill=zero")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The range is too long: fill=zero serves at most 3660 buckets."
    }


def test_long_range_by_month_is_allowed(client, january):
    response = series(client, "?start=2000-01-01&end=2026-01-31&fill=zero&group=month")

    assert response.status_code == 200
    assert len(response.json()["points"]) == 26 * 12 + 1


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("?start=2026-13-01", {"start": [WRONG_DATE]}),
        ("?start=yesterday", {"start": [WRONG_DATE]}),
        ("?end=2026-02-30", {"end": [WRONG_DATE]}),
        ("?start=2026-02-01&end=2026-01-01", {"start": ["start must not be after end."]}),
        ("?group=year", {"group": ['"year" is not a valid choice.']}),
        ("?fill=linear", {"fill": ['"linear" is not a valid choice.']}),
        ("?format=xml", {"format": ["Must be one of: csv, json."]}),
        ("?start=", {"start": ["Must not be empty."]}),
    ],
)
def test_bad_query_parameter_is_400_naming_it(client, january, query, body):
    response = series(client, query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == body


def test_series_of_unregistered_counter_is_404(client, db):
    response = series(client, name="nope")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No counter named 'nope' is registered."}


def test_series_as_csv_with_format_parameter(client, january):
    response = series(client, "?start=2026-01-01&end=2026-01-31&format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["date", "count"],
        ["2026-01-01", "4"],
        ["2026-01-12", "7"],
        ["2026-01-28", "6"],
    ]


def test_series_as_csv_with_accept_header(client, january):
    response = series(client, "?group=month", accept="text/csv")

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0] == "date,count"


def test_csv_request_with_bad_parameter_gets_json_error(client, january):
    response = series(client, "?format=csv&group=year")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"group": ['"year" is not a valid choice.']}
