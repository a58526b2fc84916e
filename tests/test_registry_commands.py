"""manage.py counter add|enable|disable|list|delete (README: "Registry commands")."""

import datetime
import io
import json

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from counters.models import Counter, CounterDaily
from counters.registry import SYSTEM_USERNAME


def counter(*args: str) -> str:
    out = io.StringIO()
    call_command("counter", *args, stdout=out)
    return out.getvalue()


def history_of(name: str) -> list[tuple[int, str, str]]:
    entries = LogEntry.objects.filter(object_id=name).order_by("id")
    return [(e.action_flag, e.user.get_username(), e.get_change_message()) for e in entries]


def test_add_registers_a_counter_with_its_description(db):
    out = counter("add", "homelab", "--description", "Homelab tool runs")

    registered = Counter.objects.get(pk="homelab")
    assert (registered.description, registered.enabled) == ("Homelab tool runs", True)
    assert out == "Registered homelab (enabled).\n"


def test_add_disabled_registers_it_disabled(db):
    counter("add", "homelab", "--disabled")

    assert Counter.objects.get(pk="homelab").enabled is False


def test_add_is_recorded_in_the_admin_history_under_the_system_user(db):
    counter("add", "homelab")

    assert history_of("homelab") == [(ADDITION, SYSTEM_USERNAME, "Added.")]
    system_user = get_user_model().objects.get(username=SYSTEM_USERNAME)
    assert not system_user.is_active
    assert not system_user.has_usable_password()


def test_user_option_names_who_made_the_change(db):
    get_user_model().objects.create_user("ops", is_staff=True)

    counter("--user", "ops", "add", "homelab")

    assert history_of("homelab") == [(ADDITION, "ops", "Added.")]


def test_unknown_user_is_refused_and_nothing_changes(db):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        counter("--user", "ghost", "add", "homelab")

    assert not Counter.objects.filter(pk="homelab").exists()


def test_add_of_existing_counter_with_same_description_succeeds_unchanged(make_counter):
    make_counter("homelab", description="Homelab tool runs")

    out = counter("add", "homelab", "--description", "Homelab tool runs")

    assert (
        out == "homelab is already registered with this description (enabled): nothing changed.\n"
    )
    assert history_of("homelab") == []


def test_add_of_existing_counter_with_other_description_fails(make_counter):
    make_counter("homelab", description="Homelab tool runs")

    with pytest.raises(CommandError, match="already registered, with the description"):
        counter("add", "homelab", "--description", "Something else")

    assert Counter.objects.get(pk="homelab").description == "Homelab tool runs"


@pytest.mark.parametrize("name", ["Homelab", "_under", "a" * 65, "with space", "ünï"])
def test_add_refuses_a_name_the_admin_refuses(db, name):
    with pytest.raises(CommandError, match="Enter a valid counter name"):
        counter("add", name)

    assert not Counter.objects.filter(pk=name).exists()


def test_disable_and_enable_several_counters_are_recorded(make_counter):
    make_counter("homelab")
    make_counter("portfolio")

    out = counter("disable", "homelab", "portfolio")
    counter("enable", "homelab")

    assert out == "homelab is now disabled.\nportfolio is now disabled.\n"
    assert Counter.objects.get(pk="homelab").enabled is True
    assert Counter.objects.get(pk="portfolio").enabled is False
    assert history_of("homelab") == [
        (CHANGE, SYSTEM_USERNAME, "Changed enabled."),
        (CHANGE, SYSTEM_USERNAME, "Changed enabled."),
    ]


def test_enable_of_an_enabled_counter_says_so_and_records_nothing(make_counter):
    make_counter("homelab")

    assert counter("enable", "homelab") == "homelab was enabled already.\n"
    assert history_of("homelab") == []


def test_disable_with_an_unknown_name_changes_nothing(make_counter):
    make_counter("homelab")

    with pytest.raises(CommandError, match="No counter named 'nope' is registered"):
        counter("disable", "homelab", "nope")

    assert Counter.objects.get(pk="homelab").enabled is True


def test_list_shows_name_state_total_and_last_day(make_counter):
    homelab = make_counter("homelab")
    make_counter("example.com", enabled=False)
    CounterDaily.objects.create(counter=homelab, bucket_date=datetime.date(2026, 1, 2), count=7)
    CounterDaily.objects.create(counter=homelab, bucket_date=datetime.date(2026, 1, 5), count=3)

    lines = counter("list").splitlines()

    assert lines[0].split() == ["name", "state", "total", "last", "day"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["example.com"] == ["example.com", "disabled", "0", "-"]
    assert rows["homelab"] == ["homelab", "enabled", "10", "2026-01-05"]


def test_list_json_is_one_document(make_counter):
    homelab = make_counter("homelab", description="Homelab tool runs")
    CounterDaily.objects.create(counter=homelab, bucket_date=datetime.date(2026, 1, 2), count=7)

    rows = json.loads(counter("list", "--json"))

    assert [r for r in rows if r["name"] == "homelab"] == [
        {
            "name": "homelab",
            "enabled": True,
            "total": 7,
            "last_day": "2026-01-02",
            "description": "Homelab tool runs",
        }
    ]


def test_delete_without_yes_says_what_would_go_and_deletes_nothing(make_counter):
    homelab = make_counter("homelab")
    CounterDaily.objects.create(counter=homelab, bucket_date=datetime.date(2026, 1, 2), count=7)

    with pytest.raises(CommandError, match=r"1 day\(s\) holding 7 use\(s\). Add --yes"):
        counter("delete", "homelab")

    assert Counter.objects.filter(pk="homelab").exists()


def test_delete_with_yes_deletes_the_history_and_is_recorded(make_counter):
    homelab = make_counter("homelab")
    CounterDaily.objects.create(counter=homelab, bucket_date=datetime.date(2026, 1, 2), count=7)
    CounterDaily.objects.create(counter=homelab, bucket_date=datetime.date(2026, 1, 3), count=2)

    out = counter("delete", "homelab", "--yes")

    assert out == "Deleted homelab and its history: 2 day(s) holding 9 use(s).\n"
    assert not CounterDaily.objects.filter(counter_id="homelab").exists()
    assert history_of("homelab") == [(DELETION, SYSTEM_USERNAME, "")]


def test_delete_of_an_unknown_counter_fails(db):
    with pytest.raises(CommandError, match="No counter named 'nope' is registered"):
        counter("delete", "nope", "--yes")
