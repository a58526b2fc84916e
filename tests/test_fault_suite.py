"""Every path family with every method, the database up and away: never a 500, and every
error in its family's form (README: "Errors"; "When the database goes away").

API paths answer JSON with a `detail`; pages for people and static files answer the
project's HTML error page with the request id; a 503 carries Retry-After. Requests go
through Django's test client, the whole middleware chain included; "away" is a real
refused connection (tests/conftest.py: database_away).
"""

import dataclasses

import pytest
from django.contrib.auth.models import User
from django.test import Client

from counters.models import Counter

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "BOGUS"]
API_PATHS = [
    "/count/portfolio",
    "/count/nope",
    "/count/portfolio/series",
    "/count/portfolio/badge.svg",
    "/count/portfolio/badge.json",
    "/healthz",
    "/api/schema/",
    "/api/docs/",
    "/api/nothing",
    "/metrics",
]
PAGE_PATHS = [
    "/",
    "/counters/portfolio/",
    "/admin/login/",
    "/admin/counters/counter/",
    "/shared/not-a-token/",
    "/no/such/page",
]
# The dashboard's own page for a link that leads nowhere (templates/dashboard/).
OWN_404_PAGES = ["/shared/not-a-token/"]
STATIC_PATHS = ["/static/counters/dashboard.css", "/static/counters/missing.css"]
PAGE_MARK = 'class="error-page"'
# A session cookie makes the pages look their user up, so "away" reaches the database.
SESSION_COOKIE = "x" * 32


@dataclasses.dataclass
class Tally:
    cases: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)


def check(
    tally: Tally, who: str, client: Client, method: str, path: str, database_up: bool, **headers
):
    tally.cases += 1
    response = client.generic(method, path, **headers)
    status = response.status_code
    content_type = response.get("Content-Type", "")
    where = f"{who} {method} {path} -> {status} {content_type}"

    def problem(what: str) -> None:
        tally.problems.append(f"{where}: {what}")

    if status >= 500 and (database_up or status != 503):
        return problem("a server error")
    if status == 503 and "Retry-After" not in response:
        return problem("503 without Retry-After")
    if status < 400:
        return None
    body = b"".join(
        response.streaming_content if response.streaming else [response.content]
    ).decode()
    if path in API_PATHS:
        if content_type != "application/json":
            return problem("an API error that is not JSON")
        health = path == "/healthz" and status == 503
        if method != "HEAD" and not health and "detail" not in response.json():
            return problem("a JSON error without detail")
    else:
        if content_type != "text/html; charset=utf-8":
            return problem("a page's error that is not HTML")
        own_page = status == 404 and path in OWN_404_PAGES
        if (
            method != "HEAD"
            and not own_page
            and (PAGE_MARK not in body or response["X-Request-ID"] not in body)
        ):
            return problem("not the project's error page with the request id")
    return None


def walk(tally: Tally, who: str, client: Client, database_up: bool, **headers) -> None:
    for path in API_PATHS + PAGE_PATHS + STATIC_PATHS:
        for method in METHODS:
            check(tally, who, client, method, path, database_up, **headers)


def test_every_path_and_method_answers_in_its_form_with_the_database_up(db):
    Counter.objects.create(id="portfolio")
    staff = User.objects.create_user("boss", is_staff=True, is_superuser=True)
    anonymous = Client(enforce_csrf_checks=True, raise_request_exception=False)
    logged_in = Client(raise_request_exception=False)
    logged_in.force_login(staff)
    tally = Tally()

    walk(tally, "anonymous", anonymous, database_up=True)
    # An Accept nothing here can serve: the negotiating schema and docs answer 406.
    walk(tally, "anonymous", anonymous, database_up=True, HTTP_ACCEPT="application/xml")
    walk(tally, "staff", logged_in, database_up=True)

    print(f"\nfault suite, database up: {tally.cases} cases")
    assert tally.problems == [], "\n".join(tally.problems)


def test_every_path_and_method_answers_in_its_form_with_the_database_away(database_away):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["sessionid"] = SESSION_COOKIE
    tally = Tally()

    walk(tally, "anonymous", client, database_up=False)

    print(f"\nfault suite, database away: {tally.cases} cases")
    assert tally.problems == [], "\n".join(tally.problems)


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.COUNTERHUB_RATE_LIMIT = 0
    settings.COUNTERHUB_LOGIN_RATE_LIMIT = 0
