"""The load generators: wrk (HTTP), pgbench (the database alone) and a fixed-count client
that waits for every answer."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import urllib.parse
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

WRK_DIR = Path(__file__).resolve().parent / "wrk"


@dataclass(frozen=True)
class Run:
    """One timed load run: wrk's figures, or pgbench's (which has no latencies here)."""

    rate: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int
    ok: int


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


@dataclass(frozen=True)
class Wrk:
    """wrk with 2 threads and a fixed number of connections, reporting through
    bench/wrk/report.lua."""

    path: str
    connections: int
    counters: list[str]
    env: Mapping[str, str]

    def run(self, url: str, method: str, script: str, seconds: int, close: bool = False) -> Run:
        command = [
            self.path,
            "--threads",
            "2",
            "--connections",
            str(self.connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--script",
            str(WRK_DIR / script),
            url,
        ]
        env = {
            **self.env,
            "BENCH_WRK_DIR": str(WRK_DIR),
            "BENCH_METHOD": method,
            "BENCH_COUNTERS": ",".join(self.counters),
            "BENCH_CLOSE": "1" if close else "",
        }
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON "))
        figures = json.loads(line.removeprefix("BENCH_JSON "))
        return Run(
            rate=figures["requests"] / (figures["duration_us"] / 1e6),
            p50_ms=figures["p50_us"] / 1000,
            p99_ms=figures["p99_us"] / 1000,
            errors=sum(figures["errors"].values()),
            ok=figures["requests"] - figures["errors"]["status"],
        )


@dataclass(frozen=True)
class Pgbench:
    """pgbench calling increment_counter on one counter, as a prepared statement; or
    updating the one row of a table of its own (BenchDatabase.make_commit_limit_table)."""

    path: str
    database_url: str
    workdir: Path

    SCRIPTS = {
        # :counter is sent as a parameter of the prepared statement, as psycopg would.
        "increment_counter": "select * from increment_counter(:counter, 'UTC');\n",
        "row_update": "update bench_commit_limit set n = n + 1 where id = 1;\n",
    }

    def run(
        self, counter: str, clients: int, seconds: int, script_name: str = "increment_counter"
    ) -> Run:
        script = self.workdir / f"{script_name}.sql"
        script.write_text(self.SCRIPTS[script_name])
        command = [
            self.path,
            "--no-vacuum",
            "--protocol=prepared",
            f"--client={clients}",
            f"--jobs={min(2, clients)}",
            f"--time={seconds}",
            f"--file={script}",
            f"--define=counter={counter}",
            self.database_url,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        figures = parse_pgbench(result.stdout)
        return Run(
            rate=float(figures["tps"]),
            p50_ms=None,
            p99_ms=None,
            errors=int(figures.get("failed", 0)),
            ok=int(figures["processed"]),
        )


def parse_pgbench(output: str) -> dict[str, str]:
    """pgbench's summary: `key = value` lines, the processed and the failed transactions."""
    figures: dict[str, str] = {}
    for line in output.splitlines():
        key, _, value = line.partition(" = ")
        if value:
            figures[key.strip()] = value.split()[0]
        elif line.startswith("number of transactions actually processed:"):
            figures["processed"] = line.split(":")[1].split("/")[0].strip()
        elif line.startswith("number of failed transactions:"):
            figures["failed"] = line.split(":")[1].split()[0].strip()
    return figures


def fixed_count(url: str, total: int, connections: int) -> dict[str, int]:
    """POST `total` times to `url` over `connections` connections, waiting for every
    answer; the answers' statuses (or what went wrong), counted."""
    return asyncio.run(_fixed_count(url, total, connections))


async def _fixed_count(url: str, total: int, connections: int) -> dict[str, int]:
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port
    request = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    statuses: dict[str, int] = {}
    remaining = total

    async def client() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            try:
                reader, writer = await asyncio.open_connection(host, port)
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
