"""manage.py import_history NAME FILE.csv: bring in the daily totals of another service."""

import sys

from django.core.management.base import BaseCommand, CommandError

from counters import history


class Command(BaseCommand):
    help = (
        "Import a counter's daily history from a CSV file of date,count lines "
        "(YYYY-MM-DD, a non-negative whole number; an optional date,count header). "
        "All or nothing: one bad line imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="a registered counter")
        parser.add_argument("file", help="the CSV file, or - for standard input")
        parser.add_argument(
            "--mode",
            choices=history.MODES,
            default="add",
            help="add: add each count to the day's count (default); "
            "replace: set the day to it. Days not in the file are left alone.",
        )

    def handle(self, *args, name, file, mode, **options):
        try:
            if file == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as f:
                    data = f.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.")
        try:
            counts = history.parse_history_csv(history.decode(data))
            result = history.import_history(name, counts, mode)
        except history.HistoryError as exc:
            raise CommandError(f"{file}: {exc} Nothing was imported.")
        self.stdout.write(result.summary(file))
