"""A database outage under load: 503s while it is down, recovery by the same workers,
and no acknowledged count lost (README: "When the database goes away").

The suite's own database is never stopped: this test starts a throwaway embedded
PostgreSQL, migrates it, serves it with gunicorn, stops and starts it under load.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest

from counterhub.database import database_url
from tests.support import BASE_DIR, gunicorn_server, subprocess_env

pgserver = pytest.importorskip("pgserver")
psutil = pytest.importorskip("psutil")  # pgserver's own dependency
from pgserver import _commands  # noqa: E402

LOAD_THREADS = 3
PAUSE_BETWEEN_POSTS = 0.005


@dataclass
class Answer:
    at: float
    status: int
    content_type: str
    retry_after: str | None
    body: bytes


@dataclass
class Load:
    """POSTs from a few threads until told to stop, every answer kept."""

    url: str
    answers: list[Answer] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self):
        while not self.stop.is_set():
            self.answers.append(request(self.url, method="POST"))
            time.sleep(PAUSE_BETWEEN_POSTS)


def request(url: str, method: str = "GET") -> Answer:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as r:
            return Answer(
                time.monotonic(),
                r.status,
                r.headers["Content-Type"],
                r.headers["Retry-After"],
                r.read(),
            )
    except urllib.error.HTTPError as e:
        return Answer(
            time.monotonic(), e.code, e.headers["Content-Type"], e.headers["Retry-After"], e.read()
        )


@pytest.fixture
def throwaway_postgres():
    """An embedded PostgreSQL of its own, deleted afterwards."""
    parent = BASE_DIR / ".data"
    parent.mkdir(exist_ok=True)
    pgdata = tempfile.mkdtemp(prefix="outage-", dir=parent)
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    try:
        yield server
    finally:
        # pg_ctl may have restarted it, which pgserver's own cleanup does not know.
        pg_ctl(server, "-w", "-m", "immediate", "stop", check=False)
        try:
            server.cleanup()
        except psutil.NoSuchProcess:
            # pgserver looks for the postmaster it started, which a restart replaced.
            shutil.rmtree(pgdata, ignore_errors=True)


def pg_ctl(server, *args: str, check: bool = True) -> None:
    try:
        _commands.pg_ctl(list(args), pgdata=server.pgdata, user=server.system_user, timeout=30)
    except subprocess.CalledProcessError:
        if check:
            raise


def start_again(server, socket_dir) -> None:
    # The same options pgserver starts it with: Unix socket only, in the same folder.
    pg_ctl(server, "-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(server.log), "start")


def migrated(server) -> str:
    """The URL of the throwaway server's database, migrated."""
    info = server.get_postmaster_info()
    db_url = database_url(
        {"HOST": str(info.socket_dir), "PORT": info.port, "USER": "postgres", "PASSWORD": ""}
        | {"NAME": "postgres"}
    )
    env = subprocess_env(DATABASE_URL=db_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    return db_url


def test_database_outage_is_503_then_recovers_and_loses_nothing(throwaway_postgres, tmp_path):
    server = throwaway_postgres
    info = server.get_postmaster_info()
    db_url = migrated(server)
    server.psql("insert into counters (id) values ('outage');")

    # The rate limit stays on (its table lives through the restart), high enough here.
    log_path = tmp_path / "gunicorn.log"
    env = {"COUNTERHUB_RATE_LIMIT": "1000000"}
    with gunicorn_server(db_url, workers=2, env=env, log_path=log_path) as gunicorn:
        base = gunicorn.url
        workers_before = set(gunicorn.worker_pids())
        load = Load(f"{base}/count/outage")
        threads = [threading.Thread(target=load.run) for _ in range(LOAD_THREADS)]
        for t in threads:
            t.start()
        try:
            time.sleep(1.5)
            pg_ctl(server, "-w", "stop")  # fast mode: open sessions are cut off
            stopped_at = time.monotonic()
            time.sleep(1.0)
            health_down = request(f"{base}/healthz")
            time.sleep(1.0)
            starting_at = time.monotonic()
            start_again(server, info.socket_dir)
            started_at = time.monotonic()
            time.sleep(2.5)
            health_up = request(f"{base}/healthz")
        finally:
            load.stop.set()
            for t in threads:
                t.join()
        workers_after = set(gunicorn.worker_pids())
        # Restarted once more with no request in between: every worker holds a connection
        # the restart broke, and /healthz still answers 200 at once.
        pg_ctl(server, "-w", "stop")
        start_again(server, info.socket_dir)
        health_after_idle_restart = [request(f"{base}/healthz").status for _ in range(4)]

    answers = load.answers
    sent = len(answers)
    acknowledged = sum(a.status == 200 for a in answers)
    found = int(server.psql("select coalesce(sum(count), 0) from counter_daily;").split()[2])
    print(f"\noutage: sent {sent}, acknowledged {acknowledged}, found in the database {found}")

    # Never a 500 or an HTML page: 200, or 503 JSON with Retry-After.
    assert {a.status for a in answers} <= {200, 503}
    refused = [a for a in answers if a.status == 503]
    assert refused, "no request was made while the database was down"
    for a in refused:
        assert a.content_type == "application/json"
        assert a.retry_after == "5"
        assert json.loads(a.body) == {"detail": "The database is unavailable. Try again shortly."}
    # While down: all refused and /healthz 503; once back: all counted, /healthz 200.
    assert all(a.status == 503 for a in answers if stopped_at + 0.5 < a.at < starting_at)
    assert health_down.status == 503
    assert json.loads(health_down.body) == {"status": "unavailable", "database": "unavailable"}
    recovered = [a for a in answers if a.at > started_at + 0.5]
    assert recovered and all(a.status == 200 for a in recovered)
    assert health_up.status == 200
    assert health_after_idle_restart == [200] * 4
    # The same workers recovered by themselves: none was restarted.
    assert workers_before and workers_after == workers_before
    # Every acknowledged POST is in the database (one cut off after its commit may be too).
    assert acknowledged <= found <= sent
    assert acknowledged > sum(a.status == 200 for a in answers if a.at < stopped_at) > 0
    # The log a collector reads: JSON lines, one per request, 503s logged with their
    # request id, and the secret key nowhere.
    log = log_path.read_text()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "counterhub.access"]
    assert len(access) >= sent
    assert {"method", "path", "status", "duration_ms", "request_id"} <= access[0].keys()
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert errors and all(line["request_id"] for line in errors)
    assert "test-secret-key" not in log


def test_first_requests_after_an_idle_restart_do_not_fail(throwaway_postgres):
    """A worker's idle connection broken by a database restart is replaced before the
    next request uses it: pages, reads and the counting POST all answer 200."""
    server = throwaway_postgres
    info = server.get_postmaster_info()
    db_url = migrated(server)
    server.psql("insert into counters (id) values ('idle');")
    paths = ["/", "/counters/idle/", "/admin/login/", "/count/idle", "/count/idle/series"]
    env = {"COUNTERHUB_PUBLIC_DASHBOARD": "true", "COUNTERHUB_RATE_LIMIT": "0"}
    # One worker: every request after the restart meets the connection it held before.
    with gunicorn_server(db_url, workers=1, env=env) as gunicorn:
        before = [request(gunicorn.url + path).status for path in paths]
        pg_ctl(server, "-w", "stop")
        start_again(server, info.socket_dir)
        after = [request(gunicorn.url + path).status for path in paths]
        pg_ctl(server, "-w", "stop")
        start_again(server, info.socket_dir)
        count_after = request(f"{gunicorn.url}/count/idle", method="POST").status

    assert before == [200] * len(paths)
    assert after == [200] * len(paths)
    assert count_after == 200
