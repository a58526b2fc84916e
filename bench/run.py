"""`make bench`: load the service as deployed and print its figures beside its ceilings.

See bench/README.md for what is measured and how to read the table. In short: gunicorn
as the Procfile runs it, 10 counters with 3 years of daily history, wrk with 32
connections over loopback, 3 runs of 10 s per scenario, medians reported. In the same
run: the database ceiling (pgbench calling increment_counter) and the server ceiling (a
bare WSGI function making the service's one SQL call under the same gunicorn
configuration). Every POST run is checked against the database: nothing lost, nothing
extra. The benchmark fails (exit status 1) when a check fails or a request fails.
"""

import argparse
import asyncio
import datetime
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
DATA_DIR = ROOT / ".data" / "bench"
SCRATCH_DATABASE = "counterhub_bench"

CONNECTIONS = 32
COUNTERS = [f"bench-{i:02d}" for i in range(10)]
HOT = COUNTERS[0]
HISTORY_DAYS = 3 * 365 + 1
SERIES_DAYS = 365
FIXED_COUNT = 20_000

# Targets of issue 6, on a 2-core machine.
TARGET_SERVER_SHARE = 0.70
TARGET_P99_MS = 50
TARGET_HISTORY_SHARE = 0.90
TARGET_WORKER_MB = 80


@dataclass
class Run:
    """One timed load run: wrk's figures, or pgbench's."""

    rate: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int
    ok: int


@dataclass
class Scenario:
    label: str
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float | None:
        values = [getattr(r, attr) for r in self.runs if getattr(r, attr) is not None]
        return statistics.median(values) if values else None

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.runs)


class BenchFailed(Exception):
    """A check failed: the figures cannot be trusted, or an increment went missing."""


# --- tools ----------------------------------------------------------------------------


