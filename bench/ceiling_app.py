"""The server ceiling: a bare WSGI function making the service's one SQL call.

Served by the same gunicorn configuration as the service, it does what POST
/count/{name} cannot avoid (parse the request, one call of count_use on a persistent
connection, the same JSON back) and nothing else: no Django, no DRF, no middleware. The
service's POST rate divided by this one is the share the framework leaves.
"""

import json
import os
import threading
from collections.abc import Callable
from typing import Any

import psycopg

SQL = "select * from count_use(%s, %s, %s, %s, %s)"
# One connection per worker thread, opened after gunicorn forks, as Django does.
_local = threading.local()


def application(environ: dict[str, Any], start_response: Callable[..., object]) -> list[bytes]:
    connection = getattr(_local, "connection", None)
    if connection is None or connection.closed:
        connection = _local.connection = psycopg.connect(
            os.environ["DATABASE_URL"], autocommit=True
        )
    name = environ["PATH_INFO"].rsplit("/", 1)[-1]
    # The service's call with its rate limit off (max_hits 0), as the benchmark runs it.
    row = connection.execute(SQL, [name, "UTC", environ.get("REMOTE_ADDR", ""), 0, 60]).fetchone()
    assert row is not None, "count_use returns one row"
    _, _, counter, _, date, count, total = row
    body = json.dumps(
        {"counter": counter, "date": date.isoformat(), "count": count, "total": total}
    ).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
