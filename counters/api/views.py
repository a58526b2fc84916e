"""The counting endpoints: POST and GET /count/{name}, GET /count/{name}/series, /healthz,
and the series of a share link's page (GET /shared/{token}/series).

How to add an endpoint:

1. Write the view here (badges in `badge_views.py`): an `APIView` subclass, or a subclass of
   `CounterAPIView` for a path under /count/{name}. It parses its query with a
   `*QuerySerializer` (`is_valid(raise_exception=True)`), makes one call into `counters.db`
   and returns `Response(body(SomeSerializer, result))` (`serializers.body`).
2. Do not catch `counters.db`'s exceptions: `errors.exception_handler` answers each of them
   (404, 403, 429, 503) for every view. Raise one of them, or DRF's, for a new failure.
3. Describe the answers with `@extend_schema`, naming the same serializers the body is made
   with; add the route to `counters/urls.py` and the endpoint to the README's "The API".
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counterhub import metrics
from counterhub.clients import client_address, client_key
from counterhub.outage import DATABASE_ERRORS, DATABASE_RETRY_AFTER_SECONDS
from counters import db, sharing
from counters.api.buckets import MAX_FILLED_BUCKETS, bucket_count
from counters.api.errors import BodyTooLarge
from counters.api.negotiation import SeriesCSVRenderer, SeriesNegotiation
from counters.api.serializers import (
    ErrorSerializer,
    HealthSerializer,
    IncrementSerializer,
    SeriesQuerySerializer,
    SeriesSerializer,
    SummarySerializer,
    body,
)
from counters.models import is_counter_name

# The counting POST needs no body; a small one (a form's fields) is allowed and ignored.
MAX_COUNT_BODY_BYTES = 1024

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Unregistered or malformed name.")
UNAVAILABLE = OpenApiResponse(ErrorSerializer, description="The database is unreachable.")


class CounterAPIView(APIView):
    """Base of the public endpoints under /count/{name}.

    No authentication: a logged-in admin's session would otherwise bring CSRF checks to a
    public POST. A name that can never be registered is answered like an unregistered one,
    before anything else and without asking the database.
    """

    authentication_classes = ()
    permission_classes = ()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if not is_counter_name(kwargs["name"]):
            raise db.CounterNotFound(kwargs["name"])
        super().initial(request, *args, **kwargs)


class CountView(CounterAPIView):
    """POST counts one use; GET reads the summary."""

    @extend_schema(
        operation_id="count_increment",
        summary="Count one use",
        request=None,
        responses={
            200: IncrementSerializer,
            403: OpenApiResponse(ErrorSerializer, description="The counter is disabled."),
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer, description="The count or total is at the largest bigint."
            ),
            413: OpenApiResponse(ErrorSerializer, description="A body over 1024 bytes."),
            429: OpenApiResponse(
                ErrorSerializer, description="Too many POSTs from this client address."
            ),
            503: UNAVAILABLE,
        },
    )
    def post(self, request: Request, name: str) -> Response:
        refuse_large_body(request)
        increment = db.count_use(name, client_key(client_address(request)))
        metrics.USES_COUNTED.inc()
        return Response(body(IncrementSerializer, increment))

    @extend_schema(
        operation_id="count_summary",
        summary="Read a counter's summary",
        responses={200: SummarySerializer, 404: NOT_FOUND, 503: UNAVAILABLE},
    )
    def get(self, request: Request, name: str) -> Response:
        return Response(body(SummarySerializer, db.counter_summary(name)))


def refuse_large_body(request: HttpRequest) -> None:
    """A 413 for a body over MAX_COUNT_BODY_BYTES, before anything is counted.

    The body is ignored, but a client sending megabytes may see its connection cut while
    it still sends, and retry a count that was made: refusing first keeps retries safe.
    A chunked body (no Content-Length) is read up to one byte past the limit.
    """
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_COUNT_BODY_BYTES:
        raise BodyTooLarge()
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        stream = request.META.get("wsgi.input")
        if stream is not None and len(stream.read(MAX_COUNT_BODY_BYTES + 1)) > MAX_COUNT_BODY_BYTES:
            raise BodyTooLarge()


class SeriesView(CounterAPIView):
    """GET the history of one counter, per day, week or month."""

    renderer_classes = [JSONRenderer, SeriesCSVRenderer]
    content_negotiation_class = SeriesNegotiation

    @extend_schema(
        operation_id="count_series",
        summary="Read a counter's history",
        parameters=[
            SeriesQuerySerializer,
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description="csv serves `date,count` lines (as does Accept: text/csv).",
            ),
        ],
        responses={
            (200, "application/json"): SeriesSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            400: OpenApiResponse(description="A bad query parameter."),
            404: NOT_FOUND,
            503: UNAVAILABLE,
        },
    )
    def get(self, request: Request, name: str) -> Response:
        query = SeriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(body(SeriesSerializer, series_figures(name, **query.validated_data)))


class SharedSeriesView(APIView):
    """GET /shared/{token}/series: the series of the one counter a share link opens, for
    its page. The same parameters and answers as /count/{name}/series; an unknown or
    revoked token is a 404."""

    authentication_classes = ()
    permission_classes = ()
    renderer_classes = [JSONRenderer, SeriesCSVRenderer]
    content_negotiation_class = SeriesNegotiation

    # For the shared page only, not part of the public API's contract.
    @extend_schema(exclude=True)
    def get(self, request: Request, token: str) -> Response:
        link = sharing.active_link(token)
        if link is None:
            raise exceptions.NotFound()
        query = SeriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = series_figures(link.counter_id, **query.validated_data)
        return Response(
            body(SeriesSerializer, figures),
            headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"},
        )


def series_figures(
    name: str,
    group: str,
    fill: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[str, Any]:
    """The series of `name` as SeriesSerializer reads it, zero-filled when asked."""
    zero_fill = fill == "zero"
    if zero_fill:
        end = end or timezone.localdate()
        if start and bucket_count(start, end, group) > MAX_FILLED_BUCKETS:
            raise range_too_long()
    series = db.series_points(name, start, end, group, zero_fill, MAX_FILLED_BUCKETS)
    if zero_fill:
        assert end is not None
        start = series.start
        # An open start is the first day with data, known only now.
        if (
            start is not None
            and start <= end
            and bucket_count(start, end, group) > MAX_FILLED_BUCKETS
        ):
            raise range_too_long()
    return {
        "counter": series.counter,
        "start": start,
        "end": end,
        "group": group,
        "fill": fill,
        "total": series.total,
        "points": series.points,
    }


def range_too_long() -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {"detail": f"The range is too long: fill=zero serves at most {MAX_FILLED_BUCKETS} buckets."}
    )


class HealthView(APIView):
    """GET /healthz: whether the database answers, for load balancers and monitors."""

    authentication_classes = ()
    permission_classes = ()

    @extend_schema(
        operation_id="healthz",
        summary="Health check",
        responses={
            200: HealthSerializer,
            503: OpenApiResponse(HealthSerializer, description="The database does not answer."),
        },
    )
    def get(self, request: Request) -> Response:
        # One `select 1` on the worker's persistent connection: cheap enough to be
        # called every second, and it proves what counting needs.
        try:
            db.ping()
        except DATABASE_ERRORS:
            return Response(
                body(HealthSerializer, {"status": "unavailable", "database": "unavailable"}),
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
            )
        return Response(body(HealthSerializer, {"status": "ok", "database": "ok"}))
