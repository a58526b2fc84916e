"""Fixtures every test file needs: counters, an HTTP client and a real gunicorn server.

Tests run on the real PostgreSQL: the embedded one, or the server DATABASE_URL names.
"""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from counterhub.database import database_url
from counters.models import Counter

BASE_DIR = Path(__file__).resolve().parent.parent

# Browser fixtures (chromium through Playwright) for every test file: tests/browser.py.
pytest_plugins = ["tests.browser"]


@pytest.fixture
def make_counter(db):
    """Register a counter: make_counter("portfolio", enabled=False, description=...)."""

    def make(name="portfolio", **fields):
        return Counter.objects.create(id=name, **fields)

    return make


@pytest.fixture
def client():
    """A plain Django test client: requests go through every middleware, as in production."""
    return Client()


def subprocess_env(**overrides: str) -> dict:
    """This process's environment for a child process, less what only the tests need."""
    # The browser fixtures set DJANGO_ALLOW_ASYNC_UNSAFE for this process (Playwright keeps
    # an event loop in the main thread); a server or command must not inherit it.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **overrides}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer at {url} within {timeout} s")


@contextlib.contextmanager
def gunicorn_server(
    db_url: str, workers: int = 4, env: dict | None = None, log_path: Path | None = None
):
    """Serve CounterHub with gunicorn, as the Procfile does, on a free loopback port.

    Its log (stderr: one JSON line per request) goes to `log_path`, or a temporary file:
    never to a pipe nobody reads, whose full buffer would stop every worker.
    """
    port = free_port()
    server_env = subprocess_env(
        **{
            "DATABASE_URL": db_url,
            "SECRET_KEY": "test-secret-key-for-a-server-started-by-the-tests-only-0123456789",
            "DEBUG": "false",
            "WEB_CONCURRENCY": str(workers),
            **(env or {}),
        }
    )
    log = open(log_path, "w+") if log_path else tempfile.TemporaryFile("w+")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "counterhub.wsgi",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=BASE_DIR,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_serving(f"{base_url}/count/-", process)
        except RuntimeError as exc:
            log.seek(0)
            raise RuntimeError(f"{exc}; its log:\n{log.read()[-5000:]}") from None
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def live_server_url(transactional_db):
    """gunicorn serving the test database: its rows are committed, so other processes see
    them."""
    # No rate limit: the tests' clients all come from one address.
    with gunicorn_server(
        database_url(connection.settings_dict), env={"COUNTERHUB_RATE_LIMIT": "0"}
    ) as url:
        yield url
