"""Demo counters with history, for local development (docs/schema.md: made-up history
lives here, never in migrations).

Never used by migrations: structure and production registrations live there, fake usage
lives here. Running it again rewrites the same demo history.
"""

import datetime
import math
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from counters import db
from counters.models import Counter

DEMO_COUNTERS = {
    "dotfiles": ("Dotfiles install script", 6.0),
    "portfolio": ("Portfolio website visits", 40.0),
    "homelab": ("Homelab tool runs", 3.0),
    "example.com": ("Example site page views (disabled demo)", 15.0),
}


def demo_history(name: str, days: int, mean: float, today: datetime.date):
    """Deterministic, plausible daily counts: weekly rhythm, slow growth, quiet days."""
    rng = random.Random(name)
    history = []
    for age in range(days, -1, -1):
        day = today - datetime.timedelta(days=age)
        weekly = 1.0 + 0.35 * math.sin(2 * math.pi * day.weekday() / 7)
        growth = 0.5 + (days - age) / days
        count = max(0, round(rng.gauss(mean * weekly * growth, mean * 0.3)))
        if count and rng.random() > 0.15:
            history.append((day, count))
    return history


class Command(BaseCommand):
    help = "Create demo counters with daily history (dotfiles, portfolio, homelab, example.com)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=400, help="days of history (400)")

    def handle(self, *args, days, **options):
        today = timezone.localdate()
        with transaction.atomic():
            for name, (description, mean) in DEMO_COUNTERS.items():
                Counter.objects.update_or_create(
                    id=name,
                    defaults={"description": description, "enabled": name != "example.com"},
                )
                db.set_daily_counts(name, demo_history(name, days, mean, today))
        self.stdout.write(f"Seeded {len(DEMO_COUNTERS)} demo counters with {days} days of history.")
