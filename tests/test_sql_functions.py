"""The SQL functions called directly: they are the source of truth for counting."""

import datetime

import pytest
from django.db import connection

from counters.models import CounterDaily


def call(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


@pytest.fixture
def history(make_counter):
    counter = make_counter("dotfiles-test")
    for day, count in [("2026-01-01", 4), ("2026-01-12", 7), ("2026-01-28", 6), ("2026-02-03", 5)]:
        CounterDaily.objects.create(counter=counter, bucket_date=day, count=count)
    return counter


def test_increment_creates_todays_row_with_count_one(make_counter):
    make_counter("portfolio")

    [(name, enabled, day, count, total)] = call("select * from increment_counter('portfolio')")

    assert (name, enabled, count, total) == ("portfolio", True, 1, 1)
    assert CounterDaily.objects.get(counter_id="portfolio", bucket_date=day).count == 1


def test_increment_of_unregistered_name_returns_no_row_and_creates_none(db):
    assert call("select * from increment_counter('nope')") == []
    assert not CounterDaily.objects.exists()


def test_increment_of_disabled_counter_returns_disabled_and_creates_none(make_counter):
    make_counter("portfolio", enabled=False)

    [(name, enabled, day, count, total)] = call("select * from increment_counter('portfolio')")

    assert (name, enabled, day, count, total) == ("portfolio", False, None, None, None)
    assert not CounterDaily.objects.exists()


def test_increment_day_follows_the_time_zone_argument_not_the_session(make_counter):
    make_counter("portfolio")
    # UTC+14 and UTC-12 are 26 hours apart: their dates always differ.
    call("set time zone 'Etc/GMT-14'")
    try:
        [(_, _, day, _, _)] = call("select * from increment_counter('portfolio', 'Etc/GMT+12')")
        [(expected, session_today)] = call(
            "select (now() at time zone 'Etc/GMT+12')::date, current_date"
        )
    finally:
        call("set time zone 'UTC'")

    assert day == expected
    assert day != session_today


def test_increment_total_adds_earlier_days(history):
    [(_, _, _, count, total)] = call("select * from increment_counter('dotfiles-test')")

    assert (count, total) == (1, 23)


def test_summary_of_counter_with_history(history):
    [row] = call("select * from get_counter_summary('dotfiles-test')")

    counter_id, description, enabled, total, first_day, last_day, last_updated = row[:7]
    assert (counter_id, enabled, total) == ("dotfiles-test", True, 22)
    assert (first_day, last_day) == (datetime.date(2026, 1, 1), datetime.date(2026, 2, 3))
    assert last_updated is not None


def test_summary_of_counter_without_history_is_zero_and_nulls(make_counter):
    make_counter("portfolio")

    [row] = call(
        "select total, first_day, last_day, last_updated from get_counter_summary('portfolio')"
    )

    assert row == (0, None, None, None)


def test_summary_of_unregistered_name_returns_no_row(db):
    assert call("select * from get_counter_summary('nope')") == []


def test_series_returns_days_in_range_ascending(history):
    rows = call("select * from get_counter_series('dotfiles-test', '2026-01-01', '2026-01-31')")

    assert rows == [
        (datetime.date(2026, 1, 1), 4),
        (datetime.date(2026, 1, 12), 7),
        (datetime.date(2026, 1, 28), 6),
    ]


def test_series_with_open_range_returns_everything(history):
    assert len(call("select * from get_counter_series('dotfiles-test')")) == 4


def test_series_by_month_labels_buckets_by_their_first_day(history):
    rows = call("select * from get_counter_series('dotfiles-test', null, null, 'month')")

    assert rows == [(datetime.date(2026, 1, 1), 17), (datetime.date(2026, 2, 1), 5)]


def test_series_by_week_labels_buckets_by_their_monday(history):
    rows = call("select * from get_counter_series('dotfiles-test', null, null, 'week')")

    # 2026-01-01 is a Thursday: its ISO week starts on Monday 2025-12-29.
    assert rows[0] == (datetime.date(2025, 12, 29), 4)
    assert all(day.weekday() == 0 for day, _ in rows)


def test_functions_are_not_executable_by_public(db):
    rows = call(
        """
        select p.proname, has_function_privilege('public', p.oid, 'execute')
        from pg_proc p
        where p.proname in ('increment_counter', 'get_counter_summary', 'get_counter_series')
        """
    )

    assert sorted(rows) == [
        ("get_counter_series", False),
        ("get_counter_summary", False),
        ("increment_counter", False),
    ]


def test_tables_are_not_readable_by_public(db):
    rows = call(
        "select has_table_privilege('public', t, 'select') "
        "from unnest(array['counters', 'counter_daily']) t"
    )

    assert rows == [(False,), (False,)]


def test_every_function_pins_its_search_path(db):
    rows = call(
        """
        select p.proname, p.proconfig
        from pg_proc p
        where p.proname in ('increment_counter', 'get_counter_summary', 'get_counter_series')
        """
    )

    assert len(rows) == 3
    assert all(config == ["search_path=public, pg_temp"] for _, config in rows)
