"""manage.py import_history NAME FILE.csv: bring in the daily totals of another service;
manage.py import_history --format json FILE: restore what export_history --format json
wrote."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from counters import history, registry, restore


class Command(BaseCommand):
    help = (
        "Import a counter's daily history from a CSV file of date,count lines "
        "(YYYY-MM-DD, a non-negative whole number; an optional date,count header), or, "
        "with --format json, restore the file export_history --format json wrote: missing "
        "counters are registered with their description and state. All or nothing: one "
        "bad line imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "name", nargs="?", metavar="NAME", help="a registered counter (CSV only)"
        )
        parser.add_argument("file", help="the file, or - for standard input")
        parser.add_argument(
            "--format",
            choices=["csv", "json"],
            default="csv",
            help="csv: one counter's date,count lines (default); json: an export of "
            "export_history --format json, every counter in it",
        )
        parser.add_argument(
            "--mode",
            choices=history.MODES,
            default="add",
            help="add: add each count to the day's count (default); "
            "replace: set the day to it. Days not in the file are left alone.",
        )

    def handle(self, *args, name, file, format, mode, **options):
        if format == "csv" and name is None:
            raise CommandError("Name the counter to import into: import_history NAME FILE.")
        if format == "json" and name is not None:
            raise CommandError(
                "A JSON export names its counters: import_history --format json FILE."
            )
        try:
            if file == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as f:
                    data = f.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.")
        if format == "json":
            self.restore_json(file, data, mode)
            return
        try:
            counts = history.parse_history_csv(history.decode(data))
            result = history.import_history(name, counts, mode)
        except history.HistoryError as exc:
            raise CommandError(f"{file}: {exc} Nothing was imported.")
        self.stdout.write(result.summary(file))

    def restore_json(self, file: str, data: bytes, mode: str) -> None:
        try:
            backup = restore.parse_history_json(history.decode(data))
        except history.HistoryError as exc:
            raise CommandError(f"{file}: {exc} Nothing was imported.")
        if backup.time_zone and backup.time_zone != settings.COUNTERHUB_TIME_ZONE:
            self.stderr.write(
                f"Warning: the file's days are days in {backup.time_zone}; this service's "
                f"are in {settings.COUNTERHUB_TIME_ZONE} (COUNTERHUB_TIME_ZONE). They are "
                "loaded as they are."
            )
        user = None

        def record(counter):
            # Registered by a restore: in the admin's history as a registration is.
            nonlocal user
            user = user or registry.acting_user(None)
            registry.log_addition(user, counter)

        try:
            result = restore.restore(backup, mode, on_register=record)
        except history.HistoryError as exc:
            raise CommandError(f"{file}: {exc} Nothing was imported.")
        self.stdout.write(result.summary(file))
