"""The benchmark's results, its checks, and the report `make bench` prints: one row per
scenario (bench/scenarios.py), then each figure that matters beside its target."""

import datetime
import os
import platform
import statistics
from dataclasses import dataclass
from typing import Literal

from bench.scenarios import (
    BADGE,
    CEILING_DATABASE,
    CEILING_SERVER,
    COMMIT_LIMIT,
    CONNECTIONS,
    FIXED_COUNT,
    GRANIAN_POST,
    GRANIAN_POST_CLOSE,
    GTHREAD_POST,
    GTHREAD_POST_CLOSE,
    PEER_POST,
    PEER_POST_CLOSE,
    POST_EMPTY,
    POST_HOT,
    POST_HOT_CLOSE,
    POST_HOT_NGINX,
    POST_SPREAD,
    SCENARIOS,
    SERIES,
    SUMMARY,
    SUMMARY_EMPTY,
    Scenario,
    report_order,
)
from bench.servers import OTHER_WORKERS, THREADS
from bench.tools import Run

# The targets, on a 2-core machine (docs/performance.md, The targets).
MIN_SHARE_OF_SERVER_CEILING = 0.75
MIN_SHARE_OF_PEER = 1.0
MIN_SERIES_SHARE_OF_SUMMARY = 0.5
MIN_BADGE_SHARE_OF_SUMMARY = 0.8
# gunicorn's sync workers stay the server unless another is this much faster on POST.
SERVER_SWITCH_FACTOR = 1.3
MAX_POST_P99_MS = 50
MIN_SHARE_WITH_HISTORY = 0.90
MAX_WORKER_PEAK_MB = 80


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str
    # A timed POST run's count against its window (bench/README.md, Exactness).
    window: bool = False


@dataclass(frozen=True)
class FixedCount:
    """The fixed-count run: POSTs answered 200, and what the database gained."""

    ok: int
    added: int


class Results:
    """Every run of every scenario, and every check with its outcome."""

    def __init__(self) -> None:
        self.runs: dict[str, list[Run]] = {}
        self.checks: list[Check] = []

    def add(self, scenario: Scenario, run: Run) -> None:
        self.runs.setdefault(scenario.key, []).append(run)

    def check(self, name: str, passed: bool, detail: str, window: bool = False) -> None:
        self.checks.append(Check(name, passed, detail, window))
        if not passed:
            print(f"  CHECK FAILED: {name}: {detail}", flush=True)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def rate(self, scenario: Scenario) -> float:
        return statistics.median(r.rate for r in self.runs[scenario.key])

    def latency(self, scenario: Scenario, which: Literal["p50_ms", "p99_ms"]) -> float | None:
        values = [v for r in self.runs[scenario.key] if (v := getattr(r, which)) is not None]
        return statistics.median(values) if values else None

    def errors(self, scenario: Scenario) -> int:
        return sum(r.errors for r in self.runs[scenario.key])


def verdict(passed: bool) -> str:
    return "met" if passed else "MISSED"


@dataclass(frozen=True)
class Ratio:
    """One scenario's rate over another's, measured in the same rounds."""

    label: str
    measured: Scenario
    reference: Scenario
    at_least: float | None = None

    def line(self, results: Results) -> str:
        value = results.rate(self.measured) / results.rate(self.reference)
        text = f"{self.label:<36}{value:6.2f}"
        if self.at_least is None:
            return text
        return f"{text}   target >= {self.at_least:.2f}  {verdict(value >= self.at_least)}"


@dataclass(frozen=True)
class WorstP99:
    """The highest p99 latency among some scenarios."""

    label: str
    scenarios: tuple[Scenario, ...]
    below_ms: int

    def line(self, results: Results) -> str:
        value = max(results.latency(s, "p99_ms") or 0.0 for s in self.scenarios)
        return (
            f"{self.label:<36}{value:6.1f} ms target < {self.below_ms} ms  "
            f"{verdict(value < self.below_ms)}"
        )


@dataclass(frozen=True)
class ServerDecision:
    """Whether another server is fast enough on POST to replace gunicorn's sync workers:
    the best of their keep-alive and Connection: close rates, each over sync's."""

    sync: tuple[Scenario, Scenario]
    others: dict[str, tuple[Scenario, Scenario]]

    def line(self, results: Results) -> str:
        best_name, best = "", 0.0
        for name, pair in self.others.items():
            ratio = min(
                results.rate(o) / results.rate(s) for o, s in zip(pair, self.sync, strict=True)
            )
            if ratio > best:
                best_name, best = name, ratio
        switch = best >= SERVER_SWITCH_FACTOR
        return (
            f"{'server: best other / gunicorn sync':<36}{best:6.2f}   ({best_name}; switch at "
            f">= {SERVER_SWITCH_FACTOR:.2f} on both clients): "
            + (
                f"{best_name} is faster: switch if it passes the whole suite"
                if switch
                else "gunicorn sync stays"
            )
        )


