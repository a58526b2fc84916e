"""Fuzzing the API against its own OpenAPI schema with schemathesis.

Every operation of /api/schema/ gets generated requests, valid and invalid; each answer
must be no 5xx and must match the schema (status, content type, body, headers).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from counterhub.wsgi import application

# Bounded so that the suite stays fast: examples per operation.
MAX_EXAMPLES = 100

# The answers a schema-valid request may get, each for a reason the schema cannot state:
# 400 for rules across parameters (`start` after `end`, more buckets than fill=zero serves),
# 403 for a POST to the disabled counter, 404 for a generated name nobody registered. Never
# 429: the examples stay well under the rate limit.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "403", "404"]}}}
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


@pytest.fixture
def wsgi_in_test_transaction(db, monkeypatch):
    """Requests through the WSGI app share the test's transaction, as with Django's test
    client, which likewise keeps Django from closing that connection per request."""
    # The API's handler (counterhub/handlers.py) makes the same checks without the signals.
    monkeypatch.setattr("counterhub.handlers.close_old_connections", lambda: None)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def registered(make_counter, wsgi_in_test_transaction):
    """A few names the generator may hit, one disabled, one with history."""
    make_counter("a")
    make_counter("0", enabled=False)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    # The same examples on every run, so CI is not red by luck; no example database.
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema_and_never_fails(case, registered):
    case.call_and_validate()
