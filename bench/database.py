"""The benchmark's own database: never the one the service keeps its counters in."""

import contextlib
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg

from counterhub import database
from counterhub.gunicorn_process import ROOT

SCRATCH_DATABASE = "counterhub_bench"


@contextlib.contextmanager
def bench_database(data_dir: Path) -> Iterator["BenchDatabase"]:
    """With DATABASE_URL, a scratch database beside the one it names (as pytest-django
    makes test_<name>), dropped at the end; without, the embedded PostgreSQL in a cluster
    of its own under `data_dir`, stopped at the end."""
    given = os.environ.get("DATABASE_URL")
    if given:
        parts = urllib.parse.urlsplit(given)
        url = urllib.parse.urlunsplit(parts._replace(path=f"/{SCRATCH_DATABASE}"))
        with psycopg.connect(given, autocommit=True) as conn:
            conn.execute(f"drop database if exists {SCRATCH_DATABASE} with (force)")
            conn.execute(f"create database {SCRATCH_DATABASE}")
        try:
            yield BenchDatabase(url, f"the server of DATABASE_URL, database {SCRATCH_DATABASE}")
        finally:
            with psycopg.connect(given, autocommit=True) as conn:
                conn.execute(f"drop database if exists {SCRATCH_DATABASE} with (force)")
        return
    pgdata = data_dir / "postgres"
    url = database.database_url(database.embedded_settings(pgdata))
    try:
        yield BenchDatabase(url, f"embedded (pgserver), cluster in {data_dir.relative_to(ROOT)}")
    finally:
        subprocess.run(
            [sys.executable, "-m", "counterhub.database", "stop"],
            cwd=ROOT,
            env={**os.environ, "COUNTERHUB_DATA_DIR": str(data_dir)},
            stdout=subprocess.DEVNULL,
        )


class BenchDatabase:
    """The database under load, and what the benchmark reads from it and writes to it."""

    def __init__(self, url: str, description: str) -> None:
        self.url = url
        self.description = description

    def migrate_and_register(self, env: Mapping[str, str], counters: list[str]) -> None:
        """Migrated like a deployment (`manage.py migrate`), with the benchmark's counters."""
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        with psycopg.connect(self.url, autocommit=True) as conn:
            for name in counters:
                conn.execute(
                    "insert into counters (id, description) values (%s, %s) "
                    "on conflict (id) do nothing",
                    [name, "benchmark counter"],
                )

    def make_commit_limit_table(self) -> None:
        """One row that pgbench updates to measure the disk's single-row commit rate."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("drop table if exists bench_commit_limit")
            conn.execute("create table bench_commit_limit (id integer primary key, n bigint)")
            conn.execute("insert into bench_commit_limit values (1, 0)")

    def empty_history(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("truncate counter_daily")
            conn.execute("vacuum analyze counter_daily")

    def seed_history(self, counters: list[str], days: int) -> int:
        """`days` of daily history for every counter, up to yesterday; the rows written."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("truncate counter_daily")
            # Counts from a hash: the same history on every run, no two days alike.
            conn.execute(
                """
                insert into counter_daily (counter_id, bucket_date, count, updated_at)
                select c.id, d::date, 1 + abs(hashtext(c.id || d::text)) %% 500, d
                from counters c
                cross join generate_series(
                    (now() at time zone 'UTC')::date - %s,
                    (now() at time zone 'UTC')::date - 1,
                    interval '1 day') d
                where c.id = any(%s)
                """,
                [days, counters],
            )
            conn.execute("vacuum analyze counter_daily")
            return int(self._scalar(conn, "select count(*) from counter_daily"))

    def counted(self) -> int:
        """Every use counted so far, over all counters and days."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            return int(self._scalar(conn, "select coalesce(sum(count), 0) from counter_daily"))

    def server_version(self) -> str:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return str(self._scalar(conn, "show server_version")).split()[0]

    @staticmethod
    def _scalar(conn: psycopg.Connection[Any], query: str) -> Any:
        row = conn.execute(query).fetchone()
        assert row is not None, query
        return row[0]
