"""Each endpoint's answer matches what /api/schema/ documents for it, field for field.

The bodies are written by the serializers the schema is generated from; this checks the
answers themselves, for a counter with history, so neither can drift from the other.
"""

import datetime
from typing import Any

import jsonschema
import pytest

from counters import db

DAYS = [datetime.date(2026, 1, 1), datetime.date(2026, 1, 12)]


def openapi(client) -> dict[str, Any]:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` as JSON Schema's `null` type."""
    if isinstance(node, dict):
        node = {key: as_json_schema(value) for key, value in node.items()}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    return node


def assert_matches_schema(document, path: str, method: str, response) -> None:
    operation = document["paths"][path][method]
    content = operation["responses"][str(response.status_code)]["content"]
    schema = content["application/json"]["schema"]
    resolvable = as_json_schema({**schema, "components": document["components"]})
    jsonschema.validate(response.json(), resolvable)
    # No field beyond those documented.
    documented = resolvable["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert set(response.json()) <= set(documented["properties"])


@pytest.fixture
def portfolio(make_counter):
    make_counter("portfolio", description="Portfolio site")
    db.set_daily_counts("portfolio", [(DAYS[0], 4), (DAYS[1], 7)])


@pytest.mark.parametrize(
    ("method", "path", "url", "query"),
    [
        ("post", "/count/{name}", "/count/portfolio", {}),
        ("get", "/count/{name}", "/count/portfolio", {}),
        ("get", "/count/{name}/series", "/count/portfolio/series", {}),
        ("get", "/count/{name}/series", "/count/portfolio/series", {"fill": "zero"}),
        ("get", "/count/{name}/badge.json", "/count/portfolio/badge.json", {"style": "flat"}),
        ("get", "/healthz", "/healthz", {}),
    ],
)
def test_answer_matches_the_documented_schema(client, portfolio, method, path, url, query):
    document = openapi(client)

    response = getattr(client, method)(url, query)

    assert response.status_code == 200
    assert_matches_schema(document, path, method, response)


@pytest.mark.parametrize(
    ("method", "path", "url", "status"),
    [
        ("get", "/count/{name}", "/count/nope", 404),
        ("post", "/count/{name}", "/count/nope", 404),
        ("get", "/count/{name}/series", "/count/nope/series", 404),
    ],
)
def test_error_matches_the_documented_schema(client, db, method, path, url, status):
    document = openapi(client)

    response = getattr(client, method)(url)

    assert response.status_code == status
    assert_matches_schema(document, path, method, response)
