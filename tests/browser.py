"""Browser fixtures: Debian's chromium driven by Playwright for Python.

Loaded for every test file by tests/conftest.py (`pytest_plugins`), so any test marked
`@pytest.mark.browser` can ask for `browser_page`, `browser_server` and `staff_page`.
No browser is ever downloaded (`playwright install` is not used): the tests drive the
chromium that `apt-get install chromium` puts at /usr/bin/chromium.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from counterhub.database import database_url
from tests.support import gunicorn_server

# COUNTERHUB_CHROMIUM points the tests at another Chromium build (not Debian's).
CHROMIUM = os.environ.get("COUNTERHUB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SKIP_SETTING = "COUNTERHUB_SKIP_BROWSER_TESTS"
HOW_TO_GET_CHROMIUM = (
    f"The browser tests need Debian's chromium, and {CHROMIUM} was not found. Install it "
    "with `sudo apt-get install chromium` (no other download is needed), point "
    "COUNTERHUB_CHROMIUM at another Chromium, or set "
    f"{SKIP_SETTING}=true to skip the browser tests."
)
STAFF_USERNAME = "staff"
STAFF_PASSWORD = "a-staff-password-for-tests"


def skip_requested() -> bool:
    return os.environ.get(SKIP_SETTING, "").strip().lower() in ("1", "true", "yes", "on")


def pytest_collection_modifyitems(config, items):
    if not skip_requested():
        return
    skip = pytest.mark.skip(reason=f"{SKIP_SETTING} is set")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session; each test opens its own context."""
    # A missing browser fails loudly: a suite that passes without running its browser
    # tests would hide a broken dashboard.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(HOW_TO_GET_CHROMIUM, pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright is not installed: run `make .venv/.installed-dev` (requirements-dev.txt).",
            pytrace=False,
        )
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django
    # refuses ORM calls from a thread with a running loop although ours stay synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(browser):
    """A fresh page in its own context (no cookies), 1200x900, downloads allowed."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def browser_server(django_db_setup, django_db_blocker):
    """gunicorn on the test database for the whole session; it stops before the database
    is dropped. Tests write their rows with `transactional_db` so that it sees them."""
    # The tests' SECRET_KEY, so that sessions made here (staff_page) are valid there.
    env = {"SECRET_KEY": settings.SECRET_KEY}
    with gunicorn_server(database_url(connection.settings_dict), workers=2, env=env) as server:
        yield server.url


@pytest.fixture
def staff_user(transactional_db):
    return get_user_model().objects.create_user(
        STAFF_USERNAME, password=STAFF_PASSWORD, is_staff=True
    )


def log_in(page, base_url: str, next_path: str = "/") -> None:
    """Log in as `staff_user` through the admin's login page, as a person does."""
    page.goto(f"{base_url}/admin/login/?next={next_path}")
    page.fill("#id_username", STAFF_USERNAME)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}{next_path}")


@pytest.fixture
def staff_page(browser_page, browser_server, transactional_db):
    """A page already logged in as a staff user (a session made directly, no form)."""
    user = get_user_model().objects.create_user("staff-session", is_staff=True)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    browser_page.context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": browser_server}]
    )
    return browser_page


# The counter page (dashboard or shared) has drawn both charts.
READY = '#counter-dashboard[data-series-state="ready"][data-monthly-state="ready"]'


def drawn_points(page, canvas_id: str) -> int:
    """How many points Chart.js laid out on the canvas, once the canvas holds pixels."""
    return page.evaluate(
        """(id) => {
            const canvas = document.getElementById(id);
            const chart = Chart.getChart(canvas);
            const pixels = canvas.getContext("2d")
                .getImageData(0, 0, canvas.width, canvas.height).data;
            if (!pixels.some((value) => value !== 0)) return -1;
            return chart.getDatasetMeta(0).data.filter((p) => Number.isFinite(p.x)).length;
        }""",
        canvas_id,
    )
