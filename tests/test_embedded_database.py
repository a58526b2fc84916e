"""The embedded PostgreSQL: a clear message where it cannot be had."""

import sys

import pytest

from counterhub import database


def test_without_pgserver_or_server_programs_the_message_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pgserver", None)  # as if it could not be installed
    monkeypatch.setattr(database, "_system_bin_dir", lambda: None)

    with pytest.raises(database.EmbeddedDatabaseError) as error:
        database.embedded_settings(tmp_path / "postgres")

    assert "DATABASE_URL" in str(error.value)
    assert "apt-get install postgresql" in str(error.value)


def test_status_before_any_database_exists_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COUNTERHUB_DATA_DIR", str(tmp_path))

    assert database.main(["status"]) == 0
    assert "no embedded database" in capsys.readouterr().out


def test_unknown_action_is_a_usage_error(capsys):
    assert database.main(["explode"]) == 2
    assert "usage" in capsys.readouterr().err
