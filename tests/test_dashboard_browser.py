"""The dashboard in a real browser: Debian's chromium through Playwright (tests/browser.py).

Screenshots go to test-artifacts/screenshots/; docs/screenshots/ holds copies for the README.
"""

import datetime
import json
import urllib.parse
import urllib.request

import pytest
from django.db import connection
from django.utils import timezone

from counterhub.database import database_url
from counters import db
from counters.api.buckets import bucket_count
from counters.management.commands.seed_demo import demo_history
from counters.models import Counter
from tests.browser import READY, drawn_points, log_in
from tests.support import BASE_DIR, gunicorn_server

pytestmark = pytest.mark.browser

SCREENSHOTS = BASE_DIR / "test-artifacts" / "screenshots"
MARKUP = '<img src=x onerror="document.title=1"><svg onload="document.title=2">svg</svg>'
# Chart.js is most of the counter page; it is served compressed (gzip) by whitenoise.
PAGE_WEIGHT_BUDGET_KB = 150


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


@pytest.fixture
def history(transactional_db):
    """The demo counters of seed_demo (400 days each), plus an empty one and one whose
    description is markup. Returns portfolio's history."""
    Counter.objects.all().delete()
    today = timezone.localdate()
    for name, description, mean in [
        ("portfolio", "Portfolio website visits", 40.0),
        ("dotfiles", "Dotfiles install script", 6.0),
        ("homelab", "Homelab tool runs", 3.0),
    ]:
        Counter.objects.create(id=name, description=description)
        days = demo_history(name, 400, mean, today)
        db.set_daily_counts(name, days)
        if name == "portfolio":
            portfolio = days
    Counter.objects.create(id="brand-new", description="Registered, never counted")
    Counter.objects.create(id="markup", description=MARKUP, enabled=False)
    return portfolio


def choose(page, button: str) -> None:
    page.click(button)
    page.wait_for_selector(READY)


def test_staff_logs_in_and_sees_every_counter_on_the_overview(
    browser_page, browser_server, staff_user, history
):
    page = browser_page
    page.goto(f"{browser_server}/")
    assert "/admin/login/" in page.url
    log_in(page, browser_server)
    rows = page.locator("table.overview tbody tr")
    assert rows.count() == 5
    assert rows.first.get_attribute("data-counter") in {"portfolio", "dotfiles", "homelab"}
    sparkline = page.locator('tr[data-counter="portfolio"] svg.sparkline polyline')
    assert len(sparkline.get_attribute("points").split()) == 30
    screenshot(page, "overview.png")
    page.emulate_media(color_scheme="dark")
    screenshot(page, "overview-dark.png")
    page.click('a[href="/counters/portfolio/"]')
    page.wait_for_selector(READY)
    assert page.locator("h1").inner_text() == "portfolio"


