"""Admin safety (README: "Admin"): staff only, throttled logins, every registry change in the
history with who made it, and markup in descriptions shown as text."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.test import Client

from counters.models import Counter

PASSWORD = "a-long-password-123"
MARKUP = '<script>alert(1)</script><svg onload="alert(2)"><b>bold</b>'


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("boss", password=PASSWORD)


@pytest.fixture
def admin_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def history(counter_id: str) -> list[tuple[int, str, str]]:
    return [
        (e.action_flag, e.user.username, e.get_change_message())
        for e in LogEntry.objects.filter(object_id=counter_id).order_by("id")
    ]


def test_admin_pages_need_a_login(client, db):
    response = client.get("/admin/counters/counter/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_pages_need_a_staff_user(client, db):
    client.force_login(User.objects.create_user("someone", password=PASSWORD))

    response = client.get("/admin/counters/counter/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_can_log_in(client, staff):
    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/admin/counters/counter/").status_code == 200


def test_login_attempts_are_throttled_per_client(client, staff, settings):
    settings.COUNTERHUB_LOGIN_RATE_LIMIT = 3
    for _ in range(3):
        wrong = client.post("/admin/login/", {"username": "boss", "password": "guess"})
        assert wrong.status_code == 200

    refused = client.post("/admin/login/", {"username": "boss", "password": PASSWORD})

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 15 * 60
    assert "Too many login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    other = Client(REMOTE_ADDR="192.0.2.50")
    assert (
        other.post("/admin/login/", {"username": "boss", "password": PASSWORD}).status_code == 302
    )


def test_login_page_itself_is_not_throttled(client, staff, settings):
    settings.COUNTERHUB_LOGIN_RATE_LIMIT = 1
    for _ in range(3):
        assert client.get("/admin/login/").status_code == 200


def test_login_throttle_is_on_by_default(settings):
    assert 0 < settings.COUNTERHUB_LOGIN_RATE_LIMIT <= 20


def test_registering_a_counter_is_in_the_history(admin_client):
    admin_client.post(
        "/admin/counters/counter/add/", {"id": "portfolio", "description": "", "enabled": "on"}
    )

    assert Counter.objects.filter(id="portfolio").exists()
    assert history("portfolio") == [(ADDITION, "boss", "Added.")]


def test_editing_a_counter_is_in_the_history(admin_client, make_counter):
    make_counter("portfolio")

    admin_client.post(
        "/admin/counters/counter/portfolio/change/", {"description": "My site", "enabled": "on"}
    )

    assert history("portfolio") == [(CHANGE, "boss", "Changed Description.")]


@pytest.mark.parametrize("action,enabled", [("disable_counters", True), ("enable_counters", False)])
def test_enabling_and_disabling_are_in_the_history(admin_client, make_counter, action, enabled):
    make_counter("portfolio", enabled=enabled)

    admin_client.post(
        "/admin/counters/counter/", {"action": action, "_selected_action": ["portfolio"]}
    )

    assert Counter.objects.get(id="portfolio").enabled is not enabled
    assert history("portfolio") == [(CHANGE, "boss", "Changed enabled.")]


def test_deleting_a_counter_is_in_the_history(admin_client, make_counter):
    make_counter("portfolio")

    admin_client.post("/admin/counters/counter/portfolio/delete/", {"post": "yes"})

    assert not Counter.objects.filter(id="portfolio").exists()
    assert history("portfolio") == [(DELETION, "boss", "")]


def test_bulk_deleting_counters_is_in_the_history(admin_client, make_counter):
    make_counter("portfolio")
    make_counter("homelab")

    admin_client.post(
        "/admin/counters/counter/",
        {"action": "delete_selected", "_selected_action": ["portfolio", "homelab"], "post": "yes"},
    )

    assert not Counter.objects.filter(id__in=["portfolio", "homelab"]).exists()
    assert history("portfolio") == [(DELETION, "boss", "")]
    assert history("homelab") == [(DELETION, "boss", "")]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/counters/counter/",
        "/admin/counters/counter/portfolio/change/",
        "/admin/counters/counter/portfolio/delete/",
        "/admin/",
    ],
)
def test_markup_in_a_description_is_text_in_the_admin(admin_client, make_counter, path):
    make_counter("portfolio", description=MARKUP)
    admin_client.post(
        "/admin/counters/counter/portfolio/change/", {"description": MARKUP + "!", "enabled": "on"}
    )

    html = admin_client.get(path).content.decode()

    assert "<script>alert(1)" not in html
    assert "<svg onload" not in html
    assert "<b>bold</b>" not in html


def test_markup_in_a_description_is_text_in_the_change_form(admin_client, make_counter):
    make_counter("portfolio", description=MARKUP)

    html = admin_client.get("/admin/counters/counter/portfolio/change/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;svg onload=&quot;alert(2)&quot;&gt;" in html


def test_markup_in_a_description_is_a_plain_json_string(client, make_counter):
    make_counter("portfolio", description=MARKUP)

    response = client.get("/count/portfolio")

    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["description"] == MARKUP
