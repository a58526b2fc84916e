"""The files a self-hoster copies from deploy/ agree with the README and the Procfile
(README, "Running in production"). The nginx site file is tested running, in test_edge.py."""

import configparser
import re
import shlex

from tests.support import BASE_DIR

DEPLOY = BASE_DIR / "deploy"
ENV_TEMPLATE = DEPLOY / "counterhub.env"
UNIT = DEPLOY / "systemd" / "counterhub.service"


def readme_settings() -> set[str]:
    """The variables the README's settings table names (its first column)."""
    readme = (BASE_DIR / "README.md").read_text()
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


def template_settings() -> set[str]:
    """The variables the environment template sets or shows commented out."""
    text = ENV_TEMPLATE.read_text()
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def unit_service() -> configparser.SectionProxy:
    # Several ExecStartPre lines: keep the last of each key, which is all these tests need.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    return parser["Service"]


def test_env_template_names_every_setting_of_the_readme():
    assert readme_settings() - template_settings() == set()


def test_env_template_names_no_setting_the_readme_does_not_document():
    assert template_settings() - readme_settings() == set()


def without_bind(words: list[str]) -> list[str]:
    at = words.index("--bind")
    return words[:at] + words[at + 2 :]


def test_unit_runs_the_procfile_gunicorn_command_but_on_loopback():
    procfile = (BASE_DIR / "Procfile").read_text()
    web = shlex.split(next(line for line in procfile.splitlines() if line.startswith("web:")))
    exec_start = shlex.split(unit_service()["ExecStart"])

    assert exec_start[0] == "/srv/counterhub/.venv/bin/gunicorn"
    assert without_bind(exec_start[1:]) == without_bind(web[2:])
    assert exec_start[exec_start.index("--bind") + 1] == "127.0.0.1:8000"


def test_unit_runs_as_its_own_user_from_the_env_file_and_restarts_on_failure():
    service = unit_service()

    assert (service["User"], service["Group"]) == ("counterhub", "counterhub")
    assert service["EnvironmentFile"] == "/etc/counterhub/counterhub.env"
    assert service["Restart"] == "on-failure"


def test_unit_migrates_and_collects_static_files_before_start():
    pre = [
        line.split("=", 1)[1]
        for line in UNIT.read_text().splitlines()
        if line.startswith("ExecStartPre=")
    ]

    assert [shlex.split(command)[1:4] for command in pre] == [
        ["manage.py", "migrate", "--noinput"],
        ["manage.py", "collectstatic", "--noinput"],
    ]


def test_nginx_site_proxies_to_the_address_the_unit_binds():
    exec_start = shlex.split(unit_service()["ExecStart"])
    bind = exec_start[exec_start.index("--bind") + 1]

    assert f"server {bind};" in (DEPLOY / "nginx" / "counterhub.conf").read_text()
