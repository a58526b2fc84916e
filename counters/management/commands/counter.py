"""manage.py counter add|enable|disable|list|delete: the registry for scripts and
configuration tools (README: "Registry commands").

The same rules as the admin (its form checks a new counter), the same history (each
change is recorded as the admin records it), a non-zero exit with a sentence naming the
problem when something cannot be done.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.db.models.functions import Coalesce

from counters import registry
from counters.admin import CounterForm
from counters.models import Counter, CounterDaily


class Command(BaseCommand):
    help = "Register, enable, disable, list and delete counters (the admin's registry)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user",
            help="the user the admin's history records for each change "
            f"(default: {registry.SYSTEM_USERNAME!r}, an inactive user made for this)",
        )
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="register a counter")
        add.add_argument("name")
        add.add_argument("--description", default="", help="what the counter counts")
        add.add_argument("--disabled", action="store_true", help="register it disabled")
        for action, verb in (("enable", "accept"), ("disable", "refuse")):
            sub = actions.add_parser(action, help=f"let counters {verb} increments")
            sub.add_argument("names", nargs="+", metavar="NAME")
        listing = actions.add_parser("list", help="every counter: name, state, total, last day")
        listing.add_argument("--json", action="store_true", help="one JSON document")
        delete = actions.add_parser("delete", help="delete a counter and all its history")
        delete.add_argument("name")
        delete.add_argument("--yes", action="store_true", help="confirm: the history goes too")

    def handle(self, *args: Any, action: str, user: str | None, **options: Any) -> None:
        if action == "list":
            self.list_counters(options["json"])
            return
        with transaction.atomic():
            acting = registry.acting_user(user)
            if action == "add":
                self.add(acting, options["name"], options["description"], options["disabled"])
            elif action in ("enable", "disable"):
                self.set_enabled(acting, options["names"], action == "enable")
            else:
                self.delete(acting, options["name"], options["yes"])

    def add(self, user: Any, name: str, description: str, disabled: bool) -> None:
        existing = Counter.objects.filter(pk=name).first()
        if existing is not None:
            if (existing.description or "") != description:
                raise CommandError(
                    f"A counter named {name!r} is already registered, with the description "
                    f"{existing.description or ''!r}: nothing changed."
                )
            state = "enabled" if existing.enabled else "disabled"
            self.stdout.write(
                f"{name} is already registered with this description ({state}): nothing changed."
            )
            return
        # The admin's form: the same name rules and messages as registering in the admin.
        form = CounterForm(data={"id": name, "description": description, "enabled": not disabled})
        if not form.is_valid():
            problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
            raise CommandError(f"Cannot register {name!r}: {problems}")
        counter = form.save()
        registry.log_addition(user, counter)
        state = "disabled" if disabled else "enabled"
        self.stdout.write(f"Registered {name} ({state}).")

    def set_enabled(self, user: Any, names: list[str], enabled: bool) -> None:
        found = {c.pk: c for c in Counter.objects.select_for_update().filter(pk__in=names)}
        missing = [n for n in names if n not in found]
        if missing:
            listed = ", ".join(repr(n) for n in missing)
            raise CommandError(f"No counter named {listed} is registered: nothing changed.")
        state = "enabled" if enabled else "disabled"
        for name in dict.fromkeys(names):
            counter = found[name]
            if counter.enabled == enabled:
                self.stdout.write(f"{name} was {state} already.")
                continue
            counter.enabled = enabled
            counter.save(update_fields=["enabled"])
            registry.log_change(user, counter, ["enabled"])
            self.stdout.write(f"{name} is now {state}.")

    def list_counters(self, as_json: bool) -> None:
        counters = Counter.objects.annotate(
            total=Coalesce("all_time__total", 0), last_day=Max("daily__bucket_date")
        ).order_by("id")
        rows = [
            {
                "name": c.pk,
                "enabled": c.enabled,
                "total": c.total,
                "last_day": c.last_day.isoformat() if c.last_day else None,
                "description": c.description or "",
            }
            for c in counters
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        header = ("name", "state", "total", "last day")
        lines = [
            (r["name"], "enabled" if r["enabled"] else "disabled", str(r["total"]), r["last_day"])
            for r in rows
        ]
        widths = [
            max(len(str(v or "-")) for v in column) for column in zip(header, *lines, strict=True)
        ]
        for line in [header, *lines]:
            cells = [str(v or "-").ljust(w) for v, w in zip(line, widths, strict=True)]
            self.stdout.write("  ".join(cells).rstrip())

    def delete(self, user: Any, name: str, confirmed: bool) -> None:
        counter = Counter.objects.select_for_update().filter(pk=name).first()
        if counter is None:
            raise CommandError(f"No counter named {name!r} is registered.")
        lost = CounterDaily.objects.filter(counter=counter).aggregate(
            days=Count("bucket_date"), uses=Coalesce(Sum("count"), 0)
        )
        what = f"{name} and its history: {lost['days']} day(s) holding {lost['uses']} use(s)"
        if not confirmed:
            raise CommandError(f"This would delete {what}. Add --yes to delete them.")
        registry.log_deletion(user, counter)
        counter.delete()
        self.stdout.write(f"Deleted {what}.")