FIGURES: list[Ratio | WorstP99 | ServerDecision] = [
    Ratio("POST / server ceiling", POST_HOT, CEILING_SERVER, MIN_SHARE_OF_SERVER_CEILING),
    Ratio("POST / FastAPI peer", POST_HOT, PEER_POST, MIN_SHARE_OF_PEER),
    Ratio("POST / peer, Connection: close", POST_HOT_CLOSE, PEER_POST_CLOSE),
    Ratio("POST / database ceiling", POST_HOT, CEILING_DATABASE),
    Ratio("POST hot / single-row commit rate", POST_HOT, COMMIT_LIMIT),
    Ratio("POST spread / single-row commits", POST_SPREAD, COMMIT_LIMIT),
    Ratio("series 365 days / summary", SERIES, SUMMARY, MIN_SERIES_SHARE_OF_SUMMARY),
    Ratio("badge.svg / summary", BADGE, SUMMARY, MIN_BADGE_SHARE_OF_SUMMARY),
    Ratio("gthread / sync, keep-alive", GTHREAD_POST, POST_HOT),
    Ratio("gthread / sync, Connection: close", GTHREAD_POST_CLOSE, POST_HOT_CLOSE),
    Ratio("granian / sync, keep-alive", GRANIAN_POST, POST_HOT),
    Ratio("granian / sync, Connection: close", GRANIAN_POST_CLOSE, POST_HOT_CLOSE),
    ServerDecision(
        (POST_HOT, POST_HOT_CLOSE),
        {
            "gthread": (GTHREAD_POST, GTHREAD_POST_CLOSE),
            "granian": (GRANIAN_POST, GRANIAN_POST_CLOSE),
        },
    ),
    Ratio("POST through nginx / direct", POST_HOT_NGINX, POST_HOT),
    WorstP99("POST p99 (worst of hot, spread)", (POST_HOT, POST_SPREAD), MAX_POST_P99_MS),
    Ratio("POST, 3 years / empty table", POST_HOT, POST_EMPTY, MIN_SHARE_WITH_HISTORY),
    Ratio("summary, 3 years / empty table", SUMMARY, SUMMARY_EMPTY, MIN_SHARE_WITH_HISTORY),
]


@dataclass(frozen=True)
class Setting:
    """What the report's header says about the run."""

    started: datetime.datetime
    workers: int
    postgres_version: str
    database: str
    runs: int
    seconds: int


def build_report(
    setting: Setting, results: Results, fixed: FixedCount, worker_peak_mb: float
) -> str:
    lines = [
        "",
        f"CounterHub benchmark, {setting.started:%Y-%m-%d %H:%M} UTC",
        f"{os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, PostgreSQL {setting.postgres_version} "
        f"({setting.database})",
        f"gunicorn as in the Procfile: {setting.workers} workers; wrk {CONNECTIONS} "
        f"connections, 2 threads; {setting.runs} runs of {setting.seconds} s each, median shown",
        f"other servers: gunicorn gthread and granian WSGI, {OTHER_WORKERS} workers x "
        f"{THREADS} threads; the FastAPI peer: uvicorn, {OTHER_WORKERS} workers",
        "",
        f"{'scenario':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}",
    ]
    lines += [
        table_row(scenario, setting.workers, results)
        for scenario in report_order(SCENARIOS)
        if scenario.key in results.runs
    ]
    lines += ["", *(figure.line(results) for figure in FIGURES)]
    lines.append(
        f"{'peak memory per worker (VmHWM)':<36}{worker_peak_mb:6.1f} MB target < "
        f"{MAX_WORKER_PEAK_MB} MB  {verdict(worker_peak_mb < MAX_WORKER_PEAK_MB)}"
    )
    windows = [c for c in results.checks if c.window]
    lines += [
        "",
        f"exactness: {sum(c.passed for c in windows)} of {len(windows)} timed POST runs "
        f"counted within their window; fixed-count run: {FIXED_COUNT} POSTs, {fixed.ok} "
        f"answered 200, {fixed.added} counted",
    ]
    failed = results.failed()
    if failed:
        lines.append(f"FAILED: {len(failed)} checks")
        lines += [f"  {c.name}: {c.detail}" for c in failed]
    else:
        lines.append("all checks passed: no request failed, no increment lost or extra")
    return "\n".join(lines)


def table_row(scenario: Scenario, workers: int, results: Results) -> str:
    p50, p99 = results.latency(scenario, "p50_ms"), results.latency(scenario, "p99_ms")
    return (
        f"{scenario.label_for(workers):<44}{results.rate(scenario):>9.0f}"
        f"{(f'{p50:.1f}' if p50 is not None else '-'):>9}"
        f"{(f'{p99:.1f}' if p99 is not None else '-'):>9}{results.errors(scenario):>8}"
    )
