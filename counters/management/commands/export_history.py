"""manage.py export_history [NAME ...]: counters' daily history as CSV or JSON."""

from django.core.management.base import BaseCommand, CommandError

from counters import history


class Command(BaseCommand):
    help = (
        "Export daily history. CSV: date,count lines for one counter (what import_history "
        "reads), counter,date,count lines for several. JSON: every counter with its "
        "description, state and days."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME", help="counters (default: all)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--output", "-o", help="a file to write (default: standard output)")

    def handle(self, *args, names, format, output, **options):
        try:
            counters = history.counters_to_export(names or None)
        except history.HistoryError as exc:
            raise CommandError(str(exc))
        exported = history.export(counters, format)
        if not output:
            self.stdout.write(exported.content, ending="")
            return
        try:
            with open(output, "w", newline="") as f:
                f.write(exported.content)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.")
        self.stderr.write(
            f"Wrote {exported.counters} counter(s), {exported.days} day(s), to {output}."
        )
