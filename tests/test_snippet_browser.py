"""The website snippet /static/counterhub.js, in the real Chromium, from another origin."""

import contextlib
import http.server
import json
import threading
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from counterhub.database import database_url
from tests.support import BASE_DIR, free_port, gunicorn_server

pytestmark = pytest.mark.browser

SNIPPET = BASE_DIR / "counters" / "static" / "counterhub.js"

PAGE = """<!doctype html>
<html><head><title>A visitor's page</title>
<script src="{service}/static/counterhub.js" data-counter="portfolio" defer></script>
</head><body>
<p>Visits: <span id="total" data-counterhub-total>...</span></p>
<p>Named: <span id="named" data-counterhub-total="portfolio">...</span></p>
<p>Another counter's: <span id="other" data-counterhub-total="dotfiles">untouched</span></p>
</body></html>
"""


def collected_snippet_is_current() -> bool:
    collected = Path(settings.STATIC_ROOT) / "counterhub.js"
    return collected.exists() and collected.read_bytes() == SNIPPET.read_bytes()


@contextlib.contextmanager
def page_server(html: str):
    """Serve one HTML page on its own loopback port: an origin other than the service's."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def total_of(service: str, name: str) -> int:
    with urllib.request.urlopen(f"{service}/count/{name}", timeout=5) as response:
        return json.load(response)["total"]


@pytest.fixture(scope="module")
def service(django_db_setup, django_db_blocker):
    """The service under gunicorn on the test database, for this file's tests; each test
    writes its rows with transactional_db, so the server sees them."""
    if not collected_snippet_is_current():
        # The server serves collected static files, as in production.
        call_command("collectstatic", interactive=False, verbosity=0)
    with django_db_blocker.unblock():
        url = database_url(connection.settings_dict)
    with gunicorn_server(url, workers=2) as server:
        yield server.url


@pytest.fixture
def site(service, transactional_db, make_counter):
    """The service with a counter, and a page on another origin that embeds the snippet."""
    make_counter("portfolio")
    with page_server(PAGE.format(service=service)) as page_url:
        yield service, page_url


@pytest.fixture
def chromium(browser):
    """The session's chromium (tests/browser.py, which finds it as the README says and
    fails loudly without it), opening a new browser session (context) per open_page,
    closed after."""
    yield from _closing_contexts(browser)


def _closing_contexts(browser):
    before = set(browser.contexts)
    yield browser
    for context in set(browser.contexts) - before:
        context.close()


def open_page(browser, url: str):
    """A new tab in a new browser session, with its /count requests and console noted."""
    page = browser.new_context().new_page()
    page.count_requests = []
    page.console_problems = []
    page.on(
        "request",
        lambda r: page.count_requests.append(r.method) if "/count/" in r.url else None,
    )
    page.on(
        "console",
        lambda m: page.console_problems.append(m.text) if m.type in ("error", "warning") else None,
    )
    page.goto(url)
    return page


def test_snippet_counts_a_visit_cross_origin_and_shows_the_total(site, chromium):
    from playwright.sync_api import expect

    service, page_url = site
    assert service.rsplit(":", 1)[1] != page_url.rstrip("/").rsplit(":", 1)[1]

    page = open_page(chromium, page_url)

    expect(page.locator("#total")).to_have_text("1")
    expect(page.locator("#named")).to_have_text("1")
    assert page.count_requests == ["POST"]
    assert page.console_problems == []
    assert total_of(service, "portfolio") == 1


def test_snippet_counts_once_per_browser_session(site, chromium):
    from playwright.sync_api import expect

    service, page_url = site
    page = open_page(chromium, page_url)
    expect(page.locator("#total")).to_have_text("1")

    page.reload()

    expect(page.locator("#total")).to_have_text("1")
    assert page.count_requests == ["POST", "GET"]
    assert total_of(service, "portfolio") == 1


def test_a_new_browser_session_counts_again(site, chromium):
    from playwright.sync_api import expect

    service, page_url = site
    first = open_page(chromium, page_url)
    expect(first.locator("#total")).to_have_text("1")

    second = open_page(chromium, page_url)

    expect(second.locator("#total")).to_have_text("2")
    assert total_of(service, "portfolio") == 2


def test_snippet_leaves_other_counters_elements_alone(site, chromium):
    from playwright.sync_api import expect

    _, page_url = site
    page = open_page(chromium, page_url)
    expect(page.locator("#total")).to_have_text("1")

    assert page.locator("#other").text_content() == "untouched"


def test_served_snippet_is_the_repositorys_file(site):
    service, _ = site

    with urllib.request.urlopen(f"{service}/static/counterhub.js", timeout=5) as response:
        assert response.read() == SNIPPET.read_bytes()
        assert "javascript" in response.headers["Content-Type"]


@pytest.fixture
def disabled_counter(transactional_db, make_counter):
    make_counter("retired", enabled=False)


@pytest.mark.parametrize("name", ["nope", "retired"])
def test_snippet_for_unknown_or_disabled_counter_leaves_the_page_alone(
    site, disabled_counter, chromium, name
):
    service, _ = site
    html = PAGE.format(service=service).replace('"portfolio" defer', f'"{name}" defer')
    with page_server(html) as page_url:
        page = open_page(chromium, page_url)
        for _ in range(50):
            if any("counterhub:" in text for text in page.console_problems):
                break
            page.wait_for_timeout(100)

        assert any("counterhub:" in text for text in page.console_problems)
        assert page.locator("#total").text_content() == "..."
