import django.db.models.deletion
import django.db.models.functions.datetime
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

import counters.models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Counter",
            fields=[
                (
                    "id",
                    models.TextField(
                        help_text="1 to 64 characters of lower-case letters, digits, '.', '_' and '-', starting with a letter or a digit. It cannot be changed later.",
                        primary_key=True,
                        serialize=False,
                        validators=[counters.models.validate_counter_name],
                        verbose_name="name",
                    ),
                ),
                ("description", models.TextField(blank=True, null=True)),
                (
                    "enabled",
                    models.BooleanField(
                        db_default=True,
                        help_text="A disabled counter refuses increments; its history stays readable.",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "db_table": "counters",
                "ordering": ["id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=django.db.models.lookups.GreaterThan(
                            django.db.models.functions.text.Length(
                                django.db.models.functions.text.Trim("id")
                            ),
                            0,
                        ),
                        name="counters_id_check",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CounterDaily",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "counter_id",
                        "bucket_date",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("bucket_date", models.DateField(db_default=counters.models.CurrentDate())),
                ("count", models.BigIntegerField(db_default=0)),
                (
                    "updated_at",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
                (
                    "counter",
                    models.ForeignKey(
                        db_column="counter_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        related_name="daily",
                        to="counters.counter",
                    ),
                ),
            ],
            options={
                "verbose_name": "daily count",
                "verbose_name_plural": "daily counts",
                "db_table": "counter_daily",
                "indexes": [
                    models.Index(
                        fields=["counter", "-bucket_date"], name="counter_daily_counter_date_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=django.db.models.lookups.GreaterThanOrEqual(models.F("count"), 0),
                        name="counter_daily_count_check",
                    )
                ],
            },
        ),
    ]
