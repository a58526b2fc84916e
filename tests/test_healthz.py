"""GET /healthz: a cheap database check for load balancers (README: "Health checks").

Its 503 while the database is down is proven against a real outage in test_outage.py.
"""


def test_healthz_is_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_one_cheap_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        client.get("/healthz")

    assert captured.captured_queries[0]["sql"] == "select 1"


def test_healthz_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/count/portfolio").status_code == 301
    assert client.get("/healthz").status_code == 200


def test_healthz_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "503" in schema["paths"]["/healthz"]["get"]["responses"]
