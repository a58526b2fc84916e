"""GET /count/{name}/badge.svg and /badge.json: badges in shields.io's look."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from counters import badges
from counters.models import CounterDaily

SVG = "{http://www.w3.org/2000/svg}"
NOT_A_COLOR = (
    "Must be a colour name (brightgreen, green, yellow, yellowgreen, orange, red, blue, grey, "
    "lightgrey, gray, lightgray, critical, important, success, informational, inactive) or a "
    "hex code such as ff8800."
)


def parse(response) -> ET.Element:
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    return root


def visible_texts(root: ET.Element) -> list[str]:
    """The texts a reader sees: not the shadows, which repeat them."""
    return [t.text for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]


def add_days(counter, *days: tuple[datetime.date, int]):
    for day, count in days:
        CounterDaily.objects.create(counter=counter, bucket_date=day, count=count)


# --- the SVG badge --------------------------------------------------------------------


def test_badge_shows_the_counters_name_and_total(client, make_counter):
    add_days(make_counter("portfolio"), (datetime.date(2026, 1, 1), 1234))

    response = client.get("/count/portfolio/badge.svg")

    assert response.status_code == 200
    root = parse(response)
    assert visible_texts(root) == ["portfolio", "1234"]
    assert root.find(f"{SVG}title").text == "portfolio: 1234"
    assert root.get("aria-label") == "portfolio: 1234"


def test_badge_dimensions_follow_verdana_metrics_like_shields_io(client, make_counter):
    add_days(make_counter("portfolio"), (datetime.date(2026, 1, 1), 1234))

    root = parse(client.get("/count/portfolio/badge.svg"))

    # shields.io draws "portfolio | 1234" 92 x 20: 45.82 px of text + 10 px padding on
    # the left, 27.96 px + 10 on the right, each width rounded down and up to odd.
    assert (root.get("width"), root.get("height")) == ("92", "20")
    rects = root.findall(f"{SVG}g/{SVG}rect")
    assert [r.get("width") for r in rects[:2]] == ["55", "37"]


def test_text_width_comes_from_the_font_not_the_character_count():
    assert badges.text_width("iiii") < badges.text_width("WWWW")
    assert badges.text_width("portfolio") == pytest.approx(45.82)


def test_a_badge_never_counts_a_use(client, make_counter):
    make_counter("portfolio")

    for _ in range(3):
        client.get("/count/portfolio/badge.svg")
        client.get("/count/portfolio/badge.json")

    assert not CounterDaily.objects.exists()
    assert client.get("/count/portfolio").json()["total"] == 0


def test_script_in_the_label_is_harmless_text(client, make_counter):
    make_counter("portfolio")
    label = "<script>alert('x')</script> & \"quotes\""

    response = client.get("/count/portfolio/badge.svg", {"label": label})

    assert b"<script" not in response.content
    root = parse(response)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert visible_texts(root) == [label, "0"]
    assert root.get("aria-label") == f"{label}: 0"


def test_label_replaces_the_counters_name(client, make_counter):
    make_counter("portfolio")

    root = parse(client.get("/count/portfolio/badge.svg", {"label": "visits"}))

    assert visible_texts(root) == ["visits", "0"]


def test_empty_label_draws_the_message_alone(client, make_counter):
    make_counter("portfolio")

    root = parse(client.get("/count/portfolio/badge.svg", {"label": ""}))

    assert visible_texts(root) == ["0"]
    # "0" is 6.99 px: rounded to 7, plus 5 px padding either side.
    assert root.get("width") == "17"


@pytest.mark.parametrize(
    ("value", "message"),
    [("total", "111"), ("today", "1 today"), ("7d", "11 last 7 days"), ("30d", "111 last 30 days")],
)
def test_value_chooses_the_figure(client, make_counter, value, message):
    today = timezone.localdate()
    add_days(
        make_counter("portfolio"),
        (today, 1),
        (today - datetime.timedelta(days=6), 10),
        (today - datetime.timedelta(days=29), 100),
    )

    root = parse(client.get("/count/portfolio/badge.svg", {"value": value}))

    assert visible_texts(root)[1] == message


def test_abbreviated_shows_metric_form(client, make_counter):
    add_days(make_counter("portfolio"), (datetime.date(2026, 1, 1), 1234))

    root = parse(client.get("/count/portfolio/badge.svg", {"abbreviated": "true"}))

    assert visible_texts(root)[1] == "1.2k"


@pytest.mark.parametrize(
    ("n", "shown"),
    [(0, "0"), (999, "999"), (1000, "1k"), (1234, "1.2k"), (9960, "10k"), (12345, "12k")]
    + [(999_999, "1M"), (1_500_000, "1.5M"), (2_000_000_000, "2G")],
)
def test_abbreviate_matches_shields_io(n, shown):
    assert badges.abbreviate(n) == shown


def test_color_and_label_color_fill_the_two_halves(client, make_counter):
    make_counter("portfolio")

    root = parse(
        client.get("/count/portfolio/badge.svg", {"color": "ff8800", "labelColor": "#123"})
    )

    rects = root.findall(f"{SVG}g/{SVG}rect")
    assert [r.get("fill") for r in rects[:2]] == ["#123", "#ff8800"]


def test_named_colors_are_shields_io_colors(client, make_counter):
    make_counter("portfolio")

    root = parse(client.get("/count/portfolio/badge.svg", {"color": "brightgreen"}))

    assert root.findall(f"{SVG}g/{SVG}rect")[1].get("fill") == "#4c1"


def test_dark_text_on_a_light_color(client, make_counter):
    make_counter("portfolio")

    root = parse(client.get("/count/portfolio/badge.svg", {"color": "f0f0f0"}))

    message = [t for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"][1]
    assert message.get("fill") == "#333"


def test_flat_square_has_square_corners_and_no_gradient(client, make_counter):
    make_counter("portfolio")

    root = parse(client.get("/count/portfolio/badge.svg", {"style": "flat-square"}))

    assert root.get("height") == "20"
    assert root.find(f"{SVG}clipPath") is None
    assert root.find(f"{SVG}linearGradient") is None


def test_for_the_badge_is_28_high_in_capitals(client, make_counter):
    make_counter("portfolio")

    root = parse(client.get("/count/portfolio/badge.svg", {"style": "for-the-badge"}))

    assert root.get("height") == "28"
    assert visible_texts(root) == ["PORTFOLIO", "0"]
    # Capitals at 10px with 1.25 px spacing: 58 px + 9 x 1.25 + 24 px margins.
    assert root.find(f"{SVG}g/{SVG}rect").get("width") == "93.25"


def test_disabled_counter_still_has_a_badge(client, make_counter):
    make_counter("portfolio", enabled=False)

    assert client.get("/count/portfolio/badge.svg").status_code == 200


def test_unknown_query_parameters_are_ignored(client, make_counter):
    make_counter("portfolio")

    assert client.get("/count/portfolio/badge.svg", {"cache-bust": "2"}).status_code == 200


@pytest.mark.parametrize(
    ("parameter", "value", "message"),
    [
        ("color", "notacolor", NOT_A_COLOR),
        ("labelColor", "12345", NOT_A_COLOR),
        ("style", "plastic", '"plastic" is not a valid choice.'),
        ("value", "1y", '"1y" is not a valid choice.'),
        ("abbreviated", "maybe", "Must be a valid boolean."),
        ("label", "x" * 101, "Ensure this field has no more than 100 characters."),
        ("label", "bell\x07", "Must not contain control characters."),
    ],
)
@pytest.mark.parametrize("endpoint", ["badge.svg", "badge.json"])
def test_bad_parameter_is_400_naming_it(client, make_counter, endpoint, parameter, value, message):
    make_counter("portfolio")

    response = client.get(f"/count/portfolio/{endpoint}", {parameter: value})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {parameter: [message]}


def test_unknown_counter_is_a_grey_not_found_badge_with_404(client, db):
    response = client.get("/count/nope/badge.svg")

    assert response.status_code == 404
    root = parse(response)
    assert visible_texts(root) == ["nope", "not found"]
    assert root.findall(f"{SVG}g/{SVG}rect")[1].get("fill") == "#9f9f9f"


@pytest.mark.parametrize("path", ["/count/Nope/badge.svg", "/count/%3Cscript%3E/badge.svg"])
def test_malformed_name_is_a_not_found_badge_without_echoing_it(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert visible_texts(parse(response)) == ["counter", "not found"]


def test_not_found_badge_keeps_a_valid_style(client, db):
    response = client.get("/count/nope/badge.svg", {"style": "for-the-badge", "label": "hits"})

    assert response.status_code == 404
    assert visible_texts(parse(response)) == ["HITS", "NOT FOUND"]


# --- caching --------------------------------------------------------------------------


def test_badge_is_revalidated_by_camo_with_an_etag(client, make_counter):
    make_counter("portfolio")

    response = client.get("/count/portfolio/badge.svg")

    assert response["Cache-Control"] == "no-cache, max-age=0"
    assert response["ETag"].startswith('"')


def test_unchanged_badge_is_304(client, make_counter):
    make_counter("portfolio")
    etag = client.get("/count/portfolio/badge.svg")["ETag"]

    response = client.get("/count/portfolio/badge.svg", headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_changed_count_changes_the_etag(client, make_counter):
    make_counter("portfolio")
    etag = client.get("/count/portfolio/badge.svg")["ETag"]
    client.post("/count/portfolio")

    response = client.get("/count/portfolio/badge.svg", headers={"if-none-match": etag})

    assert response.status_code == 200
    assert visible_texts(parse(response))[1] == "1"


def test_badge_max_age_setting_allows_caching(client, make_counter, settings):
    settings.COUNTERHUB_BADGE_MAX_AGE = 300
    make_counter("portfolio")

    response = client.get("/count/portfolio/badge.svg")

    assert response["Cache-Control"] == "public, max-age=300"


def test_svg_opened_on_its_own_may_run_nothing(client, make_counter):
    make_counter("portfolio")

    response = client.get("/count/portfolio/badge.svg")

    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- the shields.io endpoint ----------------------------------------------------------


def test_json_badge_follows_shields_endpoint_schema(client, make_counter):
    add_days(make_counter("portfolio"), (datetime.date(2026, 1, 1), 1234))

    response = client.get("/count/portfolio/badge.json")

    assert response.status_code == 200
    assert response.json() == {
        "schemaVersion": 1,
        "label": "portfolio",
        "message": "1234",
        "color": "blue",
    }


def test_json_badge_takes_the_same_parameters(client, make_counter):
    add_days(make_counter("portfolio"), (timezone.localdate(), 1500))

    response = client.get(
        "/count/portfolio/badge.json",
        {"label": "hits", "value": "today", "abbreviated": "1", "color": "green"}
        | {"labelColor": "333", "style": "flat-square"},
    )

    assert response.json() == {
        "schemaVersion": 1,
        "label": "hits",
        "message": "1.5k today",
        "color": "green",
        "labelColor": "333",
        "style": "flat-square",
    }


def test_json_badge_carries_cache_seconds_from_the_max_age_setting(client, make_counter, settings):
    """README: "shields.io endpoint badge"."""
    settings.COUNTERHUB_BADGE_MAX_AGE = 600
    make_counter("portfolio")

    response = client.get("/count/portfolio/badge.json")

    assert response.json()["cacheSeconds"] == 600
    assert response["Cache-Control"] == "public, max-age=600"


def test_json_badge_without_max_age_leaves_cache_seconds_to_shields(client, make_counter):
    make_counter("portfolio")

    response = client.get("/count/portfolio/badge.json")

    assert "cacheSeconds" not in response.json()


def test_json_badge_of_unknown_counter_is_404(client, db):
    response = client.get("/count/nope/badge.json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No counter named 'nope' is registered."}


def test_badges_are_in_the_openapi_schema(client, db):
    response = client.get("/api/schema/", {"format": "json"})

    paths = response.json()["paths"]
    assert "/count/{name}/badge.svg" in paths
    parameters = {p["name"] for p in paths["/count/{name}/badge.json"]["get"]["parameters"]}
    assert {"label", "color", "labelColor", "style", "value", "abbreviated"} <= parameters
