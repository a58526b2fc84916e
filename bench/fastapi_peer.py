"""The FastAPI peer: POST /count/{name} on the stack CounterHub was first designed on.

FastAPI under uvicorn (2 workers, uvloop and httptools), psycopg's async connection pool,
as such a service is usually written: the name checked as the service checks it, the
service's one SQL call (count_use, rate limit off as the benchmark runs it), the same
JSON answer and the same 404 and 403. `make bench` measures it in the same rounds as the
service; POST / peer is the report's answer to "is the Django stack behind?".
Its packages are in bench/requirements.txt, never the service's.
"""

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from psycopg_pool import AsyncConnectionPool

# counters.models' rule for names, without importing Django.
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
SQL = "select * from count_use(%s, %s, %s, %s, %s)"
# Per worker: 2 workers x 2 connections, as many as the service's 4 sync workers hold.
POOL_SIZE = int(os.environ.get("BENCH_PEER_POOL_SIZE", "2"))

pool = AsyncConnectionPool(
    os.environ["DATABASE_URL"],
    min_size=POOL_SIZE,
    max_size=POOL_SIZE,
    kwargs={"autocommit": True},
    open=False,
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await pool.open(wait=True)
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)


def not_found(name: str) -> JSONResponse:
    return JSONResponse({"detail": f"No counter named {name!r} is registered."}, 404)


@app.post("/count/{name}")
async def count(name: str, request: Request) -> Any:
    if not NAME.fullmatch(name):
        return not_found(name)
    client = request.client.host if request.client else ""
    async with pool.connection() as conn:
        cursor = await conn.execute(SQL, [name, "UTC", client, 0, 60])
        row = await cursor.fetchone()
    assert row is not None, "count_use returns one row"
    _, _, counter, enabled, date, count, total = row
    if counter is None:
        return not_found(name)
    if not enabled:
        return JSONResponse(
            {"detail": "This counter is disabled: it does not accept increments."}, 403
        )
    return {"counter": counter, "date": date.isoformat(), "count": count, "total": total}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
