"""GET /count/{name}/badge.svg and /badge.json: a counter's figure as a README badge.

Badges only read: showing one never counts a use.
"""

import hashlib
import unicodedata

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from counters import badges, db
from counters.api import (
    NOT_FOUND,
    UNAVAILABLE,
    CounterAPIView,
    QueryParameters,
    counter_not_found,
)
from counters.models import is_counter_name
from counters.rendering import JSONOnly

MAX_LABEL_LENGTH = 100

# value parameter -> (field of db.CounterSummary, words after the number)
VALUES = {
    "total": ("total", ""),
    "today": ("today", " today"),
    "7d": ("last_7_days", " last 7 days"),
    "30d": ("last_30_days", " last 30 days"),
}


class ColorField(serializers.CharField):
    """A shields.io colour name (blue, brightgreen, ...) or a hex code (ff8800, #f80)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if badges.parse_color(value) is None:
            raise serializers.ValidationError(
                "Must be a colour name (" + ", ".join(badges.NAMED_COLORS) + ") or a hex code "
                "such as ff8800."
            )
        return value.strip()


class BadgeQuerySerializer(QueryParameters):
    """The query parameters of both badge endpoints; any others are ignored."""

    label = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_LABEL_LENGTH,
        help_text="The left-hand text; the counter's name by default, empty for none.",
    )
    color = ColorField(default=badges.DEFAULT_COLOR, max_length=20)
    labelColor = ColorField(default=badges.DEFAULT_LABEL_COLOR, max_length=20)
    style = serializers.ChoiceField(choices=badges.STYLES, default="flat")
    value = serializers.ChoiceField(
        choices=list(VALUES),
        default="total",
        help_text="total, or the days ending today in COUNTERHUB_TIME_ZONE: today, 7d, 30d.",
    )
    abbreviated = serializers.BooleanField(default=False, help_text="1.2k instead of 1234.")

    def validate_label(self, value):
        # Control characters are not allowed in XML at all, escaped or not.
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
            raise serializers.ValidationError("Must not contain control characters.")
        return value


class ShieldsEndpointSerializer(serializers.Serializer):
    """shields.io's endpoint badge schema (https://shields.io/badges/endpoint-badge)."""

    schemaVersion = serializers.IntegerField()
    label = serializers.CharField()
    message = serializers.CharField()
    color = serializers.CharField()
    labelColor = serializers.CharField(required=False)
    style = serializers.CharField(required=False)


def badge_text(name: str, query: dict, summary: db.CounterSummary) -> tuple[str, str]:
    """The label and the message of a counter's badge."""
    label = query.get("label", name)
    field, words = VALUES[query["value"]]
    number = getattr(summary, field)
    shown = badges.abbreviate(number) if query["abbreviated"] else str(number)
    return label, shown + words


def cache_control() -> str:
    # GitHub's image proxy (camo) keeps what it is allowed to keep: no-cache makes it
    # revalidate every time, and the ETag makes that revalidation a cheap 304.
    max_age = settings.COUNTERHUB_BADGE_MAX_AGE
    return f"public, max-age={max_age}" if max_age > 0 else "no-cache, max-age=0"


class BadgeSVGView(CounterAPIView):
    """GET a counter's figure as an SVG badge in shields.io's look."""

    content_negotiation_class = JSONOnly

    @extend_schema(
        operation_id="count_badge_svg",
        summary="A counter's badge (SVG)",
        parameters=[BadgeQuerySerializer],
        responses={
            (200, "image/svg+xml"): OpenApiTypes.STR,
            (304, "image/svg+xml"): OpenApiResponse(description="The ETag still matches."),
            400: OpenApiResponse(description="A bad query parameter, named in the body."),
            (404, "image/svg+xml"): OpenApiResponse(
                OpenApiTypes.STR, description='A grey "not found" badge.'
            ),
            503: UNAVAILABLE,
        },
    )
    def get(self, request, name):
        params, label, message = badge_figures(request, name)
        return svg_response(request, badge_for(params, label, message))

    def handle_exception(self, exc):
        # An unknown name still gets an image, so a README shows what is wrong
        # rather than a broken-image icon.
        if isinstance(exc, Http404):
            return not_found_badge(self.request, self.kwargs["name"])
        return super().handle_exception(exc)


class BadgeJSONView(CounterAPIView):
    """GET a counter's figure as JSON for shields.io's endpoint badge."""

    content_negotiation_class = JSONOnly

    @extend_schema(
        operation_id="count_badge_json",
        summary="A counter's badge for shields.io's endpoint badge (JSON)",
        parameters=[BadgeQuerySerializer],
        responses={
            200: ShieldsEndpointSerializer,
            400: OpenApiResponse(description="A bad query parameter, named in the body."),
            404: NOT_FOUND,
            503: UNAVAILABLE,
        },
    )
    def get(self, request, name):
        params, label, message = badge_figures(request, name)
        body = {"schemaVersion": 1, "label": label, "message": message, "color": params["color"]}
        for key in ("labelColor", "style"):
            if key in request.query_params:
                body[key] = params[key]
        response = Response(body)
        response["Cache-Control"] = cache_control()
        return response


def badge_figures(request, name: str) -> tuple[dict, str, str]:
    """The validated parameters of a badge request, and the badge's label and message."""
    query = BadgeQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    try:
        summary = db.counter_summary(name)
    except db.CounterNotFound:
        raise counter_not_found(name)
    label, message = badge_text(name, query.validated_data, summary)
    return query.validated_data, label, message


def badge_for(query: dict, label: str, message: str) -> badges.Badge:
    return badges.Badge(
        label=label,
        message=message,
        color=badges.parse_color(query["color"]),
        label_color=badges.parse_color(query["labelColor"]),
        style=query["style"],
    )


def svg_response(request, badge: badges.Badge, status: int = 200) -> HttpResponse:
    body = badge.svg().encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8", status=status)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control()
    # Opened on its own, the image may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    if status == 200:
        response = get_conditional_response(request, etag=etag, response=response)
    return response


def not_found_badge(request, name: str) -> HttpResponse:
    """A grey "not found" badge, with the label and style asked for when they are valid."""
    query = BadgeQuerySerializer(data=request.query_params)
    params = query.validated_data if query.is_valid() else {}
    label = params.get("label", name if is_counter_name(name) else "counter")
    badge = badges.Badge(
        label=label,
        message="not found",
        color=badges.NAMED_COLORS[badges.NOT_FOUND_COLOR],
        label_color=badges.parse_color(params.get("labelColor", badges.DEFAULT_LABEL_COLOR)),
        style=params.get("style", "flat"),
    )
    return svg_response(request, badge, status=404)
