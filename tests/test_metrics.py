"""GET /metrics: Prometheus metrics summed over gunicorn's workers (README: "Metrics")."""

import datetime
import http.client
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from counterhub.database import database_url
from counters.api.errors import api_exception
from counters.models import Counter, CounterDaily
from tests.support import BASE_DIR, free_port, gunicorn_server, subprocess_env

TOKEN = "a-metrics-token-for-tests-only"
WORKERS = 3
RATE_LIMIT = 6
# The tests' own client address (the server trusts X-Forwarded-For here), so that hits
# left in the rate-limit table by other test files do not count against it.
CLIENT = "127.0.0.77"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
HISTORY = 1000


def need(program: str) -> str:
    if not Path(program).is_file():
        pytest.fail(
            f"{program} was not found: install Debian's prometheus package "
            "(`sudo apt-get install prometheus`; .ci/run does it in CI).",
            pytrace=False,
        )
    return program


@pytest.fixture(scope="module")
def metrics_server(django_db_setup, django_db_blocker):
    """One gunicorn with several workers for the module; its /metrics opened by a token."""
    env = {
        "COUNTERHUB_METRICS_TOKEN": TOKEN,
        "COUNTERHUB_RATE_LIMIT": str(RATE_LIMIT),
        "COUNTERHUB_BEHIND_PROXY": "true",
    }
    with gunicorn_server(database_url(connection.settings_dict), workers=WORKERS, env=env) as s:
        yield s


@pytest.fixture
def metered(transactional_db):
    """A counter with HISTORY uses yesterday, committed so that the server sees it."""
    counter = Counter.objects.create(id="metered")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    CounterDaily.objects.create(counter=counter, bucket_date=yesterday, count=HISTORY)
    return counter