def test_counter_chart_has_one_point_per_bucket_of_the_chosen_range(
    staff_page, browser_server, history
):
    page = staff_page
    transferred = []
    page.on(
        "requestfinished",
        lambda request: transferred.append(
            request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
        ),
    )
    page.goto(f"{browser_server}/counters/portfolio/")
    page.wait_for_selector(READY)
    today = timezone.localdate()
    total = sum(count for _, count in history)
    this_month = sum(n for day, n in history if day >= today.replace(day=1))
    assert page.locator("#figure-total").inner_text() == f"{total:,}"
    assert page.locator("#figure-this-month").inner_text() == f"{this_month:,}"
    assert drawn_points(page, "series-chart") == 30
    first_day = min(day for day, _ in history)
    assert drawn_points(page, "monthly-chart") == bucket_count(first_day, today, "month")
    page_weight_kb = sum(transferred) / 1024
    assert page_weight_kb < PAGE_WEIGHT_BUDGET_KB
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "page-weight.json").write_text(
        json.dumps({"counter_page_kb": round(page_weight_kb, 1), "requests": len(transferred)})
    )
    screenshot(page, "counter.png")

    # By keyboard alone: Tab to the "7 days" button and press Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.range") == "7":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector(READY)
    assert page.get_attribute('[data-range="7"]', "aria-pressed") == "true"
    assert drawn_points(page, "series-chart") == 7
    choose(page, '[data-range="90"]')
    choose(page, '[data-group="week"]')
    start = today - datetime.timedelta(days=89)
    assert drawn_points(page, "series-chart") == bucket_count(start, today, "week")
    choose(page, '[data-range="all"]')
    choose(page, '[data-group="month"]')
    assert drawn_points(page, "series-chart") == bucket_count(first_day, today, "month")

    page.fill("#range-start", "2020-01-01")
    page.fill("#range-end", "2020-03-31")
    choose(page, "#custom-range button[type=submit]")
    assert page.locator("#series-box").is_hidden()
    assert "No uses counted between 2020-01-01 and 2020-03-31" in page.inner_text("#series-empty")

    page.emulate_media(color_scheme="dark")
    choose(page, '[data-range="30"]')
    choose(page, '[data-group="day"]')
    screenshot(page, "counter-dark.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme="light")
    screenshot(page, "counter-phone.png")


def test_csv_download_is_the_apis_csv_of_the_range_shown(staff_page, browser_server, history):
    page = staff_page
    page.goto(f"{browser_server}/counters/portfolio/")
    page.wait_for_selector(READY)
    choose(page, '[data-range="90"]')
    choose(page, '[data-group="week"]')
    with page.expect_download() as download_info:
        page.click("#csv-download")
    downloaded = download_info.value.path().read_bytes()
    today = timezone.localdate()
    query = urllib.parse.urlencode(
        {
            "start": (today - datetime.timedelta(days=89)).isoformat(),
            "end": today.isoformat(),
            "group": "week",
            "fill": "zero",
            "format": "csv",
        }
    )
    with urllib.request.urlopen(f"{browser_server}/count/portfolio/series?{query}") as response:
        assert downloaded == response.read()
    assert downloaded.startswith(b"date,count\r\n")
    assert download_info.value.suggested_filename.endswith("_week.csv")


def test_counter_without_history_shows_an_empty_state_not_a_chart(
    staff_page, browser_server, history
):
    page = staff_page
    page.goto(f"{browser_server}/counters/brand-new/")
    page.wait_for_selector(READY)
    assert page.locator("#series-box").is_hidden()
    assert page.locator("#monthly-box").is_hidden()
    assert "No uses counted" in page.inner_text("#series-empty")
    assert "No uses counted yet" in page.inner_text("#monthly-empty")
    assert page.locator("#figure-total").inner_text() == "0"
    assert page.locator("#figure-this-month-change").inner_text() == "–"


def test_description_markup_is_shown_as_text(staff_page, browser_server, history):
    page = staff_page
    for path, selector in [
        ("/", 'tr[data-counter="markup"] .description'),
        ("/counters/markup/", "#counter-description"),
    ]:
        page.goto(f"{browser_server}{path}")
        assert page.locator(selector).inner_text() == MARKUP
        assert page.locator(f"{selector} img, {selector} svg").count() == 0
        # The markup's handlers would have set the title to 1 or 2.
        assert page.title().endswith("· CounterHub")


def test_dashboard_needs_a_login_unless_it_is_public(browser_page, browser_server, history):
    page = browser_page
    page.goto(f"{browser_server}/counters/portfolio/")
    assert page.url.startswith(f"{browser_server}/admin/login/")
    public_env = {"COUNTERHUB_PUBLIC_DASHBOARD": "true"}
    with gunicorn_server(database_url(connection.settings_dict), 1, public_env) as server:
        public = server.url
        page.goto(f"{public}/counters/portfolio/")
        page.wait_for_selector(READY)
        assert page.url == f"{public}/counters/portfolio/"
        assert drawn_points(page, "series-chart") == 30
