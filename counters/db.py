"""The one place that calls CounterHub's SQL functions.

The functions are the source of truth for counting: migrations 0002 (the tables' reads and
the increment), 0004 (the rate limit and count_use), 0005 (their PL/pgSQL form), 0006
(the totals kept in counter_totals) and 0008 (the limit as a token bucket) hold their SQL.
This module only calls them and turns their rows into typed results; the API, the
dashboard and the admin read through it.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, connection


class CounterNotFound(Exception):
    """The name is not in the registry."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class CounterDisabled(Exception):
    """The counter is registered but refuses increments."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class CounterFull(Exception):
    """One more would pass the largest count a day or a total can hold (a bigint)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class RateLimited(Exception):
    """The client is over its limit; `retry_after` seconds until its next call is allowed."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Increment:
    counter: str
    date: datetime.date
    count: int
    total: int


@dataclass(frozen=True, slots=True)
class CounterSummary:
    counter: str
    description: str | None
    enabled: bool
    total: int
    first_day: datetime.date | None
    last_day: datetime.date | None
    last_updated: datetime.datetime | None
    today: int
    last_7_days: int
    last_30_days: int

    @property
    def time_zone(self) -> str:
        """The zone whose days `today` and the windows count."""
        return str(settings.COUNTERHUB_TIME_ZONE)


@dataclass(frozen=True, slots=True)
class Series:
    counter: str
    first_day: datetime.date | None
    points: list[tuple[datetime.date, int]]


def count_use(name: str, client_key: str) -> Increment:
    """Add one to today's bucket of `name` for one client, within its rate limit, in one
    statement (the counting POST's one round trip), and return the new figures."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "select * from count_use(%s, %s, %s, %s, %s)",
                [
                    name,
                    settings.COUNTERHUB_TIME_ZONE,
                    client_key,
                    settings.COUNTERHUB_RATE_LIMIT,
                    settings.COUNTERHUB_RATE_LIMIT_WINDOW,
                ],
            )
            limited, retry_after, counter, enabled, date, count, total = cursor.fetchone()
    except IntegrityError:
        # The counter was deleted between the function's lookup and its insert.
        raise CounterNotFound(name) from None
    except DataError:
        # The day's count or the total is at the largest bigint (an import put it there).
        raise CounterFull(name) from None
    if limited:
        raise RateLimited(retry_after)
    if counter is None:
        raise CounterNotFound(name)
    if not enabled:
        raise CounterDisabled(name)
    return Increment(counter, date, count, total)


def rate_limit_hit(client_key: str, max_hits: int, window_seconds: int) -> int | None:
    """Count one call by `client_key`; the seconds to wait when it is over the limit."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select * from rate_limit_hit(%s, %s, %s)", [client_key, max_hits, window_seconds]
        )
        limited, retry_after = cursor.fetchone()
    return retry_after if limited else None


def ping() -> None:
    """Ask the database the cheapest question; raises its error when it cannot answer."""
    try:
        _select_one()
    except (OperationalError, InterfaceError):
        # The persistent connection may be one a database restart broke: a health check
        # (unlike a count) is safe to repeat, so it tries once more on a new connection.
        connection.close()
        _select_one()


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("select 1")
        cursor.fetchone()


def counter_summary(name: str) -> CounterSummary:
    """Totals and dates of one registered counter."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select * from get_counter_summary(%s, %s)", [name, settings.COUNTERHUB_TIME_ZONE]
        )
        row = cursor.fetchone()
    if row is None:
        raise CounterNotFound(name)
    return CounterSummary(*row)


