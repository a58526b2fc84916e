"""Prometheus metrics at /metrics (README: "Metrics").

gunicorn runs several worker processes, each with its own memory: prometheus-client's
multiprocess mode keeps every worker's figures in files of one directory, and a scrape
(answered by any worker) adds them up. gunicorn.conf.py names that directory in
PROMETHEUS_MULTIPROC_DIR before anything imports prometheus_client (the library picks
its storage at import), empties it when gunicorn starts and marks dead workers. Outside
gunicorn (tests, runserver) without that variable, the process's own registry is served.

Each counter's total and today's count are not kept here: a collector reads them from
the database at scrape time, in one query, so every worker reports the same figures.
"""

import functools
import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from counterhub.clients import client_address
from counterhub.outage import DATABASE_ERRORS

logger = logging.getLogger(__name__)

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# Requests that no route matched: static files (answered by whitenoise before routing),
# unknown paths, redirects to HTTPS.
UNROUTED = "(unrouted)"
# Methods a client may send are arbitrary text; only these become label values.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "counterhub_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "counterhub_http_request_duration_seconds",
    "Time from a request's arrival in Django to its answer, by route template.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
USES_COUNTED = Counter("counterhub_uses_counted", "Uses counted: POSTs answered 200.")
RATE_LIMITED = Counter(
    "counterhub_rate_limited", "POSTs refused by the per-client rate limit (429)."
)
DATABASE_UNAVAILABLE = Counter(
    "counterhub_database_unavailable",
    "API answers of 503 because the database could not be reached.",
)


class CounterFiguresCollector(Collector):
    """Each registered counter's all-time total and today's count, read at scrape time."""

    def collect(self) -> Iterator[Metric]:
        from counters import db  # the app's models are loaded by the time anyone scrapes

        total = GaugeMetricFamily(
            "counterhub_uses_all_time", "A counter's all-time total of uses.", labels=["counter"]
        )
        today = GaugeMetricFamily(
            "counterhub_uses_today",
            "A counter's uses today, in COUNTERHUB_TIME_ZONE.",
            labels=["counter"],
        )
        try:
            figures = db.counter_figures()
        except DATABASE_ERRORS:
            # The request metrics are still worth a scrape; these come back with the
            # database.
            logger.warning("Metrics: the database did not answer; counter figures left out.")
            return
        for name, all_time, todays in figures:
            total.add_metric([name], all_time)
            today.add_metric([name], todays)
        yield total
        yield today


COUNTER_FIGURES = CollectorRegistry(auto_describe=False)
COUNTER_FIGURES.register(CounterFiguresCollector())


def exposition() -> bytes:
    """The text exposition of every metric: all workers' when under gunicorn."""
    if os.environ.get(MULTIPROC_DIR_VARIABLE):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(COUNTER_FIGURES)


class MetricsMiddleware:
    """Counts every answer by route template and status and times it. Kept cheap: a
    clock read and two updates of cached series (README: "Metrics")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response
        self._requests: dict[tuple[str, str, int], Callable[[], None]] = {}
        self._latency: dict[str, Callable[[float], None]] = {}

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = request.resolver_match
        route = "/" + match.route if match is not None else UNROUTED
        method = request.method if request.method in KNOWN_METHODS else "other"
        key = (route, method or "other", response.status_code)
        count = self._requests.get(key)
        if count is None:
            count = self._requests[key] = REQUESTS.labels(
                route, method or "other", str(response.status_code)
            ).inc
        count()
        observe = self._latency.get(route)
        if observe is None:
            observe = self._latency[route] = LATENCY.labels(route).observe
        observe(elapsed)
        return response


@functools.cache
def _networks(
    allowed: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in allowed)


def _address_allowed(request: HttpRequest, allowed: Iterable[str]) -> bool:
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(allowed)))


def _token_given(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def scrape_allowed(request: HttpRequest) -> bool:
    """Closed unless configured: a token and/or a list of addresses, each of which, when
    set, must be met."""
    token: str = settings.COUNTERHUB_METRICS_TOKEN
    allowed: list[str] = settings.COUNTERHUB_METRICS_ALLOW
    if not token and not allowed:
        return False
    if token and not _token_given(request, token):
        return False
    return not allowed or _address_allowed(request, allowed)


# No state changes here, so no CSRF check: a POST is the 405 of any method the path
# does not take, as on the rest of the API, not a CSRF failure.
@csrf_exempt
@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: the text exposition, or the API's 404 when not allowed."""
    if not scrape_allowed(request):
        # Imported here: counterhub.errors reaches this module through the API's errors.
        from counterhub.errors import not_found

        return not_found(request)
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
