"""The embedded PostgreSQL used when DATABASE_URL is unset.

A private cluster lives in the data folder and listens only on a Unix socket there, so
nothing has to be installed or configured by hand. It is started on first use and keeps
running between commands (`make stop-db` stops it). The server comes from the `pgserver`
wheel; where that cannot be installed, the system's `initdb` and `pg_ctl` make the same
cluster. Run `python -m counterhub.database start|stop|status` to manage it directly.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DATABASE_NAME = "counterhub"

HOW_TO_GET_POSTGRES = (
    "CounterHub needs PostgreSQL. Either set DATABASE_URL to a PostgreSQL server "
    "(for example postgresql://user:password@127.0.0.1:5432/counterhub), or run on "
    "Python 3.12 so that the embedded server (the pgserver package) can be installed, "
    "or install PostgreSQL's server programs (Debian: apt-get install postgresql) so "
    "that initdb and pg_ctl are found."
)


class EmbeddedDatabaseError(RuntimeError):
    """The embedded PostgreSQL could not be started."""


def embedded_settings(pgdata: Path) -> dict[str, Any]:
    """Start the embedded cluster if needed and return Django's DATABASES entry for it."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its
            # fallback under /tmp is fine for pgserver's lock file.
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError:
        socket_dir, port = _start_with_system_postgres(pgdata)
    else:
        # cleanup_mode=None: the server outlives this process, so the next command
        # (or the next gunicorn worker) finds it running instead of waiting for a start.
        info = pgserver.get_server(pgdata, cleanup_mode=None).get_postmaster_info()
        socket_dir, port = info.socket_dir, info.port
    _ensure_database(socket_dir, port)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(socket_dir),
        "PORT": str(port),
    }


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """A DATABASE_URL (libpq URL) for a Django DATABASES entry, for servers and tools
    started beside it: the tests' gunicorn servers, the benchmark."""
    host = settings_dict["HOST"] or "localhost"
    user = urllib.parse.quote(settings_dict["USER"] or "", safe="")
    password = urllib.parse.quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    # A Unix socket directory goes in the host part, percent-encoded.
    host = urllib.parse.quote(host, safe="") if host.startswith("/") else host
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgresql://{credentials}{host}{port}/{settings_dict['NAME']}"


def _ensure_database(socket_dir: str | Path, port: int) -> None:
    import psycopg

    with psycopg.connect(
        host=str(socket_dir), port=port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'create database "{DATABASE_NAME}"')


def _system_bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    # Debian and Ubuntu keep the server programs out of PATH.
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _start_with_system_postgres(pgdata: Path) -> tuple[Path, int]:
    bin_dir = _system_bin_dir()
    if bin_dir is None:
        raise EmbeddedDatabaseError(HOW_TO_GET_POSTGRES)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        raise EmbeddedDatabaseError(
            "The embedded PostgreSQL cannot run as root without the pgserver package. "
            + HOW_TO_GET_POSTGRES
        )
    port = 5432
    if not (pgdata / "PG_VERSION").exists():
        _run([bin_dir / "initdb", "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    if _run([bin_dir / "pg_ctl", "-D", pgdata, "status"], check=False).returncode != 0:
        _run(
            [
                bin_dir / "pg_ctl",
                "-D",
                pgdata,
                "-w",
                "-l",
                pgdata / "log",
                "-o",
                f"-h '' -k '{pgdata}' -p {port}",
                "start",
            ]
        )
    return pgdata, port


def _run(args: Sequence[str | Path], check: bool = True) -> subprocess.CompletedProcess[str]:
    # Output goes to a file, not a pipe: the server started by `pg_ctl start` inherits
    # the descriptors and would keep a pipe open, so reading it would never finish.
    with tempfile.TemporaryFile("w+") as output:
        result = subprocess.run(
            [str(a) for a in args], stdout=output, stderr=subprocess.STDOUT, text=True
        )
        output.seek(0)
        result.stdout = output.read()
    if check and result.returncode != 0:
        raise EmbeddedDatabaseError(f"{Path(str(args[0])).name} failed: {result.stdout}")
    return result


def _pg_ctl(pgdata: Path, *args: str) -> int:
    try:
        import pgserver._commands as commands
    except ImportError:
        bin_dir = _system_bin_dir()
        if bin_dir is None:
            print(HOW_TO_GET_POSTGRES, file=sys.stderr)
            return 1
        result = _run([bin_dir / "pg_ctl", "-D", pgdata, *args], check=False)
        print(result.stdout, end="")
        return result.returncode
    # pgserver runs the server as its own system user when we are root.
    user = "pgserver" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    try:
        print(commands.pg_ctl(list(args), pgdata=pgdata, user=user), end="")  # type: ignore[attr-defined]
        return 0
    except subprocess.CalledProcessError as exc:
        print(exc.output or "", end="")
        return exc.returncode


def data_dir() -> Path:
    """The folder for local state: the embedded cluster and the generated secret key."""
    default = Path(__file__).resolve().parent.parent / ".data"
    return Path(os.environ.get("COUNTERHUB_DATA_DIR") or default).resolve()


def main(argv: list[str]) -> int:
    pgdata = data_dir() / "postgres"
    action = argv[0] if argv else "status"
    if action == "start":
        print(embedded_settings(pgdata)["HOST"])
        return 0
    if action in ("stop", "status"):
        if not (pgdata / "PG_VERSION").exists():
            print("no embedded database has been created yet")
            return 0
        return _pg_ctl(pgdata, "-w", action) if action == "stop" else _pg_ctl(pgdata, action)
    print("usage: python -m counterhub.database start|stop|status", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
