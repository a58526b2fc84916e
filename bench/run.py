"""`make bench`: load the service as deployed and print its figures beside its ceilings.

See bench/README.md for what is measured and how to read the table. In short: gunicorn
as the Procfile runs it, 10 counters with 3 years of daily history, wrk with 32
connections over loopback, 3 runs of 10 s per scenario, medians reported. In the same
run: the database ceiling (pgbench calling increment_counter) and the server ceiling (a
bare WSGI function making the service's one SQL call under the same gunicorn
configuration). Every POST run is checked against the database: nothing lost, nothing
extra. The benchmark fails (exit status 1) when a check fails or a request fails.

The scenarios are declared in bench/scenarios.py; the tools in bench/tools.py; the
database in bench/database.py; the servers in bench/servers.py; the rounds in
bench/rounds.py; the report in bench/report.py.
"""

import argparse
import datetime
import sys

from bench.database import BenchDatabase, bench_database
from bench.report import Setting, build_report
from bench.rounds import Rounds
from bench.scenarios import CONNECTIONS, COUNTERS
from bench.servers import all_serving, server_env, warm_up
from bench.tools import Pgbench, Wrk, find_pgbench, find_wrk
from counterhub.gunicorn_process import ROOT, GunicornFailed

OUT = ROOT / "bench" / "out"
DATA_DIR = ROOT / ".data" / "bench"


def benchmark(args: argparse.Namespace, db: BenchDatabase, wrk_path: str, pgbench_path: str) -> int:
    env = server_env(db.url, DATA_DIR, args.workers)
    db.migrate_and_register(env, COUNTERS)
    db.make_commit_limit_table()
    started = datetime.datetime.now(datetime.UTC)
    version = db.server_version()
    print(f"Database: {db.description}, PostgreSQL {version}", flush=True)
    wrk = Wrk(wrk_path, CONNECTIONS, COUNTERS, env)
    pgbench = Pgbench(pgbench_path, db.url, OUT)
    with all_serving(env, OUT, args.port) as servers:
        workers = len(servers.service.worker_pids())
        warm_up(servers, wrk)
        rounds = Rounds(db, servers, wrk, pgbench, args.seconds, workers)
        for number in range(1, args.runs + 1):
            rounds.round(number)
        fixed = rounds.fixed_count()
        worker_peak_mb = max(servers.service.peak_memory_mb().values())
    setting = Setting(started, workers, version, db.description, args.runs, args.seconds)
    report = build_report(setting, rounds.results, fixed, worker_peak_mb)
    print(report)
    (OUT / "report.txt").write_text(report + "\n")
    return 1 if rounds.results.failed() else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each run")
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument(
        "--port", type=int, help="service port (+1: ceiling); free ports when not given"
    )
    args = parser.parse_args()
    wrk_path, pgbench_path = find_wrk(), find_pgbench()
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with bench_database(DATA_DIR) as db:
            return benchmark(args, db, wrk_path, pgbench_path)
    except GunicornFailed as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
