"""What `make bench` measures, declared once: each scenario is one record, in the order
a round measures it. The run loop and the report both read this list.

A round measures the empty-table scenarios, fills the table with 3 years of history, then
measures the history scenarios: the hot POST right before the two ceilings, so that all
three share the machine's ups and downs (bench/README.md, What it does).
"""

import datetime
import enum
from dataclasses import dataclass
from typing import Literal

CONNECTIONS = 32
COUNTERS = [f"bench-{i:02d}" for i in range(10)]
HOT = COUNTERS[0]
HISTORY_DAYS = 3 * 365 + 1
SERIES_DAYS = 365
FIXED_COUNT = 20_000


class Table(enum.Enum):
    """What counter_daily holds while a scenario runs."""

    EMPTY = "empty table"
    HISTORY = "3 years of history"


@dataclass(frozen=True, kw_only=True)
class HttpScenario:
    """wrk against one of the servers (bench/servers.py): the service as deployed, the
    service through nginx (the edge deploy/nginx/counterhub.conf ships), the service under
    another server, the FastAPI peer, or the bare WSGI ceiling."""

    key: str
    label: str
    server: Literal["service", "edge", "gthread", "granian", "peer", "ceiling"]
    method: Literal["GET", "POST"]
    # Formatted with hot (the hot counter's name), start and end (the series' range).
    path: str
    wrk_script: str
    table: Table
    # POSTs whose counts the database must hold: between wrk's 200s and 32 more.
    counts_checked: bool = False
    # A new connection per request (wrk sends Connection: close), rather than keep-alive.
    close: bool = False

    def label_for(self, workers: int) -> str:
        return self.label

    def url_path(self, today: datetime.date) -> str:
        start = today - datetime.timedelta(days=SERIES_DAYS - 1)
        return self.path.format(hot=HOT, start=start, end=today)


@dataclass(frozen=True, kw_only=True)
class PgbenchScenario:
    """pgbench on the hot counter: increment_counter, every transaction counted; or, for the
    physical limit, a one-row update (bench/tools.py, Pgbench)."""

    key: str
    title: str
    script: Literal["increment_counter", "row_update"] = "increment_counter"
    # None: as many clients as gunicorn has workers, the concurrency the database sees.
    clients: int | None
    table: Table
    server: Literal["database"] = "database"
    counts_checked: bool = True

    def clients_for(self, workers: int) -> int:
        return self.clients if self.clients is not None else workers

    def label_for(self, workers: int) -> str:
        return f"{self.title}, {self.clients_for(workers)} clients"


Scenario = HttpScenario | PgbenchScenario

COUNTER = "/count/{hot}"

POST_EMPTY = HttpScenario(
    key="post_empty",
    label="POST /count/{name}, empty table",
    server="service",
    method="POST",
    path=COUNTER,
    wrk_script="one_url.lua",
    table=Table.EMPTY,
    counts_checked=True,
)
SUMMARY_EMPTY = HttpScenario(
    key="summary_empty",
    label="GET /count/{name}, empty table",
    server="service",
    method="GET",
    path=COUNTER,
    wrk_script="one_url.lua",
    table=Table.EMPTY,
)
POST_HOT = HttpScenario(
    key="post_hot",
    label="POST /count/{name}, one hot counter",
    server="service",
    method="POST",
    path=COUNTER,
    wrk_script="one_url.lua",
    table=Table.HISTORY,
    counts_checked=True,
)
CEILING_SERVER = HttpScenario(
    key="ceiling_server",
    label="ceiling: bare WSGI + same SQL call",
    server="ceiling",
    method="POST",
    path=COUNTER,
    wrk_script="one_url.lua",
    table=Table.HISTORY,
    counts_checked=True,
)
CEILING_DATABASE = PgbenchScenario(
    key="ceiling_db",
    title="ceiling: pgbench increment_counter",
    clients=CONNECTIONS,
    table=Table.HISTORY,
)
# The database sees one connection per worker, not wrk's 32: the rate on one hot row at
# that concurrency, for comparison.
DATABASE_AT_WORKERS = PgbenchScenario(
    key="db_workers",
    title="pgbench increment_counter",
    clients=None,
    table=Table.HISTORY,
)
# The disk's limit for one hot counter: a day's row is locked from its update until its
# commit's WAL flush, so one counter counts one commit at a time. pgbench updating one
# row of a table of its own, one client, measures that rate.
COMMIT_LIMIT = PgbenchScenario(
    key="commit_limit",
    title="physical limit: one-row update",
    clients=1,
    table=Table.HISTORY,
    script="row_update",
    counts_checked=False,
)


