"""nginx in front of gunicorn, as shipped in deploy/nginx/counterhub.conf (README, "Running in
production"): slow clients are harmless through it and stop gunicorn without it; its own
errors are JSON; the app trusts only the client address and request id nginx sets.

One nginx and one gunicorn (the Procfile's command, COUNTERHUB_BEHIND_PROXY=true) serve
every test of this file, on the test database. All traffic stays on 127.0.0.0/8.
"""

import json
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from counterhub import nginx_process
from counterhub.database import database_url
from counterhub.gunicorn_process import GunicornProcess
from counterhub.nginx_process import NginxProcess
from counters.models import Counter, CounterDaily
from tests.slow_clients import raw_request, request_from, slow_clients
from tests.support import free_port, gunicorn_server

# Declares the database for pytest-django, which sets it up only for tests that ask.
pytestmark = pytest.mark.django_db

PROBED = "edge-probed"
LIMITED = "edge-limited"
RATE_LIMIT = 5
WORKERS = 4
HOLD_SECONDS = 20.0
DIRECT_ATTACK_SECONDS = 5.0
PROBE_INTERVAL = 0.5
PROBE_TIMEOUT = 1.0


@dataclass(frozen=True)
class Edge:
    nginx: NginxProcess
    gunicorn: GunicornProcess
    gunicorn_log: Path


@pytest.fixture(scope="module")
def edge(django_db_setup, django_db_blocker) -> Iterator[Edge]:
    """nginx with the shipped site file in front of gunicorn, with two counters committed
    to the test database (removed at the end)."""
    with django_db_blocker.unblock():
        url = database_url(connection.settings_dict)
        Counter.objects.create(id=PROBED)
        Counter.objects.create(id=LIMITED)
    env = {"COUNTERHUB_BEHIND_PROXY": "true", "COUNTERHUB_RATE_LIMIT": str(RATE_LIMIT)}
    try:
        with tempfile.TemporaryDirectory() as work:
            work_dir = Path(work)
            log = work_dir / "gunicorn.log"
            with (
                gunicorn_server(url, workers=WORKERS, env=env, log_path=log) as gunicorn,
                nginx_process.serving(f"127.0.0.1:{gunicorn.port}", work_dir / "nginx") as nginx,
            ):
                yield Edge(nginx, gunicorn, log)
    finally:
        with django_db_blocker.unblock():
            Counter.objects.filter(id__in=[PROBED, LIMITED]).delete()


def total_of(name: str) -> int:
    total: int | None = CounterDaily.objects.filter(counter_id=name).aggregate(Sum("count"))[
        "count__sum"
    ]
    return total or 0


def json_detail(answer) -> str:
    assert answer.headers["Content-Type"] == "application/json"
    detail: str = json.loads(answer.body)["detail"]
    return detail


def test_slow_clients_through_nginx_leave_the_service_answering(edge):
    """50 stalled and 20 byte-a-second connections for 20 s: every probe through nginx
    answers within 1 s and every count is made exactly once."""
    before = total_of(PROBED)
    answers = []
    with slow_clients("127.0.0.1", edge.nginx.port, stalled=50, trickling=20) as attack:
        deadline = time.monotonic() + HOLD_SECONDS
        probe = 0
        while time.monotonic() < deadline and probe < HOLD_SECONDS / PROBE_INTERVAL:
            probe += 1
            # Each POST from its own address, so the per-client limit never answers them.
            source = f"127.0.1.{probe}"
            answers.append(request_from(source, edge.nginx.port, "GET", "/healthz"))
            answers.append(request_from(source, edge.nginx.port, "POST", f"/count/{PROBED}"))
            time.sleep(PROBE_INTERVAL)
        held = attack.peak_open

    assert held == 70
    assert len(answers) >= 60
    assert [a.status for a in answers] == [200] * len(answers)
    assert max(a.seconds for a in answers) < PROBE_TIMEOUT
    assert total_of(PROBED) == before + len(answers) // 2


def test_slow_clients_straight_at_gunicorn_stop_it(edge):
    """The same stalls sent to gunicorn itself, for 5 s: a probe gets no answer in 1 s."""
    port = edge.gunicorn.port
    timed_out = 0
    with slow_clients("127.0.0.1", port, stalled=50, trickling=20) as attack:
        time.sleep(1.0)  # every worker is now reading a request that never ends
        deadline = time.monotonic() + DIRECT_ATTACK_SECONDS - 1.0
        while time.monotonic() < deadline:
            try:
                request_from("127.0.2.1", port, "GET", "/healthz", timeout=PROBE_TIMEOUT)
            except TimeoutError:
                timed_out += 1
        held = attack.peak_open
    # Once the connections close, the workers are free again (for the next tests).
    edge.gunicorn.wait_until_serving(timeout=15)

    assert held == 70
    assert timed_out >= 3


