"""CPU per request, in one process: `python -m bench.cpu`.

The load benchmark (`make bench`) shares two cores between wrk, PostgreSQL and the
servers, so its rates move with whatever else the machine does. This measures what a
change to the service's Python costs: requests built as gunicorn builds them are passed
straight to a WSGI application (the service's, and the bare ceiling's) against the
benchmark's own database, and the process's CPU time per request is reported (the
lowest of several repeats; the database's work is in another process, not counted).
The access log is on and written to bench/out/cpu.log, as a deployment writes it.

docs/performance.md's tuning log quotes its figures.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bench.database import bench_database
from bench.run import DATA_DIR, OUT
from bench.scenarios import COUNTERS, HISTORY_DAYS, HOT, SERIES_DAYS
from bench.servers import server_env

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication as WSGIApp


def environ(method: str, path: str, query: str = "") -> dict[str, Any]:
    """A request as gunicorn's sync worker hands it to the application."""
    return {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "RAW_URI": path + ("?" + query if query else ""),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "wrk",
        "CONTENT_LENGTH": "0",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(app: WSGIApp, method: str, path: str, query: str = "") -> str:
    status: list[str] = []

    def start_response(
        s: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        status.append(s)
        return sys.stdout.buffer.write

    result = app(environ(method, path, query), start_response)
    b"".join(result)
    close = getattr(result, "close", None)
    if close is not None:
        close()
    return status[0]


def cpu_per_request(app: WSGIApp, method: str, path: str, query: str, count: int) -> float:
    """The process's CPU µs per request, over `count` requests."""
    started = time.process_time()
    for _ in range(count):
        call(app, method, path, query)
    return (time.process_time() - started) / count * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="requests per repeat")
    parser.add_argument("--repeats", type=int, default=5, help="repeats (lowest kept)")
    parser.add_argument("--only", help="measure only the cases whose label contains this")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with bench_database(DATA_DIR) as db:
        env = server_env(db.url, DATA_DIR, None)
        db.migrate_and_register(env, COUNTERS)
        db.seed_history(COUNTERS, HISTORY_DAYS)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counterhub.settings")
        # The access log goes where gunicorn sends it, a file, not this terminal.
        log = (OUT / "cpu.log").open("w")
        saved_stderr = os.dup(2)
        os.dup2(log.fileno(), 2)
        try:
            from bench.ceiling_app import application as ceiling
            from counterhub.wsgi import application as service
            from counterhub.wsgi import django_application

            today = datetime.datetime.now(datetime.UTC).date()
            start = today - datetime.timedelta(days=SERIES_DAYS - 1)
            cases: list[tuple[str, WSGIApp, str, str, str]] = [
                ("POST /count/{name}", service, "POST", f"/count/{HOT}", ""),
                ("ceiling: bare WSGI POST", ceiling, "POST", f"/count/{HOT}", ""),
                (
                    "POST, Django's handler, all middleware",
                    django_application,
                    "POST",
                    f"/count/{HOT}",
                    "",
                ),
                ("GET /count/{name}", service, "GET", f"/count/{HOT}", ""),
                (
                    f"GET /count/{{name}}/series, {SERIES_DAYS} days",
                    service,
                    "GET",
                    f"/count/{HOT}/series",
                    f"start={start}&end={today}",
                ),
                ("GET /count/{name}/badge.svg", service, "GET", f"/count/{HOT}/badge.svg", ""),
            ]
            cases = [c for c in cases if not args.only or args.only in c[0]]
            for label, app, method, path, query in cases:
                status = call(app, method, path, query)
                assert status.startswith("200"), f"{label}: {status}"
            # Repeats interleave the cases, so that each shares the machine's ups and
            # downs; the lowest of each is kept.
            best = dict.fromkeys((c[0] for c in cases), float("inf"))
            for _ in range(args.repeats):
                for label, app, method, path, query in cases:
                    count = args.count if "series" not in label else max(args.count // 5, 1)
                    micros = cpu_per_request(app, method, path, query, count)
                    best[label] = min(best[label], micros)
        finally:
            os.dup2(saved_stderr, 2)
            log.close()
    print(f"CPU per request, lowest of {args.repeats} repeats:")
    for label, micros in best.items():
        print(f"  {label:<40}{micros:8.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
