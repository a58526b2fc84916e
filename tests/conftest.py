"""Fixtures every test file needs: counters and a real gunicorn server. Shared helpers are
in tests/support.py.

Tests run on the real PostgreSQL: the embedded one, or the server DATABASE_URL names.
"""

import pytest
from django.db import connection

from counterhub.database import database_url
from counters.models import Counter
from tests.support import free_port, gunicorn_server

# Browser fixtures (chromium through Playwright) for every test file: tests/browser.py.
pytest_plugins = ["tests.browser"]


@pytest.fixture
def make_counter(db):
    """Register a counter: make_counter("portfolio", enabled=False, description=...)."""

    def make(name="portfolio", **fields):
        return Counter.objects.create(id=name, **fields)

    return make


@pytest.fixture
def live_server_url(transactional_db):
    """gunicorn serving the test database: its rows are committed, so other processes see
    them."""
    # No rate limit: the tests' clients all come from one address.
    with gunicorn_server(
        database_url(connection.settings_dict), env={"COUNTERHUB_RATE_LIMIT": "0"}
    ) as server:
        yield server.url


@pytest.fixture
def database_away(django_db_blocker):
    """The default connection pointed at a loopback port nobody listens on: every
    query meets a refused connection, as with PostgreSQL stopped."""
    with django_db_blocker.unblock():
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
