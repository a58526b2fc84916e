"""Content negotiation and renderers of the counting API.

Kept apart from the views because DRF imports the negotiation class while it builds
APIView itself.
"""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, but an unknown `?format=` is a bad parameter (400), not a 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = ", ".join(sorted({r.format for r in renderers}))
            raise exceptions.ValidationError({"format": [f"Must be one of: {formats}."]})


class JSONOnly(BaseContentNegotiation):
    """The hot path answers JSON whatever the client asks for, without negotiating."""

    renderer = JSONRenderer()

    def select_parser(self, request, parsers):
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return self.renderer, self.renderer.media_type


class SeriesCSVRenderer(BaseRenderer):
    """The points of a series as `date,count` lines."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        lines = ["date,count"] + [f"{p['date']},{p['count']}" for p in data["points"]]
        return ("\r\n".join(lines) + "\r\n").encode()