def series_for(
    name: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    group: str = "day",
) -> Series:
    """The counts of `name` between `start` and `end` (inclusive), summed per `group`."""
    # One round trip answers "is it registered?", "when did its data start?" and the
    # points; the left join keeps one row (with a null date) for a counter without any.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            select c.id,
                   (select min(d.bucket_date) from counter_daily d where d.counter_id = c.id),
                   s.bucket_date, s.count
            from counters c
            left join lateral get_counter_series(c.id, %s, %s, %s) s on true
            where c.id = %s
            order by s.bucket_date
            """,
            [start, end, group, name],
        )
        rows = cursor.fetchall()
    if not rows:
        raise CounterNotFound(name)
    points = [(date, count) for _, _, date, count in rows if date is not None]
    return Series(counter=rows[0][0], first_day=rows[0][1], points=points)


@dataclass(frozen=True, slots=True)
class SeriesPoints:
    """A series as the API serves it: labels (`YYYY-MM-DD`) and counts, made in SQL."""

    counter: str
    first_day: datetime.date | None
    # The range's first day: `start` as given, or with zero_fill the first day with data.
    start: datetime.date | None
    points: list[tuple[str, int]]
    total: int


def series_points(
    name: str,
    start: datetime.date | None,
    end: datetime.date | None,
    group: str,
    zero_fill: bool,
    max_buckets: int,
) -> SeriesPoints:
    """The buckets of `name` from `start` to `end` (inclusive; open when None), summed per
    `group`; with `zero_fill`, every bucket of the range (an open start is the counter's
    first day), 0 where none, and no points at all past `max_buckets` of them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select * from get_counter_series_points(%s, %s, %s, %s, %s, %s)",
            [name, start, end, group, zero_fill, max_buckets],
        )
        row = cursor.fetchone()
    if row is None:
        raise CounterNotFound(name)
    counter, first_day, range_start, labels, counts, total = row
    return SeriesPoints(
        counter, first_day, range_start, list(zip(labels, counts, strict=True)), total
    )


def add_daily_counts(name: str, counts: list[tuple[datetime.date, int]]) -> None:
    """Add whole days of history to `name`, on top of what those days already hold."""
    _upsert_daily_counts(name, counts, "d.count + excluded.count")


def set_daily_counts(name: str, counts: list[tuple[datetime.date, int]]) -> None:
    """Write whole days of history for `name`, replacing what those days held."""
    _upsert_daily_counts(name, counts, "excluded.count")


def _upsert_daily_counts(
    name: str, counts: list[tuple[datetime.date, int]], new_count_sql: str
) -> None:
    # new_count_sql is one of the two constants above, never input.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            insert into counter_daily as d (counter_id, bucket_date, count)
            select %s, day, n from unnest(%s::date[], %s::bigint[]) as t(day, n)
            on conflict (counter_id, bucket_date)
            do update set count = {new_count_sql}, updated_at = now()
            """,  # noqa: S608
            [name, [day for day, _ in counts], [n for _, n in counts]],
        )


def counter_figures() -> list[tuple[str, int, int]]:
    """Every registered counter's all-time total and today's count, for the metrics: one
    statement, from the totals the triggers keep and today's rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            select c.id, coalesce(t.total, 0), coalesce(d.count, 0)
            from counters c
            left join counter_totals t on t.counter_id = c.id
            left join counter_daily d
                   on d.counter_id = c.id and d.bucket_date = (now() at time zone %s)::date
            order by c.id
            """,
            [settings.COUNTERHUB_TIME_ZONE],
        )
        return [(name, int(total), int(today)) for name, total, today in cursor.fetchall()]


# --- the dashboard's overview -----------------------------------------------------------

SPARKLINE_DAYS = 30


@dataclass(frozen=True, slots=True)
class CounterOverview:
    """One row of the dashboard's overview: a counter's summary and its recent days."""

    summary: CounterSummary
    # The last SPARKLINE_DAYS days, oldest first, ending today; 0 for a day without data.
    recent_days: list[int]


def counters_overview() -> list[CounterOverview]:
    """Every registered counter with its summary and last 30 days, most recently used first."""
    # One statement for all counters: the summary is get_counter_summary's, so the
    # dashboard's figures are the API's; the days are get_counter_series's, zero-filled.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            select s.*,
                   array(
                       select coalesce(p.count, 0)
                       from generate_series(t.today - %(days)s + 1, t.today, interval '1 day')
                            as g(day)
                       left join get_counter_series(c.id, t.today - %(days)s + 1, t.today, 'day')
                            as p on p.bucket_date = g.day::date
                       order by g.day
                   )
            from counters c
            cross join (select (now() at time zone %(tz)s)::date as today) t
            cross join lateral get_counter_summary(c.id, %(tz)s) s
            order by s.last_day desc nulls last, s.last_30_days desc, c.id
            """,
            {"tz": settings.COUNTERHUB_TIME_ZONE, "days": SPARKLINE_DAYS},
        )
        rows = cursor.fetchall()
    return [CounterOverview(CounterSummary(*row[:-1]), list(row[-1])) for row in rows]
