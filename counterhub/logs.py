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
        if record.name == access_log.name and not record.exc_info:
            return access_line(record)
        entry = {
            "time": _iso_time(record.created),
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


def _iso_time(created: float) -> str:
    return datetime.datetime.fromtimestamp(created, datetime.UTC).isoformat(timespec="milliseconds")


# The access line is the one written per request: one format string rather than a dict
# through json.dumps (docs/performance.md, tuning log). Every text that comes from the
# request is escaped as json.dumps escapes it; the numbers are Python's own.
_ACCESS_LINE = (
    '{"time": "%s", "level": "%s", "logger": "counterhub.access", "message": %s, '
    '"request_id": %s, "method": %s, "path": %s, "status": %d, "duration_ms": %r, '
    '"client": %s}'
)
_escape = json.encoder.encode_basestring_ascii


def access_line(record: logging.LogRecord) -> str:
    """The JSON line of one request's access record, fields in JsonFormatter's order."""
    request_id = getattr(record, "request_id", None)
    return _ACCESS_LINE % (
        _iso_time(record.created),
        record.levelname,
        _escape(record.getMessage()),
        "null" if request_id is None else _escape(request_id),
        _escape(record.method),  # type: ignore[attr-defined]
        _escape(record.path),  # type: ignore[attr-defined]
        record.status,  # type: ignore[attr-defined]
        record.duration_ms,  # type: ignore[attr-defined]
        _escape(record.client),  # type: ignore[attr-defined]
    )


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
            response.headers["X-Request-ID"] = request_id
            if access_log.isEnabledFor(logging.INFO):
                self._log(request, response.status_code, request_id, started)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def _log(request: HttpRequest, status: int, request_id: str, started: float) -> None:
        # One record, handed to the handlers directly: Logger.info() would also look up
        # the calling file and line, which no line shows, at a cost of several µs.
        method, path = request.method or "", request.path[:MAX_LOGGED_PATH]
        fields = {
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "client": client_address(request),
        }
        record = access_log.makeRecord(
            access_log.name,
            logging.INFO,
            "",
            0,
            "%s %s %s",
            (method, path, status),
            None,
            extra=fields,
        )
        access_log.handle(record)

    @staticmethod
    def _request_id(request: HttpRequest) -> str:
        if settings.COUNTERHUB_BEHIND_PROXY:
            given = str(request.META.get("HTTP_X_REQUEST_ID", ""))
            if REQUEST_ID_RE.fullmatch(given):
                return given
        return uuid.uuid4().hex
