"""Which renderer answers: JSON for every API view, CSV too for a series.

Kept apart from the views because DRF imports the negotiation class while it builds
APIView itself (settings name it as the project's default).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class JSONOnly(BaseContentNegotiation):
    """The project's default: the view's first renderer (JSON), whatever the client asks.

    The counting endpoints have one form, so there is nothing to negotiate, and skipping
    DRF's parsing of Accept keeps the hot path cheap.
    """

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> None:
        return None

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))
        return first, first.media_type


class FormatNegotiation(DefaultContentNegotiation):
    """DRF's negotiation (Accept and `?format=`), where an unknown `?format=` is a bad
    parameter (400) rather than DRF's 404. Used by the series and by the OpenAPI schema,
    which have more than one form."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        # DRF reads `?format=` as no format at all; like any other parameter given
        # empty, it is a 400.
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE) == "":
            raise exceptions.ValidationError({"format": ["Must not be empty."]})
        if (
            request.META.get("HTTP_ACCEPT", "*/*") == "*/*"
            and format_suffix is None
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            # Nothing asked for: DRF's answer is the first renderer, found here without
            # parsing an Accept header (most clients, curl and wrk included, send none).
            first = next(iter(renderers))
            return first, first.media_type
        try:
            renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = ", ".join(sorted({str(r.format) for r in renderers}))
            raise exceptions.ValidationError({"format": [f"Must be one of: {formats}."]})
        return renderer, media_type


class SeriesNegotiation(FormatNegotiation):
    """A series is JSON or CSV; OPTIONS (the view's description) is always JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        if request.method not in ("GET", "HEAD"):
            first = next(iter(renderers))
            return first, first.media_type
        return renderer, media_type


class SeriesCSVRenderer(BaseRenderer):
    """The points of a series as `date,count` lines."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        lines = ["date,count"] + [f"{p['date']},{p['count']}" for p in data["points"]]
        return ("\r\n".join(lines) + "\r\n").encode()
