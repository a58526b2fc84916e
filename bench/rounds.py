"""The measuring itself: rounds of every scenario, then the fixed-count run, each count
checked against the database (bench/README.md, Exactness)."""

import datetime
import time

from bench.database import BenchDatabase
from bench.report import FixedCount, Results
from bench.scenarios import (
    CONNECTIONS,
    COUNTERS,
    FIXED_COUNT,
    HISTORY_DAYS,
    HOT,
    SCENARIOS,
    HttpScenario,
    PgbenchScenario,
    Table,
)
from bench.servers import Servers
from bench.tools import Pgbench, Wrk, fixed_count


class Rounds:
    """Measures the scenarios a round at a time, into `results`."""

    def __init__(
        self,
        db: BenchDatabase,
        servers: Servers,
        wrk: Wrk,
        pgbench: Pgbench,
        seconds: int,
        workers: int,
    ) -> None:
        self.db = db
        self.servers = servers
        self.wrk = wrk
        self.pgbench = pgbench
        self.seconds = seconds
        self.workers = workers
        self.today = datetime.datetime.now(datetime.UTC).date()
        self.results = Results()

    def round(self, number: int) -> None:
        """Every scenario once, the empty table's first (filling the table takes a
        second), so that each ratio compares runs that shared the machine's ups and
        downs."""
        for table in Table:
            self.prepare(table, number)
            for scenario in SCENARIOS:
                if scenario.table is not table:
                    continue
                if isinstance(scenario, HttpScenario):
                    self.measure_http(scenario)
                else:
                    self.measure_database(scenario)

    def prepare(self, table: Table, number: int) -> None:
        if table is Table.EMPTY:
            self.db.empty_history()
            print(f"Round {number}, {table.value}:", flush=True)
        else:
            rows = self.db.seed_history(COUNTERS, HISTORY_DAYS)
            print(f"Round {number}, {table.value} ({rows} rows):", flush=True)

    def measure_http(self, scenario: HttpScenario) -> None:
        before = self.db.counted() if scenario.counts_checked else 0
        url = self.servers.url(scenario.server) + scenario.url_path(self.today)
        run = self.wrk.run(
            url, scenario.method, scenario.wrk_script, self.seconds, close=scenario.close
        )
        self.results.add(scenario, run)
        label = scenario.label
        print(
            f"  {label:<42} {run.rate:8.0f}/s  p50 {run.p50_ms:6.1f} ms  "
            f"p99 {run.p99_ms:6.1f} ms  errors {run.errors}",
            flush=True,
        )
        self.results.check(f"{label}: no errors", run.errors == 0, f"{run.errors} failed requests")
        if scenario.counts_checked:
            # wrk stops with up to one request per connection in flight: the server may
            # still count those. Give it a moment to finish them, then count.
            time.sleep(1)
            added = self.db.counted() - before
            self.results.check(
                f"{label}: counted within [200s, 200s + {CONNECTIONS}]",
                run.ok <= added <= run.ok + CONNECTIONS,
                f"{run.ok} answered 200, {added} counted",
                window=True,
            )

    def measure_database(self, scenario: PgbenchScenario) -> None:
        label = scenario.label_for(self.workers)
        before = self.db.counted()
        run = self.pgbench.run(
            HOT, scenario.clients_for(self.workers), self.seconds, scenario.script
        )
        self.results.add(scenario, run)
        print(f"  {label:<42} {run.rate:8.0f}/s", flush=True)
        if scenario.counts_checked:
            added = self.db.counted() - before
            self.results.check(
                f"{label}: counted exactly",
                added == run.ok,
                f"{run.ok} transactions, {added} counted",
            )

    def fixed_count(self) -> FixedCount:
        """FIXED_COUNT POSTs, every answer awaited: the database gains exactly the 200s."""
        before = self.db.counted()
        statuses = fixed_count(f"{self.servers.service.url}/count/{HOT}", FIXED_COUNT, CONNECTIONS)
        added = self.db.counted() - before
        ok = statuses.get("200", 0)
        print(
            f"  fixed-count run: {FIXED_COUNT} POSTs, answers {statuses}, {added} counted",
            flush=True,
        )
        self.results.check(
            "fixed-count run: every POST answered 200", ok == FIXED_COUNT, f"answers {statuses}"
        )
        self.results.check(
            "fixed-count run: counted exactly the 200s",
            added == ok,
            f"{ok} answered 200, {added} counted",
        )
        return FixedCount(ok, added)
