"""The database away: every path answers 503 with Retry-After, and a connection that a
database restart broke while idle is replaced before a request uses it (README: "When
the database goes away").

API views answer the outage through DRF's exception handler (counters/api/errors.py);
every other view's error reaches Django's handler500 (counterhub/errors.py), which calls
`outage_response` here. Either request chain calls `drop_broken_connections` first.
"""

import select
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# What a failed database call raises when the server is away or the connection broke.
DATABASE_ERRORS = (OperationalError, InterfaceError)
# Long enough for a restarting PostgreSQL, short enough that clients retry soon.
DATABASE_RETRY_AFTER_SECONDS = 5

# Anything to read on an idle connection is the server's goodbye: a restarting or
# stopping PostgreSQL sends "terminating connection" and closes the socket. (Nothing
# else arrives unasked: CounterHub does not LISTEN, and PostgreSQL sends no TLS session
# tickets.) libpq would take that goodbye for a notice and keep the connection, so a
# readable socket is enough to start afresh.
_READABLE = select.POLLIN | select.POLLERR | select.POLLHUP


def is_database_outage(exc: BaseException | None) -> bool:
    """Whether `exc` says the database could not be reached or the connection broke."""
    return isinstance(exc, DATABASE_ERRORS)


def drop_broken_connections() -> None:
    """Close each idle persistent connection whose server has hung up, so the request
    about to run opens a fresh one instead of failing on it.

    A poll of the socket, not a query: it costs no round trip, so the counting POST
    keeps its one. A connection that broke without a word (a host gone) is still
    found only by the request that uses it, which answers 503.
    """
    for conn in connections.all(initialized_only=True):
        raw = conn.connection
        if raw is None or conn.in_atomic_block:
            continue
        try:
            broken = raw.closed or raw.broken or _has_input(raw.pgconn.socket)
        except Exception:  # any doubt about the socket: start afresh
            broken = True
        if broken:
            conn.close()


def _has_input(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, _READABLE)
    return bool(poller.poll(0))


def outage_response(request: HttpRequest) -> HttpResponseBase:
    """503 with Retry-After: JSON on API paths, the short HTML page on pages for people."""
    from counterhub import errors

    return errors.error_response(
        request,
        503,
        "The database is unavailable. Try again shortly.",
        retry_after=DATABASE_RETRY_AFTER_SECONDS,
    )


class OutageMiddleware:
    """Replaces connections broken while idle before the request runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        drop_broken_connections()
        return self.get_response(request)
