"""Management commands: demo data for development, the first admin user."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from counters.db import counter_summary, series_for
from counters.models import Counter


def test_seed_demo_creates_counters_with_history(db):
    call_command("seed_demo", "--days", "60", stdout=io.StringIO())

    assert {"dotfiles", "portfolio", "homelab", "example.com"} <= set(
        Counter.objects.values_list("id", flat=True)
    )
    summary = counter_summary("portfolio")
    assert summary.total > 0
    assert summary.first_day is not None


def test_seed_demo_twice_gives_the_same_history(db):
    call_command("seed_demo", "--days", "30", stdout=io.StringIO())
    first = series_for("homelab").points

    call_command("seed_demo", "--days", "30", stdout=io.StringIO())

    assert series_for("homelab").points == first


def test_seed_demo_leaves_one_counter_disabled(db):
    call_command("seed_demo", "--days", "5", stdout=io.StringIO())

    assert Counter.objects.get(id="example.com").enabled is False


def test_ensure_admin_creates_a_superuser_with_a_printed_password(db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    out = io.StringIO()

    call_command("ensure_admin", stdout=out)

    user = get_user_model().objects.get(username="admin")
    password = out.getvalue().split("the password ")[1].split()[0]
    assert user.is_superuser and user.check_password(password)


def test_ensure_admin_uses_the_environment(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "owner")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase-1")
    out = io.StringIO()

    call_command("ensure_admin", stdout=out)

    assert get_user_model().objects.get(username="owner").check_password("a-long-pass-phrase-1")
    assert "a-long-pass-phrase-1" not in out.getvalue()


@pytest.mark.parametrize("existing", ["admin", "someone"])
def test_ensure_admin_does_nothing_when_a_superuser_exists(db, existing):
    get_user_model().objects.create_superuser(existing, password="x")
    out = io.StringIO()

    call_command("ensure_admin", stdout=out)

    assert get_user_model().objects.count() == 1
    assert out.getvalue() == ""
