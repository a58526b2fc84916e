"""gunicorn settings shared by `make run`, the Procfile and the benchmark.

The bind address comes from the command line (`--bind`); the rest from the environment.
"""

import multiprocessing
import os

# Sync workers: each request is one short database call, so a worker per core and a
# little more keeps both the CPU and the database busy without a thread pool.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# The master imports the app once, so the embedded database is started before any
# worker forks; Django opens no connection at import, so none is shared across forks.
preload_app = True
# No gunicorn access log: counterhub.logs writes one JSON line per request instead.
accesslog = None
errorlog = "-"
