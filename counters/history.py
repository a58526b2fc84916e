"""Import and export of counters' daily history as `date,count` CSV (and JSON out).

Shared by the import_history and export_history commands and the admin, so both read
and write exactly the same files.
"""

import csv
import datetime
import io
import json
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import DataError, transaction
from django.utils import timezone

from counters import db
from counters.models import Counter, CounterDaily

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


def today() -> datetime.date:
    """Today in COUNTERHUB_TIME_ZONE, the zone the day buckets are days of."""
    return datetime.datetime.now(zoneinfo.ZoneInfo(settings.COUNTERHUB_TIME_ZONE)).date()


def decode(data: bytes) -> str:
    # utf-8-sig: spreadsheets often start a CSV with a byte-order mark.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HistoryError(f"The file is not UTF-8 text (byte {exc.start}).") from None


def parse_history_csv(text: str) -> list[tuple[datetime.date, int]]:
    """Every `date,count` line of `text`, checked; a `date,count` header line is allowed."""
    latest = today()
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
        if day in seen:
            raise HistoryError(f"{where}: {day} is already on line {seen[day]}.")
        seen[day] = number
        counts.append((day, count))
    if not counts:
        raise HistoryError("The file has no date,count lines.")
    return counts


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
            if mode == "add":
                db.add_daily_counts(name, counts)
            else:
                db.set_daily_counts(name, counts)
    except DataError:
        raise HistoryError("A day's count would exceed the largest count a day can hold.")
    return ImportResult(name, mode, days=len(counts), total=sum(n for _, n in counts))


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


def _days(counters: list[Counter]):
    return (
        CounterDaily.objects.filter(counter__in=counters)
        .order_by("counter_id", "bucket_date")
        .values_list("counter_id", "bucket_date", "count")
        .iterator(chunk_size=5000)
    )


def write_csv(counters: list[Counter], out, with_counter_column: bool) -> int:
    """`date,count` lines (as import_history reads), or `counter,date,count` for several.
    Returns the number of days written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["counter", "date", "count"] if with_counter_column else ["date", "count"])
    written = 0
    for counter_id, day, count in _days(counters):
        row = [day.isoformat(), count]
        writer.writerow([counter_id, *row] if with_counter_column else row)
        written += 1
    return written


def write_json(counters: list[Counter], out) -> int:
    """Every counter with its registry fields and its days, in one JSON document.
    Returns the number of days written."""
    days: dict[str, list] = {c.id: [] for c in counters}
    for counter_id, day, count in _days(counters):
        days[counter_id].append({"date": day.isoformat(), "count": count})
    document = {
        "time_zone": settings.COUNTERHUB_TIME_ZONE,
        "exported_at": timezone.now().isoformat(),
        "counters": [
            {
                "counter": c.id,
                "description": c.description,
                "enabled": c.enabled,
                "created_at": c.created_at.isoformat(),
                "total": sum(d["count"] for d in days[c.id]),
                "days": days[c.id],
            }
            for c in counters
        ],
    }
    json.dump(document, out, indent=2)
    out.write("\n")
    return sum(len(d) for d in days.values())
