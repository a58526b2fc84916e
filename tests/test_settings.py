"""Settings come from the environment; values that cannot be understood stop start-up."""

import ast
import re
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


def test_log_level_is_read_in_any_case():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "import logging; print(logging.getLevelName(logging.getLogger().level))",
        LOG_LEVEL="warning",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "WARNING"


def test_unknown_log_level_stops_start_up_with_a_message():
    result = manage("check", LOG_LEVEL="loud")

    assert result.returncode != 0
    assert "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR or CRITICAL" in result.stderr


def test_bad_gunicorn_timeout_stops_start_up_with_a_message():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "-c",
            "gunicorn.conf.py",
            "counterhub.wsgi",
        ],
        cwd=BASE_DIR,
        env=subprocess_env(GUNICORN_TIMEOUT="soon"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "GUNICORN_TIMEOUT must be a whole number of at least 1, not 'soon'." in result.stderr


def test_debug_is_off_by_default():
    result = manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)"
    )

    assert result.stdout.strip() == "False"


# Where the environment is read: the settings, the embedded database's data folder,
# gunicorn's configuration, the first admin user, and the Makefile's `make run` address.
ENV_READERS = [
    "counterhub/settings.py",
    "counterhub/database.py",
    "gunicorn.conf.py",
    "counters/management/commands/ensure_admin.py",
]
ENV_HELPERS = {"envbool", "envint", "envlist", "_time_zone", "_log_level", "_positive_int"}


def _environ_call(node: ast.Call) -> bool:
    """os.environ.get(...) or os.environ.setdefault(...)."""
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("get", "setdefault")
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "environ"
    )


def environment_read_by_code() -> dict[str, object]:
    """Every variable the code reads, with its default where it is a plain literal."""
    found: dict[str, object] = {}
    for relative in ENV_READERS:
        tree = ast.parse((BASE_DIR / relative).read_text())
        for node in ast.walk(tree):
            name_node, default_node = None, None
            if isinstance(node, ast.Call) and node.args:
                is_helper = isinstance(node.func, ast.Name) and node.func.id in ENV_HELPERS
                if is_helper or _environ_call(node):
                    name_node = node.args[0]
                    default_node = node.args[1] if len(node.args) > 1 else None
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "environ"
            ):
                name_node = node.slice
            if isinstance(name_node, ast.Constant) and isinstance(name_node.value, str):
                default = default_node.value if isinstance(default_node, ast.Constant) else None
                if found.get(name_node.value) is None:
                    found[name_node.value] = default
    makefile = (BASE_DIR / "Makefile").read_text()
    for name, default in re.findall(r"^([A-Z][A-Z0-9_]*) \?= (\S+)$", makefile, re.M):
        found[name] = default
    return found


def readme_settings_table() -> dict[str, str]:
    """The README's "Settings" table: each variable named in a row, with its default cell
    (one backticked value per variable where a row names several)."""
    readme = (BASE_DIR / "README.md").read_text()
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    table: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0])
        defaults = re.findall(r"`([^`]*)`", cells[1])
        for i, name in enumerate(names):
            table[name] = (
                defaults[i] if len(names) > 1 and len(defaults) == len(names) else cells[1]
            )
    return table


def test_every_variable_the_code_reads_is_in_the_readme_settings_table():
    missing = set(environment_read_by_code()) - set(readme_settings_table())

    assert not missing, f"read by the code but not in the README's Settings table: {missing}"


def test_every_variable_in_the_readme_settings_table_is_read_by_the_code():
    unread = set(readme_settings_table()) - set(environment_read_by_code())

    assert not unread, f"in the README's Settings table but read nowhere: {unread}"


def test_readme_settings_table_gives_the_codes_literal_defaults():
    table = readme_settings_table()
    wrong = {}
    for name, default in environment_read_by_code().items():
        if default is None or name not in table:
            continue
        if default == "":
            expected = "unset" if table[name].startswith("unset") else "empty"
        elif isinstance(default, bool):
            expected = f"`{str(default).lower()}`"
        else:
            expected = f"`{default}`"
        cell = table[name]
        if not (cell.startswith(expected) or cell == expected.strip("`")):
            wrong[name] = (cell, expected)

    assert not wrong, f"README default differs from the code's (README, code): {wrong}"
