"""Hand-written hostile input (issue 5): never a 500, never HTML, nothing executed."""

import pytest

from counters.models import Counter, CounterDaily

INJECTIONS = [
    "'; drop table counters; --",
    "a' or '1'='1",
    'a" or 1=1 --',
    "a); select pg_sleep(5); --",
    "$$; drop table counter_daily; $$",
]


def assert_json_answer(response, *statuses):
    assert response.status_code in statuses, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    # An error says why, under `detail` or under the parameter's name (API.md, Errors).
    assert response.status_code == 200 or response.json()


@pytest.mark.parametrize("name", INJECTIONS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_sql_injection_in_a_name_is_a_404(client, make_counter, name, method):
    make_counter("portfolio")

    response = getattr(client, method)("/count/" + name)

    assert_json_answer(response, 404)
    assert Counter.objects.filter(id="portfolio").exists()


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("param", ["start", "end", "group", "fill", "format"])
def test_sql_injection_in_a_series_parameter_is_a_400(client, make_counter, param, value):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series", {param: value})

    assert_json_answer(response, 400)
    assert param in str(response.json())


@pytest.mark.parametrize(
    "path",
    [
        "/count/a%00",
        "/count/%00",
        "/count/portfolio%00/series",
        "/count/portfolio/series?start=2026-01-01%00",
        "/count/portfolio/series?group=day%00",
    ],
)
def test_null_bytes_never_reach_the_database(client, make_counter, path):
    make_counter("portfolio")

    response = client.get(path)

    assert_json_answer(response, 400, 404)


def test_unknown_parameters_are_ignored_even_hostile_ones(client, make_counter):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series?%00=1&%27%3B--=x")

    assert_json_answer(response, 200)


@pytest.mark.parametrize("method", ["get", "post"])
def test_very_long_path_is_a_404(client, db, method):
    response = getattr(client, method)("/count/" + "a" * 100_000)

    assert_json_answer(response, 404)


def test_very_long_query_string_is_answered(client, make_counter):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series?" + "x=" + "y" * 100_000 + "&start=bad")

    assert_json_answer(response, 400)


def test_many_query_parameters_are_refused_not_crashed(client, make_counter):
    make_counter("portfolio")
    query = "&".join(f"p{i}=1" for i in range(2000))

    response = client.get(f"/count/portfolio/series?{query}")

    # Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields: a JSON 400.
    assert_json_answer(response, 400)


@pytest.mark.parametrize(
    "query",
    [
        {"start": "9999-12-31"},
        {"end": "0001-01-01"},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "9999-12-31", "group": "month"},
        {"start": "0001-01-01", "fill": "zero", "group": "month"},
    ],
)
def test_extreme_dates_are_answered(client, make_counter, query):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series", query)

    assert_json_answer(response, 200, 400)


@pytest.mark.parametrize(
    "value",
    ["10000-01-01", "-0001-01-01", "2026-13-01", "2026-02-30", "0000-01-01", "+2026-01-01", "1e9"],
)
def test_out_of_range_dates_are_a_400(client, make_counter, value):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series", {"start": value})

    assert_json_answer(response, 400)
    assert "start" in response.json()


def test_fill_zero_at_the_end_of_time_is_answered(client, make_counter):
    counter = make_counter("portfolio")
    CounterDaily.objects.create(counter=counter, bucket_date="9999-12-31", count=1)

    response = client.get(
        "/count/portfolio/series", {"start": "9999-12-01", "end": "9999-12-31", "fill": "zero"}
    )

    assert_json_answer(response, 200)
    assert response.json()["total"] == 1


def test_week_bucket_before_year_one_is_answered(client, make_counter):
    counter = make_counter("portfolio")
    CounterDaily.objects.create(counter=counter, bucket_date="0001-01-01", count=1)

    response = client.get("/count/portfolio/series", {"group": "week", "fill": "zero"})

    assert_json_answer(response, 200, 400)


def test_hostile_host_header_is_a_400_not_a_500(client, db):
    response = client.get("/healthz", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_invalid_utf8_in_the_path_is_a_404(client, db):
    response = client.get("/count/%FF%FE")

    assert_json_answer(response, 404)
