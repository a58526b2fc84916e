"""Error answers for every path, by family (README: "Errors").

API paths (/count/..., /api/..., /healthz, /metrics) always answer JSON with a `detail`; pages for
people (the dashboard, the admin) answer the project's own short HTML pages,
templates/errors/<status>.html, with the request id. Django's handler400, 403, 404 and
500 (counterhub/urls.py) and CSRF_FAILURE_VIEW come here; a view's own bodiless error
(a 405) is given its family's form by ErrorPageMiddleware.
"""

import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string

from counterhub.logs import request_id_var
from counterhub.outage import is_database_outage, outage_response

API_PREFIXES = ("/count/", "/api/", "/healthz/", "/metrics/")
API_PATHS = ("/count", "/api", "/healthz", "/metrics")
ERROR_STATUSES = (400, 403, 404, 405, 429, 500, 503)

DETAILS = {
    400: "Bad request.",
    403: "Permission denied.",
    404: "Not found.",
    405: "Method not allowed.",
    429: "Too many requests. Try again later.",
    500: "Internal server error.",
    503: "Service unavailable. Try again shortly.",
}


def is_api_path(path: str) -> bool:
    """Whether `path` belongs to the API, whose errors are JSON."""
    return path in API_PATHS or path.startswith(API_PREFIXES)


def error_page(request: HttpRequest, status: int, retry_after: int | None = None) -> HttpResponse:
    """The project's HTML page for `status`, for pages people read."""
    request_id = getattr(request, "request_id", None) or request_id_var.get()
    html = render_to_string(
        f"errors/{status}.html",
        {"status": status, "request_id": request_id, "retry_after": retry_after},
    )
    response = HttpResponse(html, status=status)
    # Set here as well as by the middleware, which an error raised inside it skips.
    response["X-Frame-Options"] = "DENY"
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def error_response(
    request: HttpRequest, status: int, detail: str, retry_after: int | None = None
) -> HttpResponse:
    """`status` in the form of the path's family: JSON `detail`, or the HTML page."""
    if is_api_path(request.path):
        response: HttpResponse = JsonResponse({"detail": detail}, status=status)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response
    return error_page(request, status, retry_after)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400, DETAILS[400])


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403, DETAILS[403])


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404, DETAILS[404])


def server_error(request: HttpRequest) -> HttpResponseBase:
    # Django calls this while handling the exception: an unreachable database is the
    # service being unavailable for a while, not a fault in it.
    if is_database_outage(sys.exception()):
        return outage_response(request)
    return error_response(request, 500, DETAILS[500])


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a 403 in the path's form, without Django's explanation page."""
    return error_response(request, 403, "CSRF verification failed.")


class ErrorPageMiddleware:
    """Gives a bodiless error answer (Django's or whitenoise's 405, say) its family's
    form, the JSON `detail` or the project's page, keeping its headers (Allow,
    Retry-After)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code in ERROR_STATUSES and (
            # whitenoise's 405 for a static file streams nothing.
            response.streaming or not response.content  # type: ignore[attr-defined]
        ):
            # Not response.close(): that signals the request's end, which closes the
            # database connection under the request still being answered.
            status = response.status_code
            answer = error_response(request, status, DETAILS[status])
            for header in ("Allow", "Retry-After"):
                if header in response:
                    answer[header] = response[header]
            return answer
        return response