def request(server, method: str, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    # A new connection each time, so that the requests spread over the workers.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers={"X-Forwarded-For": CLIENT, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def scrape(server) -> str:
    status, body = request(server, "GET", "/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, body
    return body.decode()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and sorted labels, read by prometheus-client."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(figures: dict, name: str, **labels: str) -> float:
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


COUNT_ROUTE = "/count/<str:name>"


def worker_files(server) -> int:
    """How many workers have written metrics: each keeps its own file."""
    return len(list(server.metrics_dir.glob("counter_*.db")))


def test_scrape_adds_up_every_worker_exactly(metrics_server, metered):
    before = samples(scrape(metrics_server))
    statuses: list[int] = []
    # POSTs until the rate limit refuses one, then two more (refused, unless the minute's
    # window ends meanwhile: the figures are checked against the answers seen). Bounded
    # by two windows' worth, should one end during the loop.
    for _ in range(2 * RATE_LIMIT + 2):
        status, _ = request(metrics_server, "POST", "/count/metered")
        statuses.append(status)
        if status == 429:
            break
    for _ in range(2):
        statuses.append(request(metrics_server, "POST", "/count/metered")[0])
    # Reads until at least two workers have answered (each keeps its own file), so that
    # the scrape has several workers' figures to add up; bounded.
    gets = 0
    while gets < 3 or (worker_files(metrics_server) < 2 and gets < 50):
        assert request(metrics_server, "GET", "/count/metered")[0] == 200
        gets += 1
    assert request(metrics_server, "GET", "/count/NOPE")[0] == 404

    after = samples(scrape(metrics_server))

    counted, refused = statuses.count(200), statuses.count(429)
    assert counted >= 1 and refused >= 1 and counted + refused == len(statuses)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("counterhub_uses_counted_total") == counted
    assert delta("counterhub_rate_limited_total") == refused
    requests = "counterhub_http_requests_total"
    assert delta(requests, route=COUNT_ROUTE, method="POST", status="200") == counted
    assert delta(requests, route=COUNT_ROUTE, method="POST", status="429") == refused
    assert delta(requests, route=COUNT_ROUTE, method="GET", status="200") == gets
    assert delta(requests, route=COUNT_ROUTE, method="GET", status="404") == 1
    # The scrape before this one was answered, and counted, before this scrape.
    assert delta(requests, route="/metrics", method="GET", status="200") == 1
    latency = "counterhub_http_request_duration_seconds_count"
    assert delta(latency, route=COUNT_ROUTE) == len(statuses) + gets + 1
    assert value(after, "counterhub_uses_all_time", counter="metered") == HISTORY + counted
    assert value(after, "counterhub_uses_today", counter="metered") == counted
    assert worker_files(metrics_server) >= 2


def test_scrape_passes_promtool_check_metrics(metrics_server, metered):
    request(metrics_server, "GET", "/count/metered")
    text = scrape(metrics_server)

    result = subprocess.run(
        [need(PROMTOOL), "check", "metrics"], input=text, capture_output=True, text=True, timeout=30
    )

    assert result.stdout + result.stderr == ""
    assert result.returncode == 0


def readme_scrape_config() -> str:
    readme = (BASE_DIR / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    return next(block for block in blocks if "job_name: counterhub" in block)


def test_prometheus_scrapes_the_counter_total_with_the_readme_config(
    metrics_server, metered, tmp_path
):
    port = free_port()
    config = (
        readme_scrape_config()
        .replace("127.0.0.1:8000", f"127.0.0.1:{metrics_server.port}")
        .replace("the-value-of-COUNTERHUB_METRICS_TOKEN", TOKEN)
        .replace("scrape_interval: 15s", "scrape_interval: 1s")
    )
    assert TOKEN in config and str(metrics_server.port) in config
    (tmp_path / "prometheus.yml").write_text(config)
    query = urllib.parse.urlencode({"query": 'counterhub_uses_all_time{counter="metered"}'})
    with (tmp_path / "prometheus.log").open("w") as log:
        prometheus = subprocess.Popen(
            [
                need(PROMETHEUS),
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        result = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and prometheus.poll() is None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", f"/api/v1/query?{query}")
                body = json.loads(conn.getresponse().read())
                conn.close()
                result = body["data"]["result"]
                if result:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.25)
    finally:
        # Its storage is thrown away: no need to wait for an orderly shutdown.
        prometheus.kill()
        prometheus.wait(timeout=10)

    log_text = (tmp_path / "prometheus.log").read_text()[-3000:]
    assert result, f"Prometheus did not scrape the counter in time; its log:\n{log_text}"
    assert float(result[0]["value"][1]) == HISTORY


# --- closed unless configured, in-process -----------------------------------------------


def test_metrics_are_closed_without_configuration(client, db):
    response = client.get("/metrics")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_metrics_need_the_right_bearer_token(client, db, settings, authorization):
    settings.COUNTERHUB_METRICS_TOKEN = TOKEN
    headers = {"authorization": authorization} if authorization else {}

    assert client.get("/metrics", headers=headers).status_code == 404


def test_metrics_answer_the_right_bearer_token(client, db, settings):
    settings.COUNTERHUB_METRICS_TOKEN = TOKEN

    response = client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")


@pytest.mark.parametrize(("allowed", "status"), [("127.0.0.0/8", 200), ("10.0.0.0/8", 404)])
def test_metrics_answer_only_listed_addresses(client, db, settings, allowed, status):
    settings.COUNTERHUB_METRICS_ALLOW = [allowed]

    assert client.get("/metrics").status_code == status


def test_with_token_and_addresses_both_are_needed(client, db, settings):
    settings.COUNTERHUB_METRICS_TOKEN = TOKEN
    settings.COUNTERHUB_METRICS_ALLOW = ["127.0.0.1"]
    bearer = {"authorization": f"Bearer {TOKEN}"}

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=bearer).status_code == 200
    assert client.get("/metrics", headers=bearer, REMOTE_ADDR="10.1.1.1").status_code == 404


def test_outside_gunicorn_requests_are_counted_by_route_template(client, make_counter):
    make_counter("portfolio")
    labels = {"route": COUNT_ROUTE, "method": "GET", "status": "200"}
    before = REGISTRY.get_sample_value("counterhub_http_requests_total", labels) or 0

    client.get("/count/portfolio")

    assert REGISTRY.get_sample_value("counterhub_http_requests_total", labels) == before + 1


def test_a_503_while_the_database_is_away_is_counted(db):
    before = REGISTRY.get_sample_value("counterhub_database_unavailable_total") or 0

    api_exception(OperationalError("connection refused"))

    assert REGISTRY.get_sample_value("counterhub_database_unavailable_total") == before + 1


def test_bad_metrics_allow_list_stops_start_up():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=subprocess_env(COUNTERHUB_METRICS_ALLOW="localhost"),
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "COUNTERHUB_METRICS_ALLOW must be IP addresses or networks" in result.stderr
