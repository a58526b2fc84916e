"""gunicorn settings shared by `make run`, the Procfile and the benchmark.

The bind address comes from the command line (`--bind`); the rest from the environment.
"""

import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

from counterhub.database import data_dir


def _positive_int(name: str, default: int) -> int:
    """A whole number from the environment; anything else stops start-up with one line
    naming the variable, as the app's own settings do (README: "Settings")."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        sys.exit(f"{name} must be a whole number of at least 1, not {raw!r}.")
    return int(raw)


# Sync workers: each request is one short database call, so a worker per core and a
# little more keeps both the CPU and the database busy without a thread pool.
workers = _positive_int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2)
worker_class = "sync"
timeout = _positive_int("GUNICORN_TIMEOUT", 30)
# The master imports the app once, so the embedded database is started before any
# worker forks; Django opens no connection at import, so none is shared across forks.
preload_app = True
# No gunicorn access log: counterhub.logs writes one JSON line per request instead.
accesslog = None
errorlog = "-"
# Behind nginx (README, "Running in production"), whose header buffers hold at most 17 KB,
# a request's header lines are bounded by nginx; gunicorn's default of 100 would answer
# 101 short lines with its own HTML page instead of the app's JSON. 5000 is more short
# lines than 17 KB can hold.
limit_request_fields = 5000

# Prometheus metrics (counterhub/metrics.py): every worker keeps its figures in files of
# one directory, and a scrape adds them up. prometheus_client picks that storage when it
# is imported, so the variable is set here, before the app is loaded.
metrics_dir = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(data_dir() / "metrics")))
metrics_dir.mkdir(parents=True, exist_ok=True)


def on_starting(server: Any) -> None:
    # A new start begins from zero: files left by an earlier run would be added in.
    for stale in metrics_dir.glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    # A dead worker's counts stay in the sum; its live gauges (none yet) would go.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
