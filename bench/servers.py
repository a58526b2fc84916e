"""The servers under load, each on a loopback port of its own, all up for the whole run:

- the service as the Procfile runs it (gunicorn, sync workers: counterhub/gunicorn_process.py);
- the same service under gunicorn's gthread workers, which keep connections alive;
- the same service under granian's WSGI interface;
- the FastAPI peer (bench/fastapi_peer.py) under uvicorn;
- the server ceiling (bench/ceiling_app.py) under the Procfile's gunicorn;
- nginx with the shipped site file in front of the service (counterhub/nginx_process.py).
"""

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bench.scenarios import HOT
from bench.tools import Wrk
from counterhub import nginx_process
from counterhub.gunicorn_process import (
    LOOPBACK,
    ROOT,
    SERVICE_APP,
    GunicornProcess,
    free_port,
    serving,
)

CEILING_APP = "bench.ceiling_app"
PEER_APP = "bench.fastapi_peer:app"
WARM_UP_SECONDS = 2
# The other servers' processes: 2 per core on the 2-core machine, as the sync workers are;
# gthread and granian with 2 threads each; uvicorn's are event loops.
OTHER_WORKERS = 2
THREADS = 2

ServerName = Literal["service", "edge", "gthread", "granian", "peer", "ceiling"]


def server_env(database_url: str, data_dir: Path, workers: int | None) -> dict[str, str]:
    """The servers' environment (the benchmark's commands and wrk share it): this one's,
    DEBUG off, the benchmark's database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "GUNICORN_CMD_ARGS")
    }
    env |= {
        "DATABASE_URL": database_url,
        "COUNTERHUB_DATA_DIR": str(data_dir),
        "COUNTERHUB_TIME_ZONE": "UTC",
        # All the load comes from one address: the per-client limit would answer 429 to
        # nearly all of it.
        "COUNTERHUB_RATE_LIMIT": "0",
    }
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


class CommandServer(GunicornProcess):
    """A server started from its own command line (granian, uvicorn), stopped and
    measured as the gunicorn ones are."""

    def __init__(
        self, command: list[str], env: Mapping[str, str], log_path: Path, workers: int
    ) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.log_path = log_path
        self.command = [c.replace("{port}", str(self.port)) for c in command]
        self.expected_workers = workers
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT
            )


def granian_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        LOOPBACK,
        "--port",
        "{port}",
        "--workers",
        str(OTHER_WORKERS),
        "--blocking-threads",
        str(THREADS),
        SERVICE_APP.replace(".wsgi", ".wsgi:application"),
    ]


def uvicorn_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        PEER_APP,
        "--host",
        LOOPBACK,
        "--port",
        "{port}",
        "--workers",
        str(OTHER_WORKERS),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
    ]


@contextlib.contextmanager
def command_serving(
    command: list[str], env: Mapping[str, str], log_path: Path, workers: int
) -> Iterator[CommandServer]:
    server = CommandServer(command, env, log_path, workers)
    try:
        server.wait_until_serving("/healthz")
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Servers:
    service: GunicornProcess
    edge: nginx_process.NginxProcess
    gthread: GunicornProcess
    granian: GunicornProcess
    peer: GunicornProcess
    ceiling: GunicornProcess

    def url(self, server: ServerName) -> str:
        process: GunicornProcess | nginx_process.NginxProcess = getattr(self, server)
        return process.url


@contextlib.contextmanager
def all_serving(env: dict[str, str], log_dir: Path, port: int | None) -> Iterator[Servers]:
    """The service on `port` and the ceiling on the next one (free ports if None), the
    others on free ports, every
    worker up, logging to `log_dir`; all stopped at the end."""
    gthread_env = env | {
        "WEB_CONCURRENCY": str(OTHER_WORKERS),
        # Over gunicorn.conf.py's sync workers, as gunicorn lets its environment do.
        "GUNICORN_CMD_ARGS": f"--worker-class gthread --threads {THREADS}",
    }
    with (
        serving(env, log_dir / "service.log", port=port) as service,
        serving(gthread_env, log_dir / "gthread.log") as gthread,
        command_serving(granian_command(), env, log_dir / "granian.log", OTHER_WORKERS) as granian,
        command_serving(uvicorn_command(), env, log_dir / "peer.log", OTHER_WORKERS) as peer,
        serving(
            env,
            log_dir / "ceiling.log",
            app=CEILING_APP,
            port=port + 1 if port is not None else None,
            ready_path=f"/count/{HOT}",
        ) as ceiling,
        # As many nginx workers as cores, as Debian's nginx.conf has it.
        nginx_process.serving(
            f"{LOOPBACK}:{service.port}", log_dir / "nginx", workers="auto"
        ) as edge,
    ):
        yield Servers(service, edge, gthread, granian, peer, ceiling)


def warm_up(servers: Servers, wrk: Wrk) -> None:
    """Not measured: every worker opens its connection and caches its plans."""
    names: tuple[ServerName, ...] = ("service", "edge", "gthread", "granian", "peer", "ceiling")
    for name in names:
        wrk.run(f"{servers.url(name)}/count/{HOT}", "POST", "one_url.lua", WARM_UP_SECONDS)
    wrk.run(f"{servers.service.url}/count/{HOT}", "GET", "one_url.lua", WARM_UP_SECONDS)
