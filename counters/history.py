"""Import and export of counters' daily history as `date,count` CSV (and JSON out).

Shared by the import_history and export_history commands and the admin, so both read
and write exactly the same files.
"""

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.db import DataError, transaction
from django.utils import timezone

from counters import db
from counters.models import Counter, CounterDaily, CounterTotal

MODES = ("add", "replace")
MAX_COUNT = 2**63 - 1  # the bigint column
MAX_LINES = 100_000


class HistoryError(Exception):
    """A history file that cannot be imported; the message names the bad line."""


@dataclass(frozen=True)
class ImportResult:
    counter: str
    mode: str
    days: int
    total: int

    def summary(self, source: str) -> str:
        """The sentence the admin and import_history say, and the admin's history keeps."""
        verb = "Added" if self.mode == "add" else "Replaced"
        return (
            f"{verb} {self.days} day(s) of {self.counter}, {self.total} use(s) in all, "
            f"from {source}."
        )


def decode(data: bytes) -> str:
    # utf-8-sig: spreadsheets often start a CSV with a byte-order mark.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HistoryError(f"The file is not UTF-8 text (byte {exc.start}).") from None


def parse_history_csv(text: str) -> list[tuple[datetime.date, int]]:
    """Every `date,count` line of `text`, checked; a `date,count` header line is allowed."""
    # TIME_ZONE is COUNTERHUB_TIME_ZONE, the zone the day buckets are days of.
    latest = timezone.localdate()
    counts: list[tuple[datetime.date, int]] = []
    seen: dict[datetime.date, int] = {}
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise HistoryError(f"Line {reader.line_num}: {exc}.")
        if row is None:
            break
        number = reader.line_num
        if number > MAX_LINES:
            raise HistoryError(f"The file has more than {MAX_LINES} lines.")
        fields = [field.strip() for field in row]
        if not any(fields):
            continue
        if number == 1 and [f.lower() for f in fields] == ["date", "count"]:
            continue
        where = f"Line {number} ({','.join(row)[:60]!r})"
        if len(fields) != 2:
            raise HistoryError(f"{where}: expected two fields, date,count.")
        day_text, count_text = fields
        day, count = checked_day(where, day_text, count_text, latest)
        if day in seen:
            raise HistoryError(f"{where}: {day} is already on line {seen[day]}.")
        seen[day] = number
        counts.append((day, count))
    if not counts:
        raise HistoryError("The file has no date,count lines.")
    return counts


def checked_day(
    where: str, day_text: str, count_text: str, latest: datetime.date
) -> tuple[datetime.date, int]:
    """One day of a history file, checked: a YYYY-MM-DD date not after `latest`, and a
    whole number from 0 that a day's count can hold."""
    try:
        day = datetime.date.fromisoformat(day_text)
        if len(day_text) != 10:
            raise ValueError
    except ValueError:
        raise HistoryError(f"{where}: {day_text!r} is not a date in YYYY-MM-DD form.")
    if not count_text.isascii() or not count_text.isdigit():
        raise HistoryError(f"{where}: {count_text!r} is not a non-negative whole number.")
    count = int(count_text)
    if count > MAX_COUNT:
        raise HistoryError(f"{where}: {count} is too large.")
    if day > latest:
        raise HistoryError(
            f"{where}: {day} is in the future (today is {latest} in "
            f"{settings.COUNTERHUB_TIME_ZONE})."
        )
    return day, count


def import_history(name: str, counts: list[tuple[datetime.date, int]], mode: str) -> ImportResult:
    """Write `counts` into the history of `name`, all or nothing.

    mode "add" adds each count to what its day already holds; "replace" sets the day to
    it. Days not in `counts` are left alone either way.
    """
    if mode not in MODES:
        raise HistoryError(f"The mode must be one of {', '.join(MODES)}, not {mode!r}.")
    try:
        with transaction.atomic():
            # The row lock keeps the counter from being deleted halfway through.
            if not Counter.objects.select_for_update().filter(pk=name).exists():
                raise HistoryError(f"No counter named {name!r} is registered.")
            refuse_overflow(name, counts, mode)
            if mode == "add":
                db.add_daily_counts(name, counts)
            else:
                db.set_daily_counts(name, counts)
    except DataError:
        raise HistoryError("A day's count would exceed the largest count a day can hold.")
    return ImportResult(name, mode, days=len(counts), total=sum(n for _, n in counts))


