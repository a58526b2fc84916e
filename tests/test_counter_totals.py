"""counter_totals: each counter's total, kept by triggers whoever writes its days."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from counters import db
from counters.models import Counter, CounterDaily

DAYS = [datetime.date(2026, 1, 1), datetime.date(2026, 1, 2), datetime.date(2026, 1, 3)]


def total_of(name):
    with connection.cursor() as cursor:
        cursor.execute("select total from get_counter_summary(%s)", [name])
        return cursor.fetchone()[0]


def sum_of_days(name):
    with connection.cursor() as cursor:
        cursor.execute(
            "select coalesce(sum(count), 0) from counter_daily where counter_id = %s", [name]
        )
        return cursor.fetchone()[0]


def test_total_follows_increments_and_imports(make_counter):
    make_counter("portfolio")
    db.count_use("portfolio", "127.0.0.1")
    db.add_daily_counts("portfolio", [(DAYS[0], 10), (DAYS[1], 5)])
    db.add_daily_counts("portfolio", [(DAYS[1], 5)])
    db.set_daily_counts("portfolio", [(DAYS[0], 3)])

    assert total_of("portfolio") == sum_of_days("portfolio") == 1 + 3 + 10


def test_increment_returns_the_total_with_its_own_use(make_counter):
    make_counter("portfolio")
    db.add_daily_counts("portfolio", [(DAYS[0], 41)])

    assert db.count_use("portfolio", "127.0.0.1").total == 42


def test_total_follows_deleted_days(make_counter):
    counter = make_counter("portfolio")
    db.add_daily_counts("portfolio", [(DAYS[0], 10), (DAYS[1], 5), (DAYS[2], 1)])

    CounterDaily.objects.filter(counter=counter, bucket_date__lte=DAYS[1]).delete()

    assert total_of("portfolio") == sum_of_days("portfolio") == 1


def test_last_updated_is_the_latest_change_among_the_days_left(make_counter):
    counter = make_counter("portfolio")
    db.add_daily_counts("portfolio", [(DAYS[0], 10)])
    db.add_daily_counts("portfolio", [(DAYS[1], 5)])
    kept = CounterDaily.objects.get(counter=counter, bucket_date=DAYS[0]).updated_at

    CounterDaily.objects.filter(counter=counter, bucket_date=DAYS[1]).delete()

    assert db.counter_summary("portfolio").last_updated == kept


def test_a_counter_registered_again_after_deletion_starts_at_zero(make_counter):
    make_counter("portfolio")
    db.add_daily_counts("portfolio", [(DAYS[0], 10)])
    Counter.objects.filter(id="portfolio").delete()

    make_counter("portfolio")

    assert total_of("portfolio") == 0
    assert db.count_use("portfolio", "127.0.0.1").total == 1


def test_total_of_a_disabled_counter_stays_readable(make_counter):
    make_counter("portfolio")
    db.add_daily_counts("portfolio", [(DAYS[0], 7)])
    Counter.objects.filter(id="portfolio").update(enabled=False)

    assert total_of("portfolio") == 7


@pytest.mark.django_db(transaction=True)
def test_migration_fills_totals_from_existing_history():
    call_command("migrate", "counters", "0005", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("insert into counters (id) values ('old-history')")
        cursor.execute(
            "insert into counter_daily (counter_id, bucket_date, count) "
            "values ('old-history', '2025-01-01', 30), ('old-history', '2025-01-02', 12)"
        )

    call_command("migrate", "counters", verbosity=0)

    assert total_of("old-history") == 42
