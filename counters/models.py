"""The registry of counters and their daily history: the `counters` and `counter_daily`
tables of migration 0001, the totals that migration 0006's triggers keep, and the share
links of migration 0009."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length, Now, Trim
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual
from django.urls import reverse

COUNTER_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
COUNTER_NAME_RULE = (
    "1 to 64 characters of lower-case letters, digits, '.', '_' and '-', "
    "starting with a letter or a digit"
)


def is_counter_name(value: str) -> bool:
    """Whether `value` is a well-formed counter name (README: "Counter names")."""
    return COUNTER_NAME_RE.fullmatch(value) is not None


def validate_counter_name(value: str) -> None:
    if not is_counter_name(value):
        raise ValidationError(
            f"Enter a valid counter name: {COUNTER_NAME_RULE}.", code="invalid_counter_name"
        )


class CurrentDate(models.Func):
    """SQL's CURRENT_DATE, the default day of a bucket written by plain SQL."""

    template = "CURRENT_DATE"
    output_field = models.DateField()


class Counter(models.Model):
    """A registered counter: only names in this table can be counted."""

    id = models.TextField(
        primary_key=True,
        validators=[validate_counter_name],
        verbose_name="name",
        help_text=f"{COUNTER_NAME_RULE.capitalize()}. It cannot be changed later.",
    )
    # Nullable: rows written by plain SQL may leave it out.
    description = models.TextField(null=True, blank=True)  # noqa: DJ001
    enabled = models.BooleanField(
        db_default=True,
        help_text="A disabled counter refuses increments; its history stays readable.",
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "counters"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("id")), 0), name="counters_id_check"
            ),
        ]

    def __str__(self):
        return self.id

    def get_absolute_url(self):
        # The admin's "View on site" leads to the counter's dashboard page.
        return reverse("dashboard-counter", args=[self.id])


class CounterDaily(models.Model):
    """One counter's count for one day."""

    pk = models.CompositePrimaryKey("counter_id", "bucket_date")
    # The database deletes the history with its counter (ON DELETE CASCADE), so rows
    # inserted or removed by plain SQL follow the same rule as the ORM.
    counter = models.ForeignKey(
        Counter,
        on_delete=models.DB_CASCADE,
        db_column="counter_id",
        related_name="daily",
        # The primary key (counter_id, bucket_date) already serves lookups by counter.
        db_index=False,
    )
    bucket_date = models.DateField(db_default=CurrentDate())
    count = models.BigIntegerField(db_default=0)
    updated_at = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "counter_daily"
        verbose_name = "daily count"
        verbose_name_plural = "daily counts"
        indexes = [
            models.Index(fields=["counter", "-bucket_date"], name="counter_daily_counter_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(models.F("count"), 0), name="counter_daily_count_check"
            ),
        ]

    def __str__(self):
        return f"{self.counter_id} {self.bucket_date}: {self.count}"


class CounterTotal(models.Model):
    """A counter's all-time total, kept by triggers on counter_daily (migration 0006) so
    that nothing has to sum a counter's whole history. Read only: the triggers write it."""

    counter = models.OneToOneField(
        Counter,
        primary_key=True,
        # No foreign key in the database: see migration 0006.
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        db_column="counter_id",
        related_name="all_time",
    )
    total = models.BigIntegerField()
    last_updated = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "counter_totals"

    def __str__(self) -> str:
        return f"{self.counter_id}: {self.total}"


class ShareLink(models.Model):
    """A read-only link to one counter's page for people without a login: a random token
    in the URL, of which only its SHA-256 is stored, so the table does not hold working
    links. Revoked links stay listed, with the time they stopped working."""

    counter = models.ForeignKey(
        Counter,
        on_delete=models.DB_CASCADE,
        db_column="counter_id",
        related_name="share_links",
        # Named in Meta.indexes, as the migration's SQL names it.
        db_index=False,
    )
    token_hash = models.TextField(unique=True, editable=False)
    label = models.TextField(
        blank=True, db_default="", help_text="Who or what the link is for: a note for staff."
    )
    created_at = models.DateTimeField(db_default=Now())
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "counter_share_links"
        verbose_name = "share link"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["counter"], name="share_links_counter_idx")]

    def __str__(self) -> str:
        return f"{self.counter_id}: {self.label or 'share link'}"
