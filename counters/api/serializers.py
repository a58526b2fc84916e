"""Query parameters in, response bodies out: the classes the OpenAPI schema documents.

Views validate query strings with the `*QuerySerializer`s (`is_valid(raise_exception=True)`
turns a bad parameter into a 400 naming it) and build every body with the response
serializers, so the schema at /api/schema/ cannot drift from the answers.
"""

import copy
import datetime
import functools
import re
import unicodedata
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from counters import badges

# --- responses ------------------------------------------------------------------------


def body(serializer_class: type[serializers.Serializer[Any]], instance: Any) -> dict[str, Any]:
    """The response body for `instance`, written by `serializer_class`.

    Each serializer class is built once and reused: making a serializer deep-copies its
    declared fields, about 80 µs a time, more than the rest of a POST's Python work in DRF
    (docs/performance.md), while writing a body with the fields already bound costs a few.
    to_representation() keeps no state between calls, so workers' threads may share it.
    """
    return _writer(serializer_class).to_representation(instance)


@functools.cache
def _writer(serializer_class: type[serializers.Serializer[Any]]) -> serializers.Serializer[Any]:
    return serializer_class()


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class OffsetDateTimeField(serializers.DateTimeField):
    """A timestamp as Python's ISO form, with its UTC offset (`...+00:00`), as PostgreSQL
    gives it; DRF's own form would rewrite it into the server's zone with a `Z`."""

    def to_representation(self, value: datetime.datetime) -> str:
        return value.isoformat()


class IncrementSerializer(serializers.Serializer[Any]):
    counter = serializers.CharField()
    date = serializers.DateField(help_text="Today's bucket, in COUNTERHUB_TIME_ZONE.")
    count = serializers.IntegerField(help_text="Today's count after this increment.")
    total = serializers.IntegerField(help_text="All-time total after this increment.")


class SummarySerializer(serializers.Serializer[Any]):
    counter = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    enabled = serializers.BooleanField()
    total = serializers.IntegerField()
    today = serializers.IntegerField()
    last_7_days = serializers.IntegerField()
    last_30_days = serializers.IntegerField()
    first_day = serializers.DateField(allow_null=True)
    last_day = serializers.DateField(allow_null=True)
    last_updated = OffsetDateTimeField(allow_null=True)
    time_zone = serializers.CharField()


class PointSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    count = serializers.IntegerField()


@extend_schema_field(PointSerializer(many=True))
class PointsField(serializers.Field):  # type: ignore[type-arg]
    """A series' `(label, count)` pairs as PointSerializer's objects, made in one pass: a
    year of days is 365 points, which a nested serializer would build field by field. The
    labels come from the database already in `YYYY-MM-DD` form (db.series_points)."""

    def to_representation(self, value: list[tuple[str, int]]) -> list[dict[str, Any]]:
        return [{"date": day, "count": count} for day, count in value]


class SeriesSerializer(serializers.Serializer[Any]):
    counter = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    group = serializers.CharField()
    fill = serializers.CharField()
    total = serializers.IntegerField()
    points = PointsField()


class HealthSerializer(serializers.Serializer[Any]):
    status = serializers.CharField()
    database = serializers.CharField()


class ShieldsEndpointSerializer(serializers.Serializer[Any]):
    """shields.io's endpoint badge schema (https://shields.io/badges/endpoint-badge)."""

    schemaVersion = serializers.IntegerField()
    # Named as shields.io names them; Field's own `label` and `style` attributes are
    # shadowed only in the type stubs' eyes.
    label = serializers.CharField()  # type: ignore[assignment]
    message = serializers.CharField()
    color = serializers.CharField()
    labelColor = serializers.CharField(required=False)
    style = serializers.CharField(required=False)  # type: ignore[assignment]
    cacheSeconds = serializers.IntegerField(required=False)


# --- query parameters -----------------------------------------------------------------


class QueryParameters(serializers.Serializer[Any]):
    """Query parameters, where one that is given must be valid, even when empty."""

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
        # DRF deep-copies the declared fields for every serializer made, which rebuilds
        # each field from its arguments: for a query of a few parameters that cost more
        # than the view's own work. Validating a query reads its fields and never changes
        # them, so a shallow copy (bound to this serializer) is enough.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # DRF reads `?start=` like a form's blank field, as if it were left out; the
        # README says a parameter given must be valid, so it is a 400.
        blank = [
            name
            for name, field in self.fields.items()
            if self.initial_data.get(name) == "" and not getattr(field, "allow_blank", False)
        ]
        if blank:
            raise serializers.ValidationError({name: ["Must not be empty."] for name in blank})
        return attrs


DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DayField(serializers.DateField):
    """A day written exactly `YYYY-MM-DD` in ASCII digits.

    strptime's `%Y-%m-%d` also takes `2026-1-1`, and its digits are any script's (a
    full-width `２`); the README promises the one form.
    """

    def __init__(self, **kwargs: Any):
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)

    def to_internal_value(self, value: Any) -> datetime.date:
        if not isinstance(value, str) or not DAY_RE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class SeriesQuerySerializer(QueryParameters):
    """The query parameters of GET /count/{name}/series."""

    start = DayField(required=False)
    end = DayField(required=False)
    group = serializers.ChoiceField(choices=["day", "week", "month"], default="day")
    fill = serializers.ChoiceField(choices=["none", "zero"], default="none")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and start > end:
            raise serializers.ValidationError({"start": ["start must not be after end."]})
        return attrs


MAX_LABEL_LENGTH = 100

# The badge's `value` parameter -> (field of db.CounterSummary, words after the number).
BADGE_VALUES = {
    "total": ("total", ""),
    "today": ("today", " today"),
    "7d": ("last_7_days", " last 7 days"),
    "30d": ("last_30_days", " last 30 days"),
}


class ColorField(serializers.CharField):
    """A shields.io colour name (blue, brightgreen, ...) or a hex code (ff8800, #f80)."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if badges.parse_color(value) is None:
            raise serializers.ValidationError(
                "Must be a colour name (" + ", ".join(badges.NAMED_COLORS) + ") or a hex code "
                "such as ff8800."
            )
        return value.strip()


class BadgeQuerySerializer(QueryParameters):
    """The query parameters of both badge endpoints; any others are ignored."""

    label = serializers.CharField(  # type: ignore[assignment]
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_LABEL_LENGTH,
        help_text="The left-hand text; the counter's name by default, empty for none.",
    )
    color = ColorField(default=badges.DEFAULT_COLOR, max_length=20)
    labelColor = ColorField(default=badges.DEFAULT_LABEL_COLOR, max_length=20)
    style = serializers.ChoiceField(choices=badges.STYLES, default="flat")  # type: ignore[assignment]
    value = serializers.ChoiceField(
        choices=list(BADGE_VALUES),
        default="total",
        help_text="total, or the days ending today in COUNTERHUB_TIME_ZONE: today, 7d, 30d.",
    )
    abbreviated = serializers.BooleanField(default=False, help_text="1.2k instead of 1234.")

    def validate_label(self, value: str) -> str:
        # Control characters are not allowed in XML at all, escaped or not.
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
            raise serializers.ValidationError("Must not contain control characters.")
        return value
