"""Production settings and security headers: check --deploy, headers, CSP, cookies (README,
"Security headers" and "manage.py check --deploy"; cross-origin use: test_cors.py)."""

import json
import re
import subprocess
import sys

import pytest
from django.contrib.auth.models import User

from tests.support import BASE_DIR, subprocess_env


def readme_text() -> str:
    """README.md, and the fragments under docs/readme/ that are merged into it."""
    parts = [BASE_DIR / "README.md", *sorted((BASE_DIR / "docs" / "readme").glob("*.md"))]
    return "\n".join(p.read_text() for p in parts if p.exists())


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopq",
    "ALLOWED_HOSTS": "counter.example.com",
    "COUNTERHUB_HTTPS": "true",
    "COUNTERHUB_BEHIND_PROXY": "true",
    # check --deploy does not connect; this only keeps the embedded server out of it.
    "DATABASE_URL": "postgresql://counterhub@127.0.0.1:1/counterhub",
}


def run_manage(*args, env=None) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in subprocess_env().items() if not k.startswith(("COUNTERHUB_", "SECURE_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
    )


def deploy_warnings(env) -> set[str]:
    result = run_manage("check", "--deploy", "--fail-level", "ERROR", env=env)
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"\((security\.W\d+)\)", result.stdout + result.stderr))


def test_check_deploy_with_https_warns_only_of_what_the_readme_explains():
    warnings = deploy_warnings(PRODUCTION_ENV)

    assert warnings == {"security.W005", "security.W021"}
    for warning in warnings:
        assert warning in readme_text()


def test_check_deploy_without_https_warns_only_of_what_the_readme_explains():
    warnings = deploy_warnings(PRODUCTION_ENV | {"COUNTERHUB_HTTPS": "false"})

    assert warnings == {"security.W004", "security.W008", "security.W012", "security.W016"}
    for warning in warnings:
        assert warning in readme_text()


def test_https_makes_cookies_secure_and_turns_on_hsts_and_redirects():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER]))"
    )
    env = PRODUCTION_ENV | {"DJANGO_SETTINGS_MODULE": "counterhub.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=subprocess_env(**env), capture_output=True
    )

    assert json.loads(result.stdout) == [
        True,
        True,
        True,
        31536000,
        ["HTTP_X_FORWARDED_PROTO", "https"],
    ]


def test_hsts_header_follows_its_settings(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get("/healthz", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"


@pytest.mark.parametrize("path", ["/healthz", "/count/nope", "/admin/login/", "/api/docs/"])
def test_security_headers_on_every_kind_of_page(client, db, path):
    response = client.get(path)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def inline_scripts(html: str) -> list[str]:
    return [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]


def test_admin_pages_have_no_inline_script(db, client):
    staff = User.objects.create_superuser("boss", password="a-long-password-123")
    client.force_login(staff)

    for path in [
        "/admin/login/",
        "/admin/",
        "/admin/counters/counter/",
        "/admin/counters/counter/add/",
    ]:
        response = client.get(path, follow=True)
        assert response.status_code == 200
        assert inline_scripts(response.content.decode()) == [], path


def test_api_docs_work_under_the_policy(client, db):
    response = client.get("/api/docs/")
    html = response.content.decode()

    assert response.status_code == 200
    assert inline_scripts(html) == []
    nonce = re.search(r"<style nonce=\"([^\"]+)\">", html).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    for src in re.findall(r"<script src=\"([^\"]+)\"", html):
        script = client.get(src.replace("&amp;", "&"))
        assert script.status_code == 200, src
