"""GET /count/{name}/badge.svg and /badge.json: a counter's figure as a README badge.

Badges only read: showing one never counts a use.
"""

import functools
import hashlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from counters import badges, db
from counters.api import serializers
from counters.api.serializers import BADGE_VALUES, BadgeQuerySerializer, ShieldsEndpointSerializer
from counters.api.views import NOT_FOUND, UNAVAILABLE, CounterAPIView
from counters.models import is_counter_name


def badge_text(name: str, query: dict[str, Any], summary: db.CounterSummary) -> tuple[str, str]:
    """The label and the message of a counter's badge."""
    label = query.get("label", name)
    field, words = BADGE_VALUES[query["value"]]
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
    def get(self, request: Request, name: str) -> HttpResponse:
        params, label, message = badge_figures(request, name)
        return svg_response(request, badge_for(params, label, message))

    def handle_exception(self, exc: Exception) -> HttpResponse:  # type: ignore[override]
        # An unknown name still gets an image, so a README shows what is wrong
        # rather than a broken-image icon.
        if isinstance(exc, db.CounterNotFound):
            return not_found_badge(self.request, self.kwargs["name"])
        return super().handle_exception(exc)


class BadgeJSONView(CounterAPIView):
    """GET a counter's figure as JSON for shields.io's endpoint badge."""

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
    def get(self, request: Request, name: str) -> Response:
        params, label, message = badge_figures(request, name)
        figures = {"schemaVersion": 1, "label": label, "message": message, "color": params["color"]}
        for key in ("labelColor", "style"):
            if key in request.query_params:
                figures[key] = params[key]
        # shields.io keeps the figure this long (its own minimum is 300 s, which it
        # applies to anything lower); without the setting it uses its default.
        if settings.COUNTERHUB_BADGE_MAX_AGE > 0:
            figures["cacheSeconds"] = settings.COUNTERHUB_BADGE_MAX_AGE
        response = Response(serializers.body(ShieldsEndpointSerializer, figures))
        response["Cache-Control"] = cache_control()
        return response


def badge_figures(request: Request, name: str) -> tuple[dict[str, Any], str, str]:
    """The validated parameters of a badge request, and the badge's label and message."""
    query = BadgeQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    summary = db.counter_summary(name)
    label, message = badge_text(name, query.validated_data, summary)
    return query.validated_data, label, message


def badge_for(query: dict[str, Any], label: str, message: str) -> badges.Badge:
    # The query serializer accepted only colours that parse_color() understands.
    return badges.Badge(
        label=label,
        message=message,
        color=badges.color(query["color"]),
        label_color=badges.color(query["labelColor"]),
        style=query["style"],
    )


@functools.lru_cache(maxsize=1024)
def drawn(badge: badges.Badge) -> tuple[bytes, str]:
    """The SVG of `badge` and its ETag. A badge is drawn from its texts, colours and
    style alone, and a README shows the same few over and over: each is drawn and hashed
    once per worker (up to 1,024 of them), which is most of a badge request's own work."""
    body = badge.svg().encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def svg_response(request: HttpRequest, badge: badges.Badge, status: int = 200) -> HttpResponse:
    body, etag = drawn(badge)
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8", status=status)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control()
    # Opened on its own, the image may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    if status == 200:
        return get_conditional_response(request, etag=etag, response=response) or response
    return response


def not_found_badge(request: Request, name: str) -> HttpResponse:
    """A grey "not found" badge, with the label and style asked for when they are valid."""
    query = BadgeQuerySerializer(data=request.query_params)
    params = query.validated_data if query.is_valid() else {}
    label = params.get("label", name if is_counter_name(name) else "counter")
    badge = badges.Badge(
        label=label,
        message="not found",
        color=badges.NAMED_COLORS[badges.NOT_FOUND_COLOR],
        label_color=badges.color(params.get("labelColor", badges.DEFAULT_LABEL_COLOR)),
        style=params.get("style", "flat"),
    )
    return svg_response(request, badge, status=404)
