"""The admin is the registry: register, describe, enable, disable, search, delete."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from counters import db
from counters.models import Counter, CounterDaily

CHANGELIST = "/admin/counters/counter/"


def register(admin_client, name, description="", enabled=True):
    data = {"id": name, "description": description}
    if enabled:
        data["enabled"] = "on"
    return admin_client.post(f"{CHANGELIST}add/", data)


def test_admin_registers_a_counter_with_description(admin_client):
    response = register(admin_client, "portfolio", "Portfolio site visits")

    assert response.status_code == 302
    counter = Counter.objects.get(id="portfolio")
    assert counter.description == "Portfolio site visits"
    assert counter.enabled is True
    assert counter.created_at is not None


def test_registered_counter_can_be_counted(admin_client, client):
    register(admin_client, "portfolio")

    assert client.post("/count/portfolio").status_code == 200


@pytest.mark.parametrize("name", ["Portfolio", "has space", "-dash", "a" * 65, "café", ""])
def test_admin_refuses_an_invalid_name_with_a_clear_message(admin_client, name):
    response = register(admin_client, name)

    assert response.status_code == 200
    assert not Counter.objects.filter(id=name).exists()
    assert response.context["adminform"].form.errors["id"]


def test_invalid_name_message_explains_the_rule(admin_client):
    response = register(admin_client, "Bad Name")

    [message] = response.context["adminform"].form.errors["id"]
    assert "lower-case letters, digits" in message


def test_name_cannot_be_changed_after_creation(admin_client, make_counter):
    make_counter("portfolio")

    admin_client.post(f"{CHANGELIST}portfolio/change/", {"id": "renamed", "description": "x"})

    assert Counter.objects.filter(id="portfolio").exists()
    assert not Counter.objects.filter(id="renamed").exists()


def test_disable_then_post_is_403_and_enable_again_counts(admin_client, client, make_counter):
    make_counter("portfolio")

    admin_client.post(CHANGELIST, {"action": "disable_counters", "_selected_action": ["portfolio"]})
    assert client.post("/count/portfolio").status_code == 403

    admin_client.post(CHANGELIST, {"action": "enable_counters", "_selected_action": ["portfolio"]})
    assert client.post("/count/portfolio").status_code == 200


def test_disabling_many_at_once(admin_client, make_counter):
    for name in ("a1", "b2", "c3"):
        make_counter(name)

    admin_client.post(CHANGELIST, {"action": "disable_counters", "_selected_action": ["a1", "b2"]})

    assert list(Counter.objects.filter(enabled=False).values_list("id", flat=True)) == ["a1", "b2"]


@pytest.mark.parametrize(
    ("action", "enabled", "state"),
    [("disable_counters", False, "disabled"), ("enable_counters", True, "enabled")],
)
def test_action_on_counters_already_in_that_state_says_nothing_changed(
    admin_client, make_counter, action, enabled, state
):
    make_counter("portfolio", enabled=enabled)

    response = admin_client.post(
        CHANGELIST, {"action": action, "_selected_action": ["portfolio"]}, follow=True
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        f"No counter changed: the selected ones were {state} already."
    ]
    assert not LogEntry.objects.filter(object_id="portfolio").exists()


def test_enable_and_disable_are_recorded_in_the_history_with_the_user(admin_client, make_counter):
    make_counter("portfolio")

    admin_client.post(CHANGELIST, {"action": "disable_counters", "_selected_action": ["portfolio"]})

    entry = LogEntry.objects.get(object_id="portfolio")
    assert entry.action_flag == CHANGE
    assert entry.user.username == "admin"


def test_list_shows_total_and_last_day(admin_client, make_counter):
    make_counter("portfolio")
    db.set_daily_counts(
        "portfolio", [(datetime.date(2026, 3, 1), 5), (datetime.date(2026, 3, 9), 8)]
    )

    response = admin_client.get(CHANGELIST, {"q": "portfolio"})

    [row] = response.context["cl"].result_list
    assert (row.total, row.last_day) == (13, datetime.date(2026, 3, 9))


def test_search_finds_by_name_and_description(admin_client, make_counter):
    make_counter("portfolio", description="my site")
    make_counter("homelab", description="tools")

    by_name = admin_client.get(CHANGELIST, {"q": "folio"}).context["cl"].result_list
    by_description = admin_client.get(CHANGELIST, {"q": "tools"}).context["cl"].result_list

    assert [c.id for c in by_name] == ["portfolio"]
    assert [c.id for c in by_description] == ["homelab"]


def test_filter_by_enabled(admin_client, make_counter):
    make_counter("on1")
    make_counter("off1", enabled=False)

    result = admin_client.get(CHANGELIST, {"enabled__exact": "0"}).context["cl"].result_list

    assert [c.id for c in result] == ["off1"]


def test_counter_page_shows_recent_history_read_only(admin_client, make_counter):
    make_counter("portfolio")
    db.set_daily_counts("portfolio", [(datetime.date(2026, 3, 9), 8)])

    response = admin_client.get(f"{CHANGELIST}portfolio/change/")

    assert response.status_code == 200
    assert b"<td>2026-03-09</td><td>8</td>" in response.content


def test_delete_confirmation_warns_that_history_goes_too(admin_client, make_counter):
    make_counter("portfolio")
    db.set_daily_counts(
        "portfolio", [(datetime.date(2026, 3, 1), 5), (datetime.date(2026, 3, 9), 8)]
    )

    response = admin_client.get(f"{CHANGELIST}portfolio/delete/")

    assert b"ALL HISTORY of portfolio: 2 day(s) holding 13 counted use(s)" in response.content


def test_bulk_delete_confirmation_warns_too(admin_client, make_counter):
    make_counter("portfolio")
    db.set_daily_counts("portfolio", [(datetime.date(2026, 3, 1), 5)])

    response = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": ["portfolio"]}
    )

    assert b"ALL HISTORY of portfolio" in response.content


def test_deleting_a_counter_deletes_its_history_in_the_database(admin_client, make_counter):
    make_counter("portfolio")
    db.set_daily_counts("portfolio", [(datetime.date(2026, 3, 1), 5)])

    admin_client.post(f"{CHANGELIST}portfolio/delete/", {"post": "yes"})

    assert not Counter.objects.filter(id="portfolio").exists()
    assert not CounterDaily.objects.filter(counter_id="portfolio").exists()


def test_admin_needs_a_staff_login(client, db):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
