"""Every failure of the API turned into its answer, in one place.

Views raise `counters.db`'s exceptions (or DRF's) and never catch them: DRF calls
`exception_handler` (settings: REST_FRAMEWORK["EXCEPTION_HANDLER"]), which maps each to its
status and JSON body, as the README's "Errors" table lists them. The plain Django views at
the end answer the paths no API view matches, in the same JSON form.
"""

from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from counterhub import metrics
from counters import db

# Long enough for a restarting PostgreSQL, short enough that clients retry soon.
DATABASE_RETRY_AFTER_SECONDS = 5


class CounterDisabledError(exceptions.PermissionDenied):
    default_detail = "This counter is disabled: it does not accept increments."


class RateLimitedError(exceptions.Throttled):
    default_detail = "Too many requests from this address. Try again later."


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable. Try again shortly."
    default_code = "database_unavailable"


def counter_not_found(name: str) -> exceptions.NotFound:
    return exceptions.NotFound(f"No counter named {name!r} is registered.")


def api_exception(exc: Exception) -> Exception:
    """The DRF exception that answers `exc`; `exc` itself when DRF already knows it."""
    if isinstance(exc, db.CounterNotFound):
        return counter_not_found(exc.name)
    if isinstance(exc, db.CounterDisabled):
        return CounterDisabledError()
    if isinstance(exc, db.RateLimited):
        metrics.RATE_LIMITED.inc()
        # DRF's Throttled sets Retry-After from `wait`.
        return RateLimitedError(wait=exc.retry_after)
    if isinstance(exc, (OperationalError, InterfaceError)):
        metrics.DATABASE_UNAVAILABLE.inc()
        return DatabaseUnavailable()
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler for the domain's failures, answering JSON whatever was negotiated
    (a series asked for as CSV still gets its errors as JSON)."""
    exc = api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, DatabaseUnavailable):
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


# Django's error views (counterhub/urls.py), for requests no API view answers.


def _json_error(status_code: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status_code)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error(400, "Bad request.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error(403, "Permission denied.")


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error(404, "Not found.")


def server_error(request: HttpRequest) -> JsonResponse:
    return _json_error(500, "Internal server error.")
