"""Logs as JSON lines: one per request, and every other record tagged with its request id.

A log collector parses each line as one JSON object; nothing a client sends can break a
line, since control characters are escaped. Only method, path, status, duration, the
client's address and the request id are logged: never headers, cookies, query strings
or bodies, which is where secrets travel.
"""

import contextvars
import datetime
import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from counterhub.clients import client_address

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

# A proxy's id is kept only when it looks like one; anything else could smuggle text
# into logs and response headers.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
MAX_LOGGED_PATH = 2048

access_log = logging.getLogger("counterhub.access")


class RequestIdFilter(logging.Filter):
    """Adds the id of the request being served (or None) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 5xx after the middleware has returned, with the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        return True


class SuspiciousRequestFilter(logging.Filter):
    """Django logs a request it finds suspicious (a Host outside ALLOWED_HOSTS, too many
    fields) at ERROR, in words that may quote the client: a client's mistake, in the
    client's words. Logged at WARNING instead (so LOG_LEVEL=ERROR drops it), naming only
    the kind of request refused."""

    def filter(self, record: logging.LogRecord) -> bool:
        kind = record.name.rsplit(".", 1)[-1]
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg, record.args, record.exc_info = (
            "Refused a suspicious request: %s.",
            (kind,),
            None,
        )
        return logging.getLogger().isEnabledFor(logging.WARNING)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, and the
    access fields for request lines."""

    ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "client")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for field in self.ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True)


class RequestLogMiddleware:
    """Gives each request an id (X-Request-ID, also on the response) and logs one line
    for it when the response is ready."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        request_id = request.request_id = self._request_id(request)  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            access_log.info(
                "%s %s %s",
                request.method,
                request.path[:MAX_LOGGED_PATH],
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path[:MAX_LOGGED_PATH],
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": client_address(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def _request_id(request: HttpRequest) -> str:
        if settings.COUNTERHUB_BEHIND_PROXY:
            given = str(request.META.get("HTTP_X_REQUEST_ID", ""))
            if REQUEST_ID_RE.fullmatch(given):
                return given
        return uuid.uuid4().hex
