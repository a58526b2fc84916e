"""The dashboard's pages through Django's test client: access, figures, escaping, links."""

import datetime
import re

import pytest
from django.utils import timezone

from counters import db
from counters.dashboard import sparkline_points
from counters.models import Counter

MARKUP = '<img src=x onerror="alert(1)"><svg onload="alert(2)"><b>bold</b></svg>'


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def no_counters(db):
    """An empty registry: migration 0003 registers dotfiles."""
    Counter.objects.all().delete()


@pytest.fixture
def public_dashboard(settings):
    settings.COUNTERHUB_PUBLIC_DASHBOARD = True


def test_overview_sends_anonymous_visitors_to_the_admin_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/"


def test_counter_page_sends_anonymous_visitors_to_the_admin_login(client, make_counter):
    make_counter("portfolio")
    response = client.get("/counters/portfolio/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/counters/portfolio/"


def test_logged_in_user_who_is_not_staff_is_not_let_in(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor"))
    assert client.get("/").status_code == 302


def test_public_dashboard_setting_lets_anyone_read_it(client, make_counter, public_dashboard):
    make_counter("portfolio")
    assert client.get("/").status_code == 200
    assert client.get("/counters/portfolio/").status_code == 200


def test_public_dashboard_still_keeps_the_admin_closed(client, db, public_dashboard):
    assert client.get("/admin/counters/counter/").status_code == 302


def test_dashboard_pages_are_never_cached(admin_client, make_counter):
    make_counter("portfolio")
    for path in ["/", "/counters/portfolio/"]:
        assert "no-cache" in admin_client.get(path)["Cache-Control"]


def test_overview_shows_total_today_last_30_days_and_state(admin_client, make_counter):
    make_counter("portfolio")
    make_counter("homelab", enabled=False)
    db.set_daily_counts("portfolio", [(days_ago(0), 5), (days_ago(29), 1000), (days_ago(30), 3)])
    page = admin_client.get("/").content.decode()
    row = re.search(r'<tr data-counter="portfolio">.*?</tr>', page, re.S).group(0)
    assert '<td class="num total">1,008</td>' in row
    assert '<td class="num today">5</td>' in row
    assert '<td class="num last-30">1,005</td>' in row
    assert 'href="/counters/portfolio/"' in row
    assert "enabled" in row
    homelab = re.search(r'<tr data-counter="homelab">.*?</tr>', page, re.S).group(0)
    assert "disabled" in homelab


def test_overview_sparkline_holds_the_last_30_days_oldest_first(make_counter, no_counters):
    make_counter("portfolio")
    db.set_daily_counts("portfolio", [(days_ago(0), 5), (days_ago(29), 7), (days_ago(30), 3)])
    (row,) = db.counters_overview()
    assert row.recent_days == [7] + [0] * 28 + [5]


def test_overview_lists_the_most_recently_used_counters_first(make_counter, no_counters):
    for name in ["asleep", "busy", "never", "quiet"]:
        make_counter(name)
    db.set_daily_counts("asleep", [(days_ago(40), 100)])
    db.set_daily_counts("busy", [(days_ago(0), 50)])
    db.set_daily_counts("quiet", [(days_ago(0), 1)])
    assert [row.summary.counter for row in db.counters_overview()] == [
        "busy",
        "quiet",
        "asleep",
        "never",
    ]


def test_overview_of_200_counters_is_one_query(
    make_counter, no_counters, django_assert_num_queries
):
    for i in range(200):
        make_counter(f"counter-{i:03d}")
        db.set_daily_counts(f"counter-{i:03d}", [(days_ago(d), d + 1) for d in range(0, 60, 3)])
    with django_assert_num_queries(1):
        rows = db.counters_overview()
    assert len(rows) == 200
    assert all(len(row.recent_days) == 30 for row in rows)


def test_overview_without_counters_says_how_to_add_one(admin_client, no_counters):
    page = admin_client.get("/").content.decode()
    assert "No counters yet" in page
    assert "seed_demo" in page


def test_sparkline_points_span_the_box_with_the_largest_count_at_the_top():
    points = sparkline_points([0, 5, 10], width=102, height=22)
    assert points == "1.0,21.0 51.0,11.0 101.0,1.0"


def test_sparkline_of_a_quiet_counter_is_a_flat_line_at_the_bottom():
    assert sparkline_points([0, 0], width=12, height=10) == "1.0,9.0 11.0,9.0"


def test_counter_page_passes_the_series_api_and_today_to_its_script(admin_client, make_counter):
    make_counter("example.com")
    page = admin_client.get("/counters/example.com/").content.decode()
    assert 'data-series-url="/count/example.com/series"' in page
    assert f'data-today="{timezone.localdate().isoformat()}"' in page


def test_counter_page_has_curl_and_fetch_snippets_with_the_full_url(admin_client, make_counter):
    make_counter("portfolio")
    page = admin_client.get("/counters/portfolio/").content.decode()
    assert "curl -fsS -X POST http://testserver/count/portfolio" in page
    assert 'fetch("http://testserver/count/portfolio", { method: "POST"' in page


def test_counter_page_of_an_unknown_counter_is_an_html_404(admin_client, db):
    for path in ["/counters/nobody/", "/counters/Not%20A%20Name/"]:
        response = admin_client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        assert "No such counter" in response.content.decode()


def test_description_markup_is_shown_as_text(admin_client, make_counter):
    make_counter("portfolio", description=MARKUP)
    for path in ["/", "/counters/portfolio/"]:
        page = admin_client.get(path).content.decode()
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;svg onload=" in page
        assert "<img" not in page
        assert "<svg onload" not in page


def test_pages_have_no_inline_scripts_or_event_handlers(admin_client, make_counter):
    # A Content-Security-Policy of script-src 'self' must not break the dashboard.
    make_counter("portfolio", description="plain")
    for path in ["/", "/counters/portfolio/", "/counters/nobody/"]:
        page = admin_client.get(path).content.decode()
        for script in re.findall(r"<script\b[^>]*>", page):
            assert " src=" in script, script
        assert re.search(r"\son[a-z]+=", page) is None
        assert "javascript:" not in page


def test_dashboard_uses_the_vendored_chart_library_and_no_cdn(admin_client, make_counter):
    make_counter("portfolio")
    page = admin_client.get("/counters/portfolio/").content.decode()
    assert re.search(r'src="/static/counters/vendor/chart.js-4.6.1/chart.umd.min\.\w+\.js"', page)
    assert re.search(r'(src|href)="(https?:)?//', page) is None


def test_counter_page_links_staff_to_the_admin_change_page(admin_client, make_counter):
    make_counter("homelab_2")
    page = admin_client.get("/counters/homelab_2/").content.decode()
    # The admin quotes "_" in primary keys of its URLs.
    assert 'href="/admin/counters/counter/homelab_5F2/change/"' in page


def test_public_counter_page_shows_no_admin_link_to_visitors(
    client, make_counter, public_dashboard
):
    make_counter("portfolio")
    page = client.get("/counters/portfolio/").content.decode()
    assert "/admin/counters/" not in page
    assert "Log in" in page


def test_admin_links_each_counter_to_its_dashboard_page(admin_client, make_counter):
    counter = make_counter("example.com")
    assert counter.get_absolute_url() == "/counters/example.com/"
    changelist = admin_client.get("/admin/counters/counter/").content.decode()
    assert 'href="/counters/example.com/"' in changelist
    change = admin_client.get("/admin/counters/counter/example.com/change/").content.decode()
    view_on_site = re.search(r'href="(/admin/r/[^"]+)"', change).group(1)
    assert admin_client.get(view_on_site)["Location"].endswith("/counters/example.com/")