def find_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk (Debian package) ...", flush=True)
        subprocess.run(
            ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "wrk"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit(
        "make bench needs wrk, the HTTP load generator. Install it "
        "(Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk) and run again."
    )


def find_pgbench() -> str:
    # pgserver's wheel ships pgbench beside its server; prefer it, as it matches.
    try:
        with warnings.catch_warnings():
            # As in counterhub/database.py: platformdirs warns without XDG_RUNTIME_DIR.
            warnings.simplefilter("ignore")
            import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pgbench"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("pgbench")
    if found:
        return found
    sys.exit(
        "make bench needs pgbench for the database ceiling. It comes with the pgserver "
        "package (Python 3.12) or with PostgreSQL's client programs "
        "(Debian/Ubuntu: sudo apt-get install postgresql-client)."
    )


# --- the database ----------------------------------------------------------------------


@dataclass
class Database:
    url: str
    description: str
    cleanup: object


def prepare_database() -> Database:
    """A database of the benchmark's own: never the one the service keeps its data in."""
    given = os.environ.get("DATABASE_URL")
    if given:
        # A scratch database beside the one given, as pytest-django makes test_<name>.
        parts = urllib.parse.urlsplit(given)
        url = urllib.parse.urlunsplit(parts._replace(path=f"/{SCRATCH_DATABASE}"))
        with psycopg.connect(given, autocommit=True) as conn:
            conn.execute(f"drop database if exists {SCRATCH_DATABASE} with (force)")
            conn.execute(f"create database {SCRATCH_DATABASE}")

        def drop():
            with psycopg.connect(given, autocommit=True) as conn:
                conn.execute(f"drop database if exists {SCRATCH_DATABASE} with (force)")

        return Database(url, f"the server of DATABASE_URL, database {SCRATCH_DATABASE}", drop)

    # The embedded PostgreSQL, in a cluster of its own under .data/bench.
    sys.path.insert(0, str(ROOT))
    from counterhub import database

    pgdata = DATA_DIR / "postgres"
    url = database.database_url(database.embedded_settings(pgdata))

    def stop():
        subprocess.run(
            [sys.executable, "-m", "counterhub.database", "stop"],
            cwd=ROOT,
            env={**os.environ, "COUNTERHUB_DATA_DIR": str(DATA_DIR)},
            stdout=subprocess.DEVNULL,
        )

    return Database(url, "embedded (pgserver), cluster in .data/bench", stop)


def migrate_and_register(db: Database, env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with psycopg.connect(db.url, autocommit=True) as conn:
        for name in COUNTERS:
            conn.execute(
                "insert into counters (id, description) values (%s, %s) "
                "on conflict (id) do nothing",
                [name, "benchmark counter"],
            )


def empty_history(db: Database) -> None:
    with psycopg.connect(db.url, autocommit=True) as conn:
        conn.execute("truncate counter_daily")
        conn.execute("vacuum analyze counter_daily")


def seed_history(db: Database) -> int:
    """3 years of daily history for every benchmark counter, up to yesterday."""
    with psycopg.connect(db.url, autocommit=True) as conn:
        conn.execute("truncate counter_daily")
        # Counts from a hash: the same history on every run, no two days alike.
        conn.execute(
            """
            insert into counter_daily (counter_id, bucket_date, count, updated_at)
            select c.id, d::date, 1 + abs(hashtext(c.id || d::text)) %% 500, d
            from counters c
            cross join generate_series(
                (now() at time zone 'UTC')::date - %s,
                (now() at time zone 'UTC')::date - 1,
                interval '1 day') d
            where c.id = any(%s)
            """,
            [HISTORY_DAYS, COUNTERS],
        )
        conn.execute("vacuum analyze counter_daily")
        return conn.execute("select count(*) from counter_daily").fetchone()[0]


def counted(db: Database) -> int:
    """Every use counted so far, over all counters and days."""
    with psycopg.connect(db.url, autocommit=True) as conn:
        return conn.execute("select coalesce(sum(count), 0) from counter_daily").fetchone()[0]


def server_version(db: Database) -> str:
    with psycopg.connect(db.url, autocommit=True) as conn:
        return conn.execute("show server_version").fetchone()[0].split()[0]


# --- servers ---------------------------------------------------------------------------


class Server:
    """gunicorn started with the Procfile's web command, for an app module."""

    def __init__(self, app: str, port: int, env: dict, log: Path):
        procfile = (ROOT / "Procfile").read_text()
        web = next(line for line in procfile.splitlines() if line.startswith("web:"))
        command = shlex.split(web.removeprefix("web:").replace("$PORT", str(port)))
        # Same command, but on loopback only, and with the virtualenv's gunicorn.
        command = [a.replace("0.0.0.0:", "127.0.0.1:") for a in command]
        command[0] = str(Path(sys.executable).parent / command[0])
        command[command.index("counterhub.wsgi")] = app
        self.command = command
        self.url = f"http://127.0.0.1:{port}"
        self.env = env
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_until_serving(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchFailed(f"{self.command} exited; see {self.log.name}")
            try:
                urllib.request.urlopen(self.url + path, timeout=2).read()
            except urllib.error.HTTPError:
                pass
            except OSError:
                time.sleep(0.2)
                continue
            # Every worker must be up before a run starts, or the first run pays for
            # their imports: gunicorn starts them in turn.
            if len(self.workers()) >= self.expected_workers():
                return
            time.sleep(0.2)
        raise BenchFailed(f"{self.url} did not answer within {timeout} s")

    def expected_workers(self) -> int:
        for i, arg in enumerate(self.command):
            if arg in ("-w", "--workers"):
                return int(self.command[i + 1])
        # gunicorn.conf.py's rule.
        return int(self.env.get("WEB_CONCURRENCY", os.cpu_count() * 2))

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_worker_mb(self) -> float:
        """The largest peak resident set (VmHWM) among the workers, in MB."""
        peaks = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# --- load ------------------------------------------------------------------------------


def wrk(tool: str, url: str, script: str, seconds: int, env: dict) -> Run:
    result = subprocess.run(
        [
            tool,
            "--threads",
            "2",
            "--connections",
            str(CONNECTIONS),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--script",
            str(BENCH / "wrk" / script),
            url,
        ],
        env={**env, "BENCH_WRK_DIR": str(BENCH / "wrk"), "BENCH_COUNTERS": ",".join(COUNTERS)},
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON "))
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(figures["errors"].values())
    return Run(
        rate=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=errors,
        ok=figures["requests"] - figures["errors"]["status"],
    )


def pgbench(tool: str, db: Database, seconds: int, workdir: Path, clients: int) -> Run:
    script = workdir / "increment_counter.sql"
    # :counter is sent as a parameter of the prepared statement, as psycopg would.
    script.write_text("select * from increment_counter(:counter, 'UTC');\n")
    result = subprocess.run(
        [
            tool,
            "--no-vacuum",
            "--protocol=prepared",
            f"--client={clients}",
            f"--jobs={min(2, clients)}",
            f"--time={seconds}",
            f"--file={script}",
            f"--define=counter={HOT}",
            db.url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(" = ")
        if value:
            figures[key.strip()] = value.split()[0]
        elif line.startswith("number of transactions actually processed:"):
            figures["processed"] = line.split(":")[1].split("/")[0].strip()
        elif line.startswith("number of failed transactions:"):
            figures["failed"] = line.split(":")[1].split()[0].strip()
    return Run(
        rate=float(figures["tps"]),
        p50_ms=None,
        p99_ms=None,
        errors=int(figures.get("failed", 0)),
        ok=int(figures["processed"]),
    )


async def fixed_count_client(url: str, path: str, total: int, connections: int) -> dict:
    """POST `total` times over `connections` connections, waiting for every answer."""
    parts = urllib.parse.urlsplit(url)
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    statuses: dict[str, int] = {}
    remaining = total

    async def client():
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            try:
                reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                writer.write(request)
                await writer.drain()
                answer = await asyncio.wait_for(reader.read(), timeout=30)
                writer.close()
                status = answer.split(b" ", 2)[1].decode() if answer else "no answer"
            except (OSError, TimeoutError) as exc:
                status = type(exc).__name__
            statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(client() for _ in range(connections)))
    return statuses


# --- the benchmark ---------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.wrk_tool = find_wrk()
        self.pgbench_tool = find_pgbench()
        self.checks: list[tuple[str, bool, str]] = []
        self.scenarios: dict[str, Scenario] = {}

    def scenario(self, key: str, label: str) -> Scenario:
        return self.scenarios.setdefault(key, Scenario(label))

    def check(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append((name, passed, detail))
        if not passed:
            print(f"  CHECK FAILED: {name}: {detail}", flush=True)

    def load(self, key: str, label: str, server: Server, path: str, script: str) -> Run:
        before = counted(self.db) if script.startswith("post") else None
        run = wrk(self.wrk_tool, server.url + path, script, self.args.seconds, self.env)
        self.scenario(key, label).runs.append(run)
        print(
            f"  {label:<42} {run.rate:8.0f}/s  p50 {run.p50_ms:6.1f} ms  "
            f"p99 {run.p99_ms:6.1f} ms  errors {run.errors}",
            flush=True,
        )
        self.check(f"{label}: no errors", run.errors == 0, f"{run.errors} failed requests")
        if before is not None:
            self.check_window(label, before, run.ok)
        return run

    def check_window(self, label: str, before: int, ok: int) -> None:
        # wrk stops with up to one request per connection in flight: the server may
        # still count those. Give it a moment to finish them, then count.
        time.sleep(1)
        added = counted(self.db) - before
        self.check(
            f"{label}: counted within [200s, 200s + {CONNECTIONS}]",
            ok <= added <= ok + CONNECTIONS,
            f"{ok} answered 200, {added} counted",
        )

    def run(self) -> int:
        OUT.mkdir(parents=True, exist_ok=True)
        self.db = prepare_database()
        try:
            return self._run()
        finally:
            self.db.cleanup()

    def _run(self) -> int:
        args = self.args
        db = self.db
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
        } | {
            "DATABASE_URL": db.url,
            "COUNTERHUB_DATA_DIR": str(DATA_DIR),
            "COUNTERHUB_TIME_ZONE": "UTC",
            # All the load comes from one address: the per-client limit would answer
            # 429 to nearly all of it.
            "COUNTERHUB_RATE_LIMIT": "0",
        }
        if args.workers:
            self.env["WEB_CONCURRENCY"] = str(args.workers)
        migrate_and_register(db, self.env)
        started = datetime.datetime.now(datetime.UTC)
        version = server_version(db)
        print(f"Database: {db.description}, PostgreSQL {version}", flush=True)

        service = Server("counterhub.wsgi", args.port, self.env, OUT / "service.log")
        ceiling = Server("bench.ceiling_app", args.port + 1, self.env, OUT / "ceiling.log")
        try:
            service.wait_until_serving("/healthz")
            ceiling.wait_until_serving(f"/count/{HOT}")
            workers = len(service.workers())
            # Not measured: every worker opens its connection and caches its plans.
            for server in (service, ceiling):
                wrk(self.wrk_tool, server.url + f"/count/{HOT}", "post.lua", 2, self.env)
            wrk(self.wrk_tool, service.url + f"/count/{HOT}", "get.lua", 2, self.env)

            today = datetime.datetime.now(datetime.UTC).date()
            start = today - datetime.timedelta(days=SERIES_DAYS - 1)
            series = f"/count/{HOT}/series?start={start}&end={today}"
            counter, get = f"/count/{HOT}", "get.lua"
            # Every round measures everything, the empty table included (seeding takes
            # a second), so that each ratio compares runs that shared the machine's ups
            # and downs.
            for round_number in range(1, args.runs + 1):
                empty_history(db)
                print(f"Round {round_number}, empty table:", flush=True)
                self.load(
                    "post_empty", "POST /count/{name}, empty table", service, counter, "post.lua"
                )
                self.load("summary_empty", "GET /count/{name}, empty table", service, counter, get)
                rows = seed_history(db)
                print(f"Round {round_number}, 3 years of history ({rows} rows):", flush=True)
                self.load(
                    "post_hot", "POST /count/{name}, one hot counter", service, counter, "post.lua"
                )
                self.load(
                    "ceiling_server",
                    "ceiling: bare WSGI + same SQL call",
                    ceiling,
                    counter,
                    "post.lua",
                )
                self.database_ceiling(
                    "ceiling_db",
                    f"ceiling: pgbench increment_counter, {CONNECTIONS} clients",
                    CONNECTIONS,
                )
                # The database sees one connection per worker, not wrk's 32: the rate
                # on one hot row at that concurrency, for comparison.
                self.database_ceiling(
                    "db_workers", f"pgbench increment_counter, {workers} clients", workers
                )
                self.load("summary", "GET /count/{name}", service, counter, get)
                self.load(
                    "post_spread",
                    "POST /count/{name}, 10 counters",
                    service,
                    counter,
                    "post_spread.lua",
                )
                self.load(
                    "series",
                    f"GET /count/{{name}}/series, {SERIES_DAYS} days",
                    service,
                    series,
                    get,
                )
                self.load(
                    "badge", "GET /count/{name}/badge.svg", service, f"{counter}/badge.svg", get
                )
            self.fixed_count(service)
            memory = service.peak_worker_mb()
        finally:
            service.stop()
            ceiling.stop()

        report = self.report(started, workers, memory, version)
        print(report)
        (OUT / "report.txt").write_text(report + "\n")
        failed = [c for c in self.checks if not c[1]]
        return 1 if failed else 0

    def database_ceiling(self, key: str, label: str, clients: int) -> None:
        before = counted(self.db)
        run = pgbench(self.pgbench_tool, self.db, self.args.seconds, OUT, clients)
        self.scenario(key, label).runs.append(run)
        print(f"  {label:<42} {run.rate:8.0f}/s", flush=True)
        added = counted(self.db) - before
        self.check(
            f"{label}: counted exactly", added == run.ok, f"{run.ok} transactions, {added} counted"
        )

    def fixed_count(self, service: Server) -> None:
        before = counted(self.db)
        statuses = asyncio.run(
            fixed_count_client(service.url, f"/count/{HOT}", FIXED_COUNT, CONNECTIONS)
        )
        added = counted(self.db) - before
        ok = statuses.get("200", 0)
        self.fixed = (ok, added, statuses)
        print(
            f"  fixed-count run: {FIXED_COUNT} POSTs, answers {statuses}, {added} counted",
            flush=True,
        )
        self.check(
            "fixed-count run: every POST answered 200", ok == FIXED_COUNT, f"answers {statuses}"
        )
        self.check(
            "fixed-count run: counted exactly the 200s",
            added == ok,
            f"{ok} answered 200, {added} counted",
        )

    def report(self, started, workers: int, memory: float, version: str) -> str:
        s = self.scenarios
        args = self.args
        lines = [
            "",
            f"CounterHub benchmark, {started:%Y-%m-%d %H:%M} UTC",
            f"{os.cpu_count()} CPUs, {platform.python_implementation()} "
            f"{platform.python_version()}, PostgreSQL {version} ({self.db.description})",
            f"gunicorn as in the Procfile: {workers} workers; wrk {CONNECTIONS} connections, "
            f"2 threads; {args.runs} runs of {args.seconds} s each, median shown",
            "",
            f"{'scenario':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}",
        ]
        order = [
            "post_hot",
            "post_spread",
            "summary",
            "series",
            "badge",
            "post_empty",
            "summary_empty",
            "ceiling_server",
            "ceiling_db",
            "db_workers",
        ]
        for key in order:
            if key not in s:
                continue
            sc = s[key]
            p50, p99 = sc.median("p50_ms"), sc.median("p99_ms")
            lines.append(
                f"{sc.label:<44}{sc.median('rate'):>9.0f}"
                f"{(f'{p50:.1f}' if p50 is not None else '-'):>9}"
                f"{(f'{p99:.1f}' if p99 is not None else '-'):>9}{sc.errors:>8}"
            )
        post = s["post_hot"].median("rate")
        server_share = post / s["ceiling_server"].median("rate")
        db_share = post / s["ceiling_db"].median("rate")
        p99 = max(s["post_hot"].median("p99_ms"), s["post_spread"].median("p99_ms"))
        post_history = post / s["post_empty"].median("rate")
        summary_history = s["summary"].median("rate") / s["summary_empty"].median("rate")
        ok, added, _ = self.fixed

        def verdict(passed: bool) -> str:
            return "met" if passed else "MISSED"

        window_checks = [c for c in self.checks if "within" in c[0]]
        lines += [
            "",
            f"POST / server ceiling          {server_share:6.2f}   target >= "
            f"{TARGET_SERVER_SHARE:.2f}  {verdict(server_share >= TARGET_SERVER_SHARE)}",
            f"POST / database ceiling        {db_share:6.2f}",
            f"POST p99 (worst of hot, spread){p99:6.1f} ms target < {TARGET_P99_MS} ms  "
            f"{verdict(p99 < TARGET_P99_MS)}",
            f"POST, 3 years / empty table    {post_history:6.2f}   target >= "
            f"{TARGET_HISTORY_SHARE:.2f}  {verdict(post_history >= TARGET_HISTORY_SHARE)}",
            f"summary, 3 years / empty table {summary_history:6.2f}   target >= "
            f"{TARGET_HISTORY_SHARE:.2f}  {verdict(summary_history >= TARGET_HISTORY_SHARE)}",
            f"peak memory per worker (VmHWM) {memory:6.1f} MB target < {TARGET_WORKER_MB} MB  "
            f"{verdict(memory < TARGET_WORKER_MB)}",
            "",
            f"exactness: {sum(c[1] for c in window_checks)} of {len(window_checks)} timed POST "
            "runs counted within their window; fixed-count run: "
            f"{FIXED_COUNT} POSTs, {ok} answered 200, {added} counted",
        ]
        failed = [c for c in self.checks if not c[1]]
        if failed:
            lines.append(f"FAILED: {len(failed)} checks")
            lines += [f"  {name}: {detail}" for name, _, detail in failed]
        else:
            lines.append("all checks passed: no request failed, no increment lost or extra")
        return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each run")
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--port", type=int, default=8071, help="service port (+1: ceiling)")
    try:
        return Bench(parser.parse_args()).run()
    except BenchFailed as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
