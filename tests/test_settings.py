"""Settings come from the environment; values that cannot be understood stop start-up."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from counterhub.settings import envbool, envint, envlist
from tests.support import BASE_DIR, subprocess_env


def test_envbool_reads_true_and_false(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert envbool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert envbool("X_FLAG", True) is False


def test_envbool_refuses_what_it_does_not_understand(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes please")

    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        envbool("X_FLAG", False)


def test_envint_refuses_non_numbers(monkeypatch):
    monkeypatch.setenv("X_NUMBER", "ten")

    with pytest.raises(ImproperlyConfigured, match="X_NUMBER"):
        envint("X_NUMBER", 1)


def test_envlist_splits_on_commas(monkeypatch):
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")

    assert envlist("X_LIST", "") == ["a.example", "b.example"]


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
    )


def test_unknown_time_zone_stops_start_up():
    result = manage("check", COUNTERHUB_TIME_ZONE="Mars/Olympus_Mons")

    assert result.returncode != 0
    assert "COUNTERHUB_TIME_ZONE must be an IANA time zone name" in result.stderr


def test_non_postgresql_database_url_stops_start_up():
    result = manage("check", DATABASE_URL="sqlite:///counterhub.db")

    assert result.returncode != 0
    assert "DATABASE_URL must point to PostgreSQL" in result.stderr


def test_debug_is_off_by_default():
    result = manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)"
    )

    assert result.stdout.strip() == "False"
