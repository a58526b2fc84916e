"""Hand-written hostile input: each gets its one answer, JSON, and nothing is executed.

The answers are the README's ("The API", "Errors"): a malformed name is the 404 of an
unregistered one, a bad parameter a 400 naming it, never a 500 or an HTML page.
"""

import pytest

from counters.models import CounterDaily

INJECTIONS = [
    "'; drop table counters; --",
    "a' or '1'='1",
    'a" or 1=1 --',
    "a); select pg_sleep(5); --",
    "$$; drop table counter_daily; $$",
]

JSON = "application/json"
WRONG_DATE = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
RANGE_TOO_LONG = {"detail": "The range is too long: fill=zero serves at most 3660 buckets."}
# The message of a bad value, per series parameter.
SERIES_REFUSALS = {
    "start": WRONG_DATE,
    "end": WRONG_DATE,
    "group": '"{value}" is not a valid choice.',
    "fill": '"{value}" is not a valid choice.',
    "format": "Must be one of: csv, json.",
}


def answer(response) -> tuple[int, str, object]:
    """What a client gets: the status, the content type and the JSON body."""
    return response.status_code, response["Content-Type"], response.json()


def not_registered(name: str) -> dict[str, str]:
    return {"detail": f"No counter named {name!r} is registered."}


def empty_series(start=None, end=None, group="day") -> dict[str, object]:
    return {
        "counter": "portfolio",
        "start": start,
        "end": end,
        "group": group,
        "fill": "none",
        "total": 0,
        "points": [],
    }


@pytest.mark.parametrize("name", INJECTIONS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_sql_injection_in_a_name_is_a_404_without_asking_the_database(
    client, make_counter, django_assert_num_queries, name, method
):
    make_counter("portfolio")

    with django_assert_num_queries(0):
        response = getattr(client, method)("/count/" + name)

    assert answer(response) == (404, JSON, not_registered(name))


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("param", SERIES_REFUSALS)
def test_sql_injection_in_a_series_parameter_is_a_400_naming_it(client, make_counter, param, value):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series", {param: value})

    message = SERIES_REFUSALS[param].format(value=value)
    assert answer(response) == (400, JSON, {param: [message]})


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/count/a%00", "a\x00"),
        ("/count/%00", "\x00"),
        ("/count/portfolio%00/series", "portfolio\x00"),
    ],
)
def test_null_byte_in_a_name_is_a_404_that_never_reaches_the_database(
    client, make_counter, django_assert_num_queries, path, name
):
    make_counter("portfolio")

    with django_assert_num_queries(0):
        response = client.get(path)

    assert answer(response) == (404, JSON, not_registered(name))


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("start=2026-01-01%00", {"start": [WRONG_DATE]}),
        ("group=day%00", {"group": ['"day\x00" is not a valid choice.']}),
    ],
)
def test_null_byte_in_a_parameter_is_a_400_that_never_reaches_the_database(
    client, make_counter, django_assert_num_queries, query, body
):
    make_counter("portfolio")

    with django_assert_num_queries(0):
        response = client.get(f"/count/portfolio/series?{query}")

    assert answer(response) == (400, JSON, body)


def test_unknown_parameters_are_ignored_even_hostile_ones(client, make_counter):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series?%00=1&%27%3B--=x")

    assert answer(response) == (200, JSON, empty_series())


@pytest.mark.parametrize("method", ["get", "post"])
def test_very_long_path_is_a_404(client, db, method):
    name = "a" * 100_000

    response = getattr(client, method)("/count/" + name)

    assert answer(response) == (404, JSON, not_registered(name))


def test_very_long_query_string_still_names_the_bad_parameter(client, make_counter):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series?" + "x=" + "y" * 100_000 + "&start=bad")

    assert answer(response) == (400, JSON, {"start": [WRONG_DATE]})


def test_too_many_query_parameters_are_a_400(client, make_counter):
    make_counter("portfolio")
    query = "&".join(f"p{i}=1" for i in range(2000))

    response = client.get(f"/count/portfolio/series?{query}")

    # Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields before any view runs.
    assert answer(response) == (400, JSON, {"detail": "Bad request."})


@pytest.mark.parametrize(
    "query",
    [
        {"start": "9999-12-31"},
        {"end": "0001-01-01"},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "9999-12-31", "group": "month"},
    ],
)
def test_extreme_dates_are_an_empty_series(client, make_counter, query):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series", query)

    expected = empty_series(query.get("start"), query.get("end"), query.get("group", "day"))
    assert answer(response) == (200, JSON, expected)


def test_fill_zero_from_year_one_to_today_is_a_range_too_long(client, make_counter):
    make_counter("portfolio")

    response = client.get(
        "/count/portfolio/series", {"start": "0001-01-01", "fill": "zero", "group": "month"}
    )

    assert answer(response) == (400, JSON, RANGE_TOO_LONG)


@pytest.mark.parametrize(
    "value", ["10000-01-01", "-0001-01-01", "0000-01-01", "+2026-01-01", "1e9"]
)
def test_dates_outside_what_a_date_can_be_are_a_400(client, make_counter, value):
    make_counter("portfolio")

    response = client.get("/count/portfolio/series", {"start": value})

    assert answer(response) == (400, JSON, {"start": [WRONG_DATE]})


def test_fill_zero_at_the_end_of_time_is_answered(client, make_counter):
    counter = make_counter("portfolio")
    CounterDaily.objects.create(counter=counter, bucket_date="9999-12-31", count=1)

    response = client.get(
        "/count/portfolio/series", {"start": "9999-12-01", "end": "9999-12-31", "fill": "zero"}
    )

    points = [{"date": f"9999-12-{day:02}", "count": 0} for day in range(1, 31)]
    assert answer(response) == (
        200,
        JSON,
        {
            "counter": "portfolio",
            "start": "9999-12-01",
            "end": "9999-12-31",
            "group": "day",
            "fill": "zero",
            "total": 1,
            "points": [*points, {"date": "9999-12-31", "count": 1}],
        },
    )


def test_week_buckets_at_the_start_of_time_begin_on_its_first_day(client, make_counter):
    # 0001-01-01 is a Monday, so no week bucket starts before the first date there is.
    counter = make_counter("portfolio")
    CounterDaily.objects.create(counter=counter, bucket_date="0001-01-03", count=1)

    response = client.get(
        "/count/portfolio/series", {"group": "week", "fill": "zero", "end": "0001-01-14"}
    )

    assert answer(response) == (
        200,
        JSON,
        {
            "counter": "portfolio",
            "start": "0001-01-03",
            "end": "0001-01-14",
            "group": "week",
            "fill": "zero",
            "total": 1,
            "points": [{"date": "0001-01-01", "count": 1}, {"date": "0001-01-08", "count": 0}],
        },
    )


def test_fill_zero_by_week_from_a_first_day_in_year_one_is_a_range_too_long(client, make_counter):
    # The open start is closed by the first day with data: 0001-01-01 to today.
    counter = make_counter("portfolio")
    CounterDaily.objects.create(counter=counter, bucket_date="0001-01-01", count=1)

    response = client.get("/count/portfolio/series", {"group": "week", "fill": "zero"})

    assert answer(response) == (400, JSON, RANGE_TOO_LONG)


def test_hostile_host_header_is_a_json_400(client, db):
    response = client.get("/healthz", HTTP_HOST="evil.example")

    assert answer(response) == (400, JSON, {"detail": "Bad request."})


def test_invalid_utf8_in_the_path_is_a_404(client, db):
    response = client.get("/count/%FF%FE")

    assert answer(response) == (404, JSON, not_registered("%FF%FE"))
