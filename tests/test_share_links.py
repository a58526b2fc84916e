"""Share links: a read-only page of one counter for anyone with the link (README: "Share
links")."""

import datetime
import hashlib
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.utils import timezone

from counters import sharing
from counters.models import Counter, CounterDaily, ShareLink
from tests.browser import READY, drawn_points


@pytest.fixture
def shared(make_counter):
    """portfolio with three days of history, another counter, and a link to portfolio."""
    portfolio = make_counter("portfolio", description="Portfolio website visits")
    make_counter("secret-project")
    today = timezone.localdate()
    for age, count in [(0, 5), (1, 7), (40, 11)]:
        CounterDaily.objects.create(
            counter=portfolio, bucket_date=today - datetime.timedelta(days=age), count=count
        )
    link, token = sharing.create_link(portfolio, "for the newsletter")
    return link, token


def test_only_the_hash_of_the_token_is_stored(shared):
    link, token = shared

    assert len(token) == 43
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ShareLink.objects.filter(token_hash=token).exists()


def test_shared_page_shows_the_counter_without_login(client, shared):
    _, token = shared

    response = client.get(f"/shared/{token}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>portfolio</h1>" in page
    assert "Portfolio website visits" in page
    assert '<dd id="figure-this-month">' in page
    assert response["X-Robots-Tag"] == "noindex"


def test_shared_page_links_nowhere_else(admin_client, shared):
    """Even for a logged-in admin: no admin, overview, other counters or login."""
    _, token = shared

    page = admin_client.get(f"/shared/{token}/").content.decode()

    hrefs = re.findall(r'href="([^"]*)"', page)
    pages = [h for h in hrefs if not h.startswith(("/static/", "#"))]
    assert all(h.startswith(f"/shared/{token}/") for h in pages), pages
    assert "secret-project" not in page
    assert "/admin/" not in page


def test_shared_series_answers_for_the_token(client, shared):
    _, token = shared
    today = timezone.localdate()

    response = client.get(
        f"/shared/{token}/series", {"start": today - datetime.timedelta(days=1), "end": today}
    )

    assert response.status_code == 200
    assert response.json()["counter"] == "portfolio"
    assert response.json()["total"] == 12
    assert response["Cache-Control"] == "private, no-store"


def test_shared_series_serves_csv_for_the_download_link(client, shared):
    _, token = shared

    response = client.get(f"/shared/{token}/series", {"format": "csv"})

    assert response.status_code == 200
    assert response.content.decode().startswith("date,count")


@pytest.mark.parametrize("how", ["revoked", "altered", "made up", "too short"])
def test_a_revoked_or_altered_link_is_404(client, shared, how):
    link, token = shared
    if how == "revoked":
        sharing.revoke(link)
    elif how == "altered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif how == "made up":
        token = "x" * 43
    else:
        token = "abc"

    page = client.get(f"/shared/{token}/")
    series = client.get(f"/shared/{token}/series")

    assert page.status_code == 404
    assert "This link does not work" in page.content.decode()
    assert series.status_code == 404
    assert series.json() == {"detail": "Not found."}


def test_deleting_the_counter_deletes_its_links(shared):
    Counter.objects.filter(pk="portfolio").delete()

    assert not ShareLink.objects.exists()


def test_admin_makes_a_link_and_shows_it_once(admin_client, make_counter):
    make_counter("portfolio")
    counter_page = admin_client.get("/counters/portfolio/").content.decode()
    add_url = re.search(r'id="share-link" href="([^"]+)"', counter_page)[1]
    assert add_url == "/admin/counters/sharelink/add/?counter=portfolio"

    response = admin_client.post(
        "/admin/counters/sharelink/add/", {"counter": "portfolio", "label": "team"}, follow=True
    )

    page = response.content.decode()
    token = re.search(r'id="new-share-link">http://testserver/shared/([^/]+)/<', page)[1]
    link = ShareLink.objects.get()
    assert (link.counter_id, link.label) == ("portfolio", "team")
    assert link.token_hash == sharing.token_hash(token)
    assert admin_client.get(f"/shared/{token}/").status_code == 200


def test_admin_revokes_links_and_records_it(admin_client, shared):
    link, token = shared

    admin_client.post(
        "/admin/counters/sharelink/",
        {"action": "revoke_links", "_selected_action": [link.pk]},
    )

    link.refresh_from_db()
    assert link.revoked_at is not None
    entry = LogEntry.objects.get(object_id=str(link.pk))
    assert (entry.action_flag, entry.change_message) == (CHANGE, "Revoked.")
    assert admin_client.get(f"/shared/{token}/").status_code == 404


def test_share_links_table_matches_the_schema_document(db):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            select column_name, data_type, is_nullable, column_default
            from information_schema.columns where table_name = 'counter_share_links'
            order by column_name
            """
        )
        columns = {name: (kind, nullable, default) for name, kind, nullable, default in cursor}

    assert columns == {
        "id": ("bigint", "NO", None),
        "counter_id": ("text", "NO", None),
        "token_hash": ("text", "NO", None),
        "label": ("text", "NO", "''::text"),
        "created_at": ("timestamp with time zone", "NO", "statement_timestamp()"),
        "revoked_at": ("timestamp with time zone", "YES", None),
    }


@pytest.mark.browser
def test_browser_opens_a_share_link_sees_the_chart_then_the_revoked_link_is_404(
    browser_page, browser_server, transactional_db
):
    portfolio = Counter.objects.create(id="portfolio")
    today = timezone.localdate()
    for age in range(30):
        CounterDaily.objects.create(
            counter=portfolio, bucket_date=today - datetime.timedelta(days=age), count=age + 1
        )
    link, token = sharing.create_link(portfolio)
    page = browser_page

    page.goto(f"{browser_server}/shared/{token}/")
    page.wait_for_selector(READY)

    assert page.locator("h1").inner_text() == "portfolio"
    assert page.locator("#figure-total").inner_text() == f"{sum(range(1, 31)):,}"
    assert drawn_points(page, "series-chart") == 30
    assert page.locator("a[href*='/admin/'], a[href='/']").count() == 0

    sharing.revoke(link)
    response = page.goto(f"{browser_server}/shared/{token}/")

    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "This link does not work"
