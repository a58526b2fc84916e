"""Helpers the test files share (fixtures live in tests/conftest.py)."""

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from counterhub.gunicorn_process import GunicornProcess, free_port, serving

__all__ = ["BASE_DIR", "free_port", "gunicorn_server", "subprocess_env"]

BASE_DIR = Path(__file__).resolve().parent.parent
# Known to the tests only; a test of the server's log checks that it never appears there.
SERVER_SECRET_KEY = "test-secret-key-for-a-server-started-by-the-tests-only-0123456789"


def subprocess_env(**overrides: str) -> dict[str, str]:
    """This process's environment for a child process, less what only the tests need."""
    # The browser fixtures set DJANGO_ALLOW_ASYNC_UNSAFE for this process (Playwright keeps
    # an event loop in the main thread); a server or command must not inherit it.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **overrides}


@contextlib.contextmanager
def gunicorn_server(
    db_url: str,
    workers: int = 4,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> Iterator[GunicornProcess]:
    """CounterHub under gunicorn as the Procfile runs it, on a free loopback port, serving
    the database `db_url`, DEBUG off; `env` adds or overrides settings. Its log (one JSON
    line per request) goes to `log_path`, or to a temporary file."""
    settings = {
        "DATABASE_URL": db_url,
        "SECRET_KEY": SERVER_SECRET_KEY,
        "DEBUG": "false",
        "WEB_CONCURRENCY": str(workers),
    }
    server_env = subprocess_env(**(settings | dict(env or {})))
    with contextlib.ExitStack() as stack:
        if log_path is None:
            log_path = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "gunicorn.log"
        yield stack.enter_context(serving(server_env, log_path))
