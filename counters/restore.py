"""Restore: the file `export_history --format json` writes, read back by
`import_history --format json` (README: "Restore from a JSON export").

Each day is checked by the same rules as a CSV import (counters.history); the counters
missing from the registry are registered; everything is written in one transaction.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DataError, transaction
from django.utils import timezone

from counters import db
from counters.history import MODES, HistoryError, checked_day, refuse_overflow
from counters.models import COUNTER_NAME_RULE, Counter, is_counter_name


@dataclass(frozen=True)
class CounterBackup:
    """One counter of a JSON export: its registry fields and its days."""

    counter: str
    description: str | None
    enabled: bool
    created_at: datetime.datetime | None
    days: list[tuple[datetime.date, int]]


@dataclass(frozen=True)
class Backup:
    time_zone: str | None
    counters: list[CounterBackup]


@dataclass(frozen=True)
class RestoreResult:
    mode: str
    counters: int
    registered: list[str]
    days: int
    total: int

    def summary(self, source: str) -> str:
        registered = f" ({len(self.registered)} registered)" if self.registered else ""
        return (
            f"Restored {self.counters} counter(s){registered}, {self.days} day(s), "
            f"{self.total} use(s) in all, from {source} ({self.mode})."
        )


def parse_history_json(text: str) -> Backup:
    """A document written by `export_history --format json`, checked throughout: the
    same rules for each day as a CSV import, and each counter's days adding up to its
    `total` (so that a truncated or edited file is refused)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HistoryError(f"The file is not JSON (line {exc.lineno}: {exc.msg}).") from None
    if not isinstance(document, dict) or not isinstance(document.get("counters"), list):
        raise HistoryError(
            'The file is not an export of export_history --format json: no "counters" list.'
        )
    time_zone = document.get("time_zone")
    latest = timezone.localdate()
    counters: list[CounterBackup] = []
    seen: set[str] = set()
    for index, item in enumerate(document["counters"], start=1):
        counters.append(_counter_backup(index, item, latest))
        if counters[-1].counter in seen:
            raise HistoryError(f"Counter {index}: {counters[-1].counter!r} is in the file twice.")
        seen.add(counters[-1].counter)
    return Backup(time_zone if isinstance(time_zone, str) else None, counters)


def _counter_backup(index: int, item: object, latest: datetime.date) -> CounterBackup:
    where = f"Counter {index}"
    if not isinstance(item, dict):
        raise HistoryError(f"{where}: not an object.")
    name = item.get("counter")
    if not isinstance(name, str) or not is_counter_name(name):
        raise HistoryError(f"{where}: {name!r} is not a counter name ({COUNTER_NAME_RULE}).")
    where = f"Counter {index} ({name})"
    description = item.get("description")
    enabled = item.get("enabled", True)
    if description is not None and not isinstance(description, str):
        raise HistoryError(f"{where}: the description is not text.")
    if not isinstance(enabled, bool):
        raise HistoryError(f"{where}: enabled is not true or false.")
    created_at = None
    if item.get("created_at") is not None:
        try:
            created_at = datetime.datetime.fromisoformat(str(item["created_at"]))
        except ValueError:
            raise HistoryError(f"{where}: created_at is not an ISO 8601 time.")
    raw_days = item.get("days")
    if not isinstance(raw_days, list):
        raise HistoryError(f'{where}: no "days" list.')
    days: list[tuple[datetime.date, int]] = []
    seen: set[datetime.date] = set()
    for number, entry in enumerate(raw_days, start=1):
        if not isinstance(entry, dict) or set(entry) != {"date", "count"}:
            raise HistoryError(f'{where}, day {number}: expected {{"date": ..., "count": ...}}.')
        count = entry["count"]
        if isinstance(count, bool) or not isinstance(count, int):
            raise HistoryError(f"{where}, day {number}: {count!r} is not a whole number.")
        day, count = checked_day(f"{where}, day {number}", str(entry["date"]), str(count), latest)
        if day in seen:
            raise HistoryError(f"{where}, day {number}: {day} is in the file twice.")
        seen.add(day)
        days.append((day, count))
    total = item.get("total")
    if total is not None and total != sum(n for _, n in days):
        raise HistoryError(
            f"{where}: its days add up to {sum(n for _, n in days)}, not to its total of "
            f"{total!r}: the file is incomplete or was changed."
        )
    return CounterBackup(name, description, enabled, created_at, days)


def restore(
    backup: Backup, mode: str, on_register: Callable[[Counter], None] | None = None
) -> RestoreResult:
    """Register the counters of `backup` that are missing (with their description, state
    and creation time) and write every counter's days, all or nothing.

    Counters already registered keep their description and state. mode "add" adds each
    day's count to what the day holds; "replace" sets the day to it.
    """
    if mode not in MODES:
        raise HistoryError(f"The mode must be one of {', '.join(MODES)}, not {mode!r}.")
    registered: list[str] = []
    try:
        with transaction.atomic():
            existing = set(
                Counter.objects.select_for_update()
                .filter(pk__in=[c.counter for c in backup.counters])
                .values_list("pk", flat=True)
            )
            for item in backup.counters:
                if item.counter not in existing:
                    fields: dict[str, object] = {
                        "description": item.description,
                        "enabled": item.enabled,
                    }
                    if item.created_at is not None:
                        fields["created_at"] = item.created_at
                    counter = Counter.objects.create(id=item.counter, **fields)
                    registered.append(item.counter)
                    if on_register is not None:
                        on_register(counter)
                if not item.days:
                    continue
                refuse_overflow(item.counter, item.days, mode)
                if mode == "add":
                    db.add_daily_counts(item.counter, item.days)
                else:
                    db.set_daily_counts(item.counter, item.days)
    except DataError:
        raise HistoryError("A day's count would exceed the largest count a day can hold.")
    return RestoreResult(
        mode=mode,
        counters=len(backup.counters),
        registered=registered,
        days=sum(len(c.days) for c in backup.counters),
        total=sum(n for c in backup.counters for _, n in c.days),
    )
