"""The counter page's comparisons: periods of equal length (README: "Dashboard")."""

import datetime

from django.utils import timezone

from counters.dashboard import fair_comparisons, period_label
from counters.models import CounterDaily

NOV_28 = datetime.date(2026, 11, 28)


def steady(start: datetime.date, end: datetime.date, per_day: int = 10) -> dict:
    days = (end - start).days + 1
    return {start + datetime.timedelta(days=i): per_day for i in range(days)}


def by_key(days: dict, today: datetime.date) -> dict:
    return {c.key: c for c in fair_comparisons(days, today)}


def test_a_steady_counter_shows_no_change_on_the_28th():
    comparisons = by_key(steady(datetime.date(2026, 9, 1), NOV_28), NOV_28)

    month = comparisons["this-month"]
    assert (month.count, month.previous, month.change) == (280, 280, "0.0 %")
    assert (month.period, month.previous_period) == ("1–28 Nov 2026", "1–28 Oct 2026")


def test_this_month_so_far_is_set_against_the_same_days_of_last_month():
    days = steady(datetime.date(2026, 10, 1), NOV_28) | {datetime.date(2026, 10, 30): 1000}

    month = by_key(days, datetime.date(2026, 11, 10))["this-month"]

    assert (month.count, month.previous) == (100, 100)
    assert month.previous_label == "the same days of last month"


def test_on_the_31st_the_month_before_is_compared_up_to_its_last_day():
    today = datetime.date(2026, 3, 31)

    month = by_key(steady(datetime.date(2026, 2, 1), today), today)["this-month"]

    assert (month.previous_start, month.previous_end) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 2, 28),
    )
    assert (month.count, month.previous) == (310, 280)


def test_the_last_7_days_are_set_against_the_7_before():
    days = steady(datetime.date(2026, 11, 15), datetime.date(2026, 11, 21), per_day=10)
    days |= steady(datetime.date(2026, 11, 22), NOV_28, per_day=15)

    week = by_key(days, NOV_28)["last-7-days"]

    assert (week.count, week.previous, week.change) == (105, 70, "+50.0 %")
    assert (week.period, week.previous_period) == ("22–28 Nov 2026", "15–21 Nov 2026")


def test_a_fall_is_shown_with_a_minus_sign():
    days = {datetime.date(2026, 10, 5): 40, datetime.date(2026, 11, 5): 30}

    assert by_key(days, NOV_28)["this-month"].change == "-25.0 %"


def test_nothing_before_and_something_now_is_new_and_nothing_at_all_is_a_dash():
    assert by_key({NOV_28: 3}, NOV_28)["last-7-days"].change == "new"
    assert by_key({}, NOV_28)["last-7-days"].change == "–"


def test_period_labels_across_months_and_years():
    assert period_label(datetime.date(2026, 10, 29), datetime.date(2026, 11, 4)) == (
        "29 Oct – 4 Nov 2026"
    )
    assert period_label(datetime.date(2025, 12, 29), datetime.date(2026, 1, 4)) == (
        "29 Dec 2025 – 4 Jan 2026"
    )
    assert period_label(NOV_28, NOV_28) == "28 Nov 2026"


def test_counter_page_shows_both_comparisons_with_their_periods(admin_client, make_counter):
    today = timezone.localdate()
    counter = make_counter("portfolio")
    CounterDaily.objects.create(counter=counter, bucket_date=today, count=1234)

    page = admin_client.get("/counters/portfolio/").content.decode()

    month_period = period_label(today.replace(day=1), today)
    assert f'This month so far <span class="muted">({month_period})</span>' in page
    assert '<dd id="figure-this-month">1,234</dd>' in page
    assert '<strong id="figure-last-7-days-change">new</strong>' in page
    assert "in the same days of last month (" in page
    assert "in the 7 days before (" in page
