"""The OpenAPI schema and its docs page, served with no CDN."""

import re

import yaml


def test_schema_describes_the_counting_endpoints(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/count/{name}", "/count/{name}/series"} <= set(schema["paths"])
    assert {"get", "post"} <= set(schema["paths"]["/count/{name}"])


def test_series_parameters_are_documented(client, db):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    parameters = {p["name"] for p in schema["paths"]["/count/{name}/series"]["get"]["parameters"]}
    assert {"start", "end", "group", "fill", "format"} <= parameters


def test_docs_page_loads_its_assets_from_this_server(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    sources = re.findall(rb'(?:src|href)="([^"]+)"', response.content)
    assert sources
    assert all(not s.startswith((b"http:", b"https:", b"//")) for s in sources)
