"""The counting API: POST and GET /count/{name}, GET /count/{name}/series (API.md)."""

import datetime

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from counterhub.clients import client_address, client_key
from counters import db
from counters.models import is_counter_name
from counters.rendering import JSONOnly, SeriesCSVRenderer

MAX_FILLED_BUCKETS = 3660
DATABASE_RETRY_AFTER_SECONDS = 5


# --- errors -------------------------------------------------------------------------


class CounterDisabledError(exceptions.PermissionDenied):
    default_detail = "This counter is disabled: it does not accept increments."


class RateLimitedError(exceptions.Throttled):
    default_detail = "Too many requests from this address. Try again later."


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable. Try again shortly."
    default_code = "database_unavailable"


def counter_not_found(name: str) -> Http404:
    return Http404(f"No counter named {name!r} is registered.")


def check_name(name: str) -> None:
    # A malformed name can never be registered: answer like an unregistered one
    # without asking the database.
    if not is_counter_name(name):
        raise counter_not_found(name)


def exception_handler(exc, context):
    """DRF's handler, plus 503 (not 500) while the database cannot be reached."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        exc = DatabaseUnavailable()
    response = drf_exception_handler(exc, context)
    if isinstance(exc, DatabaseUnavailable):
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def _json_error(status_code: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status_code)


def bad_request(request, exception=None):
    return _json_error(400, "Bad request.")


def permission_denied(request, exception=None):
    return _json_error(403, "Permission denied.")


def not_found(request, exception=None):
    return _json_error(404, "Not found.")


def server_error(request):
    return _json_error(500, "Internal server error.")


# --- the base view --------------------------------------------------------------------


class CounterAPIView(APIView):
    """Base of the counting endpoints: names are checked before anything else."""

    def initial(self, request, *args, **kwargs):
        check_name(kwargs["name"])
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors (and OPTIONS' description of the view) are JSON even when the client
        # asked for CSV: only a series has a CSV form.
        if isinstance(response, Response) and (
            response.status_code >= 400 or request.method == "OPTIONS"
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


# --- schemas (documentation of the responses) ---------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class IncrementSerializer(serializers.Serializer):
    counter = serializers.CharField()
    date = serializers.DateField(help_text="Today's bucket, in COUNTERHUB_TIME_ZONE.")
    count = serializers.IntegerField(help_text="Today's count after this increment.")
    total = serializers.IntegerField(help_text="All-time total after this increment.")


class SummarySerializer(serializers.Serializer):
    counter = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    enabled = serializers.BooleanField()
    total = serializers.IntegerField()
    today = serializers.IntegerField()
    last_7_days = serializers.IntegerField()
    last_30_days = serializers.IntegerField()
    first_day = serializers.DateField(allow_null=True)
    last_day = serializers.DateField(allow_null=True)
    last_updated = serializers.DateTimeField(allow_null=True)
    time_zone = serializers.CharField()


class PointSerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()


class SeriesSerializer(serializers.Serializer):
    counter = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    group = serializers.CharField()
    fill = serializers.CharField()
    total = serializers.IntegerField()
    points = PointSerializer(many=True)


class QueryParameters(serializers.Serializer):
    """Query parameters, where one that is given must be valid, even when empty."""

    def validate(self, attrs):
        # DRF reads `?start=` like a form's blank field, as if it were left out; the
        # contract (and the schema) says a parameter given must be valid, so it is a 400.
        blank = [
            name
            for name, field in self.fields.items()
            if self.initial_data.get(name) == "" and not getattr(field, "allow_blank", False)
        ]
        if blank:
            raise serializers.ValidationError({name: ["Must not be empty."] for name in blank})
        return attrs


class SeriesQuerySerializer(QueryParameters):
    """The query parameters of GET /count/{name}/series."""

    start = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    group = serializers.ChoiceField(choices=["day", "week", "month"], default="day")
    fill = serializers.ChoiceField(choices=["none", "zero"], default="none")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and start > end:
            raise serializers.ValidationError({"start": ["start must not be after end."]})
        return attrs


NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Unregistered or malformed name.")
UNAVAILABLE = OpenApiResponse(ErrorSerializer, description="The database is unreachable.")


# --- views --------------------------------------------------------------------------


class CountView(CounterAPIView):
    """POST counts one use; GET reads the summary."""

    content_negotiation_class = JSONOnly
    # Said here, not only in settings, because initial() below relies on them.
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    versioning_class = None

    def initial(self, request, *args, **kwargs):
        # The hot path. With no authentication, permissions, throttles (the rate limit
        # is inside count_use's one statement), versions or format suffixes, the one
        # step of DRF's left to do is choosing the renderer, and JSONOnly's choice never
        # depends on the request: DRF's full round of checks costs time and decides
        # nothing (docs/performance.md).
        check_name(kwargs["name"])
        request.accepted_renderer = JSONOnly.renderer
        request.accepted_media_type = JSONOnly.renderer.media_type

    @extend_schema(
        operation_id="count_increment",
        summary="Count one use",
        request=None,
        responses={
            200: IncrementSerializer,
            403: OpenApiResponse(ErrorSerializer, description="The counter is disabled."),
            404: NOT_FOUND,
            429: OpenApiResponse(
                ErrorSerializer, description="Too many POSTs from this client address."
            ),
            503: UNAVAILABLE,
        },
    )
    def post(self, request, name):
        try:
            result = db.count_use(name, client_key(client_address(request)))
        except db.RateLimited as limited:
            # DRF's Throttled sets Retry-After from `wait`.
            raise RateLimitedError(wait=limited.retry_after)
        except db.CounterNotFound:
            raise counter_not_found(name)
        except db.CounterDisabled:
            raise CounterDisabledError()
        except IntegrityError:
            # The counter was deleted between the lookup and the insert.
            raise counter_not_found(name)
        return Response(
            {
                "counter": result.counter,
                "date": result.date.isoformat(),
                "count": result.count,
                "total": result.total,
            }
        )

    @extend_schema(
        operation_id="count_summary",
        summary="Read a counter's summary",
        responses={200: SummarySerializer, 404: NOT_FOUND, 503: UNAVAILABLE},
    )
    def get(self, request, name):
        try:
            s = db.counter_summary(name)
        except db.CounterNotFound:
            raise counter_not_found(name)
        return Response(
            {
                "counter": s.counter,
                "description": s.description,
                "enabled": s.enabled,
                "total": s.total,
                "today": s.today,
                "last_7_days": s.last_7_days,
                "last_30_days": s.last_30_days,
                "first_day": _iso(s.first_day),
                "last_day": _iso(s.last_day),
                "last_updated": _iso(s.last_updated),
                "time_zone": settings.COUNTERHUB_TIME_ZONE,
            }
        )


class SeriesView(CounterAPIView):
    """GET the history of one counter, per day, week or month."""

    renderer_classes = [JSONRenderer, SeriesCSVRenderer]

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
    def get(self, request, name):
        query = SeriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start = query.validated_data.get("start")
        end = query.validated_data.get("end")
        group = query.validated_data["group"]
        fill = query.validated_data["fill"]
        if fill == "zero":
            end = end or timezone.localdate()
            if start and bucket_count(start, end, group) > MAX_FILLED_BUCKETS:
                raise range_too_long()
        try:
            series = db.series_for(name, start, end, group)
        except db.CounterNotFound:
            raise counter_not_found(name)
        points = series.points
        if fill == "zero":
            start = start or series.first_day
            if start is None or start > end:
                points = []
            elif bucket_count(start, end, group) > MAX_FILLED_BUCKETS:
                raise range_too_long()
            else:
                points = zero_filled(points, start, end, group)
        return Response(
            {
                "counter": series.counter,
                "start": _iso(start),
                "end": _iso(end),
                "group": group,
                "fill": fill,
                "total": sum(count for _, count in points),
                "points": [{"date": d.isoformat(), "count": n} for d, n in points],
            }
        )


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField()
    database = serializers.CharField()


class HealthView(APIView):
    """GET /healthz: whether the database answers, for load balancers and monitors."""

    content_negotiation_class = JSONOnly

    @extend_schema(
        operation_id="healthz",
        summary="Health check",
        responses={
            200: HealthSerializer,
            503: OpenApiResponse(HealthSerializer, description="The database does not answer."),
        },
    )
    def get(self, request):
        # One `select 1` on the worker's persistent connection: cheap enough to be
        # called every second, and it proves what counting needs.
        try:
            db.ping()
        except (OperationalError, InterfaceError):
            return Response(
                {"status": "unavailable", "database": "unavailable"},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
            )
        return Response({"status": "ok", "database": "ok"})


def range_too_long():
    return exceptions.ValidationError(
        {"detail": f"The range is too long: fill=zero serves at most {MAX_FILLED_BUCKETS} buckets."}
    )


def _iso(value):
    return value.isoformat() if value is not None else None


# --- buckets ------------------------------------------------------------------------


def bucket_label(day: datetime.date, group: str) -> datetime.date:
    """The first day of the bucket holding `day`: itself, its ISO week's Monday, its 1st."""
    if group == "week":
        return day - datetime.timedelta(days=day.weekday())
    if group == "month":
        return day.replace(day=1)
    return day


def bucket_count(start: datetime.date, end: datetime.date, group: str) -> int:
    first, last = bucket_label(start, group), bucket_label(end, group)
    if group == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    step = 7 if group == "week" else 1
    return (last - first).days // step + 1


def zero_filled(points, start: datetime.date, end: datetime.date, group: str):
    """Every bucket from `start` to `end`, with 0 where `points` has none."""
    counts = dict(points)
    first = bucket_label(start, group)
    labels = []
    for i in range(bucket_count(start, end, group)):
        if group == "month":
            months = first.month - 1 + i
            labels.append(datetime.date(first.year + months // 12, months % 12 + 1, 1))
        else:
            labels.append(first + datetime.timedelta(days=i * (7 if group == "week" else 1)))
    return [(label, counts.get(label, 0)) for label in labels]