def refuse_overflow(name: str, counts: list[tuple[datetime.date, int]], mode: str) -> None:
    """Refuse, naming its line, the first day whose count or whose counter's total would
    pass what a bigint holds: PostgreSQL would refuse the whole import without saying
    which line."""
    days = [day for day, _ in counts]
    held = dict(
        CounterDaily.objects.filter(counter_id=name, bucket_date__in=days).values_list(
            "bucket_date", "count"
        )
    )
    total = CounterTotal.objects.filter(counter_id=name).values_list("total", flat=True).first()
    total = total or 0
    for day, count in counts:
        before = held.get(day, 0)
        after = before + count if mode == "add" else count
        where = f"The line for {day} ('{day},{count}')"
        if after > MAX_COUNT:
            raise HistoryError(
                f"{where}: the day would hold {after}, more than the largest count a day "
                f"can hold ({MAX_COUNT}). Nothing was imported."
            )
        total += after - before
        if total > MAX_COUNT:
            raise HistoryError(
                f"{where}: the counter's total would pass {MAX_COUNT}, the largest total it "
                "can hold. Nothing was imported."
            )


# --- export -------------------------------------------------------------------------


def counters_to_export(names: Iterable[str] | None) -> list[Counter]:
    """The counters named (all of them for None), checking that each exists."""
    if names is None:
        return list(Counter.objects.order_by("id"))
    names = list(names)
    found = {c.id: c for c in Counter.objects.filter(id__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise HistoryError(f"No counter named {missing[0]!r} is registered.")
    return [found[n] for n in sorted(found)]


def _days(counters: list[Counter]) -> Iterator[tuple[str, datetime.date, int]]:
    return (
        CounterDaily.objects.filter(counter__in=counters)
        .order_by("counter_id", "bucket_date")
        .values_list("counter_id", "bucket_date", "count")
        .iterator(chunk_size=5000)
    )


@dataclass(frozen=True)
class Export:
    """A history file: what the admin's export actions download and export_history writes."""

    content: str
    content_type: str
    filename: str
    counters: int
    days: int


def export(counters: list[Counter], format: str) -> Export:
    """The history of `counters` as CSV or JSON.

    CSV of one counter is `date,count` lines, the file import_history reads; of several,
    `counter,date,count` lines. JSON holds every counter with its registry fields.
    """
    buffer = io.StringIO()
    if format == "json":
        days = write_json(counters, buffer)
        content_type = "application/json"
    else:
        days = write_csv(counters, buffer, with_counter_column=len(counters) != 1)
        content_type = "text/csv; charset=utf-8"
    stem = counters[0].pk if len(counters) == 1 else "counterhub"
    return Export(
        content=buffer.getvalue(),
        content_type=content_type,
        filename=f"{stem}-history.{format}",
        counters=len(counters),
        days=days,
    )


def write_csv(counters: list[Counter], out: IO[str], with_counter_column: bool) -> int:
    """`date,count` lines, or `counter,date,count` lines; the number of days written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["counter", "date", "count"] if with_counter_column else ["date", "count"])
    written = 0
    for counter_id, day, count in _days(counters):
        row = [day.isoformat(), count]
        writer.writerow([counter_id, *row] if with_counter_column else row)
        written += 1
    return written


def write_json(counters: list[Counter], out: IO[str]) -> int:
    """Every counter with its registry fields and its days, in one JSON document.
    Returns the number of days written."""
    days: dict[str, list[tuple[datetime.date, int]]] = {c.id: [] for c in counters}
    for counter_id, day, count in _days(counters):
        days[counter_id].append((day, count))
    document = {
        "time_zone": settings.COUNTERHUB_TIME_ZONE,
        "exported_at": timezone.now().isoformat(),
        "counters": [
            {
                "counter": c.id,
                "description": c.description,
                "enabled": c.enabled,
                "created_at": c.created_at.isoformat(),
                "total": sum(count for _, count in days[c.id]),
                "days": [{"date": day.isoformat(), "count": count} for day, count in days[c.id]],
            }
            for c in counters
        ],
    }
    json.dump(document, out, indent=2)
    out.write("\n")
    return sum(len(d) for d in days.values())
