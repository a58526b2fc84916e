"""The servers under load, each gunicorn as the Procfile runs it
(counterhub/gunicorn_process.py): the service, and the server ceiling
(bench/ceiling_app.py) on the next port; and nginx with the shipped site file in front
of the service (counterhub/nginx_process.py), on a free port."""

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bench.scenarios import HOT
from bench.tools import Wrk
from counterhub import nginx_process
from counterhub.gunicorn_process import GunicornProcess, serving
from counterhub.nginx_process import NginxProcess

CEILING_APP = "bench.ceiling_app"
WARM_UP_SECONDS = 2


def server_env(database_url: str, data_dir: Path, workers: int | None) -> dict[str, str]:
    """The servers' environment (the benchmark's commands and wrk share it): this one's,
    DEBUG off, the benchmark's database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
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


@dataclass(frozen=True)
class Servers:
    service: GunicornProcess
    ceiling: GunicornProcess
    edge: NginxProcess

    def url(self, server: Literal["service", "edge", "ceiling"]) -> str:
        if server == "edge":
            return self.edge.url
        return self.service.url if server == "service" else self.ceiling.url


@contextlib.contextmanager
def both_serving(env: dict[str, str], log_dir: Path, port: int | None) -> Iterator[Servers]:
    """The service on `port` and the ceiling on the next one (free ports if None), every
    worker up, logging to `log_dir`; both stopped at the end."""
    ceiling_port = port + 1 if port is not None else None
    with (
        serving(env, log_dir / "service.log", port=port) as service,
        serving(
            env,
            log_dir / "ceiling.log",
            app=CEILING_APP,
            port=ceiling_port,
            ready_path=f"/count/{HOT}",
        ) as ceiling,
        # As many nginx workers as cores, as Debian's nginx.conf has it.
        nginx_process.serving(
            f"127.0.0.1:{service.port}", log_dir / "nginx", workers="auto"
        ) as edge,
    ):
        yield Servers(service, ceiling, edge)


def warm_up(servers: Servers, wrk: Wrk) -> None:
    """Not measured: every worker opens its connection and caches its plans."""
    for server in (servers.service, servers.edge, servers.ceiling):
        wrk.run(f"{server.url}/count/{HOT}", "POST", "one_url.lua", WARM_UP_SECONDS)
    wrk.run(f"{servers.service.url}/count/{HOT}", "GET", "one_url.lua", WARM_UP_SECONDS)
