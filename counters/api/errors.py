"""Every failure of the API turned into its answer, in one place.

Views raise `counters.db`'s exceptions (or DRF's) and never catch them: DRF calls
`exception_handler` (settings: REST_FRAMEWORK["EXCEPTION_HANDLER"]), which maps each to its
status and JSON body, as the README's "Errors" table lists them. Paths no API view matches
are answered in the same JSON form by counterhub/errors.py.
"""

from typing import Any

from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from counterhub import metrics
from counterhub.outage import DATABASE_ERRORS, DATABASE_RETRY_AFTER_SECONDS
from counters import db


class CounterDisabledError(exceptions.PermissionDenied):
    default_detail = "This counter is disabled: it does not accept increments."


class CounterFullError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "This counter cannot count any more: its count or total is at the largest number "
        "it can hold."
    )
    default_code = "counter_full"


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large: POST /count/{name} takes at most 1024 bytes."
    default_code = "body_too_large"


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
    if isinstance(exc, db.CounterFull):
        return CounterFullError()
    if isinstance(exc, db.RateLimited):
        metrics.RATE_LIMITED.inc()
        # DRF's Throttled sets Retry-After from `wait`.
        return RateLimitedError(wait=exc.retry_after)
    if isinstance(exc, DATABASE_ERRORS):
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