def test_oversize_request_line_is_414_json(edge):
    answer = raw_request(
        edge.nginx.port,
        b"GET /count/" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    )

    assert answer.status == 414
    assert json_detail(answer) == "The request line is too long."


def test_oversize_header_is_431_json(edge):
    answer = raw_request(
        edge.nginx.port,
        f"GET /count/{PROBED} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {'a' * 5000}\r\n\r\n".encode(),
    )

    assert answer.status == 431
    assert json_detail(answer) == "The request headers are too large."


def test_many_short_header_lines_reach_the_app_not_gunicorn_html(edge):
    """nginx bounds the headers' size; gunicorn must not refuse their number with HTML."""
    lines = "".join(f"X-Line-{n}: v\r\n" for n in range(150))
    answer = raw_request(
        edge.nginx.port, f"GET /count/{PROBED} HTTP/1.1\r\nHost: 127.0.0.1\r\n{lines}\r\n".encode()
    )

    assert answer.status == 200
    assert json.loads(answer.body)["counter"] == PROBED


def test_ten_megabyte_body_on_count_is_413_json(edge):
    headers = (
        f"POST /count/{PROBED} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {10 * 2**20}\r\n\r\n"
    )
    # nginx answers from the Content-Length alone: the first 64 KB of the body are enough.
    answer = raw_request(edge.nginx.port, headers.encode() + b"x" * 2**16)

    assert answer.status == 413
    assert json_detail(answer) == "The request body is too large."


def test_forwarded_for_from_a_client_does_not_escape_the_rate_limit(edge):
    """The limit counts the address nginx saw, whatever X-Forwarded-For the client sends."""
    statuses = [
        request_from(
            "127.0.0.2",
            edge.nginx.port,
            "POST",
            f"/count/{LIMITED}",
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status
        for n in range(RATE_LIMIT + 1)
    ]

    assert statuses[0] == 200
    assert statuses[-1] == 429


def test_forwarded_for_from_a_client_does_not_spend_another_address_limit(edge):
    for _ in range(RATE_LIMIT + 1):
        request_from(
            "127.0.0.3",
            edge.nginx.port,
            "POST",
            f"/count/{LIMITED}",
            headers={"X-Forwarded-For": "127.0.0.4"},
        )

    assert request_from("127.0.0.4", edge.nginx.port, "POST", f"/count/{LIMITED}").status == 200


def test_nginx_request_id_is_in_the_app_log_line(edge):
    """README, "Logs": the id in nginx's access line is the request_id of the app's line."""
    answer = request_from(
        "127.0.0.5", edge.nginx.port, "GET", "/healthz", headers={"X-Request-ID": "from-client"}
    )
    request_id = answer.headers["X-Request-ID"]
    time.sleep(0.2)  # both logs are written as the request ends

    nginx_line = edge.nginx.access_log.read_text().splitlines()[-1]
    app_lines = [
        json.loads(line)
        for line in edge.gunicorn_log.read_text().splitlines()
        if line.startswith("{") and request_id in line
    ]
    assert request_id != "from-client"
    assert nginx_line.endswith(f" {request_id}")
    assert [(line["path"], line["client"]) for line in app_lines] == [("/healthz", "127.0.0.5")]


def collected_name(name: str) -> str:
    """The hashed name `collectstatic` gave a static file (collecting them when not yet)."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    hashed: str = json.loads(manifest.read_text())["paths"][name]
    return hashed


def test_static_file_with_a_hashed_name_is_cached_for_a_year(edge):
    answer = request_from(
        "127.0.0.6", edge.nginx.port, "GET", f"/static/{collected_name('counterhub.js')}"
    )

    assert answer.status == 200
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_static_file_with_a_plain_name_is_cached_for_a_minute(edge):
    """The snippet's address other sites embed: a release must reach them soon."""
    answer = request_from("127.0.0.6", edge.nginx.port, "GET", "/static/counterhub.js")

    assert answer.status == 200
    assert answer.headers["Cache-Control"] == "public, max-age=60"


def test_nginx_accepts_the_shipped_site_file(tmp_path):
    main = nginx_process.write_config(tmp_path, port=free_port(), upstream="127.0.0.1:8000")

    result = nginx_process.check_config(tmp_path, main)

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