def post_on(server: Literal["gthread", "granian", "peer"], label: str, close: bool) -> HttpScenario:
    return HttpScenario(
        key=f"post_{server}" + ("_close" if close else ""),
        label=label + (", Connection: close" if close else ""),
        server=server,
        method="POST",
        path=COUNTER,
        wrk_script="one_url.lua",
        table=Table.HISTORY,
        counts_checked=True,
        close=close,
    )


# What the edge costs: the same POST, through nginx as deployed, beside POST_HOT.
POST_HOT_NGINX = HttpScenario(
    key="post_hot_nginx",
    label="POST /count/{name}, one hot counter, nginx",
    server="edge",
    method="POST",
    path=COUNTER,
    wrk_script="one_url.lua",
    table=Table.HISTORY,
    counts_checked=True,
)
POST_HOT_CLOSE = HttpScenario(
    key="post_hot_close",
    label="POST hot, Connection: close",
    server="service",
    method="POST",
    path=COUNTER,
    wrk_script="one_url.lua",
    table=Table.HISTORY,
    counts_checked=True,
    close=True,
)
GTHREAD_POST = post_on("gthread", "POST hot, gthread", close=False)
GTHREAD_POST_CLOSE = post_on("gthread", "POST hot, gthread", close=True)
GRANIAN_POST = post_on("granian", "POST hot, granian WSGI", close=False)
GRANIAN_POST_CLOSE = post_on("granian", "POST hot, granian WSGI", close=True)
PEER_POST = post_on("peer", "peer FastAPI: POST hot", close=False)
PEER_POST_CLOSE = post_on("peer", "peer FastAPI: POST hot", close=True)

POST_SPREAD = HttpScenario(
    key="post_spread",
    label=f"POST /count/{{name}}, {len(COUNTERS)} counters",
    server="service",
    method="POST",
    path=COUNTER,
    wrk_script="spread.lua",
    table=Table.HISTORY,
    counts_checked=True,
)
SUMMARY = HttpScenario(
    key="summary",
    label="GET /count/{name}",
    server="service",
    method="GET",
    path=COUNTER,
    wrk_script="one_url.lua",
    table=Table.HISTORY,
)
SERIES = HttpScenario(
    key="series",
    label=f"GET /count/{{name}}/series, {SERIES_DAYS} days",
    server="service",
    method="GET",
    path="/count/{hot}/series?start={start}&end={end}",
    wrk_script="one_url.lua",
    table=Table.HISTORY,
)
BADGE = HttpScenario(
    key="badge",
    label="GET /count/{name}/badge.svg",
    server="service",
    method="GET",
    path="/count/{hot}/badge.svg",
    wrk_script="one_url.lua",
    table=Table.HISTORY,
)

# In the order a round measures them.
SCENARIOS: list[Scenario] = [
    POST_EMPTY,
    SUMMARY_EMPTY,
    POST_HOT,
    POST_HOT_NGINX,
    PEER_POST,
    CEILING_SERVER,
    POST_HOT_CLOSE,
    PEER_POST_CLOSE,
    GTHREAD_POST,
    GTHREAD_POST_CLOSE,
    GRANIAN_POST,
    GRANIAN_POST_CLOSE,
    CEILING_DATABASE,
    DATABASE_AT_WORKERS,
    COMMIT_LIMIT,
    POST_SPREAD,
    SUMMARY,
    SERIES,
    BADGE,
]


def report_order(scenarios: list[Scenario]) -> list[Scenario]:
    """The table's rows: the service with history, the service on an empty table, the
    other servers and the peer, then the ceilings and pgbench; each group in the order
    measured."""

    def group(scenario: Scenario) -> int:
        if scenario.server in ("service", "edge"):
            return 0 if scenario.table is Table.HISTORY else 1
        return 2 if scenario.server in ("gthread", "granian", "peer") else 3

    return sorted(scenarios, key=group)
