"""import_history and export_history: the commands and the admin's page and actions."""

import datetime
import io
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from counters import history
from counters.models import CounterDaily

D1, D2, D3 = datetime.date(2025, 1, 1), datetime.date(2025, 1, 2), datetime.date(2025, 1, 3)


def history_of(name: str) -> dict:
    return dict(CounterDaily.objects.filter(counter_id=name).values_list("bucket_date", "count"))


def csv_file(tmp_path, text: str, name: str = "old.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def add_days(counter, *days):
    for day, count in days:
        CounterDaily.objects.create(counter=counter, bucket_date=day, count=count)


# --- import_history command -----------------------------------------------------------


def test_import_adds_the_days_of_a_csv_file(make_counter, tmp_path):
    make_counter("portfolio")
    path = csv_file(tmp_path, "date,count\n2025-01-01,4\n2025-01-02,7\n")
    out = io.StringIO()

    call_command("import_history", "portfolio", path, stdout=out)

    assert history_of("portfolio") == {D1: 4, D2: 7}
    assert "Added 2 day(s) of portfolio, 11 use(s) in all" in out.getvalue()


def test_import_reads_standard_input_for_a_dash(make_counter, monkeypatch):
    make_counter("portfolio")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"2025-01-01,4\n")))

    call_command("import_history", "portfolio", "-", stdout=io.StringIO())

    assert history_of("portfolio") == {D1: 4}


def test_import_without_header_and_with_bom_and_crlf(make_counter, tmp_path):
    make_counter("portfolio")
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf2025-01-01,4\r\n 2025-01-02 , 7 \r\n\r\n")

    call_command("import_history", "portfolio", str(path), stdout=io.StringIO())

    assert history_of("portfolio") == {D1: 4, D2: 7}


def test_import_add_mode_adds_to_existing_days(make_counter, tmp_path):
    add_days(make_counter("portfolio"), (D1, 10), (D3, 1))

    call_command(
        "import_history", "portfolio", csv_file(tmp_path, "2025-01-01,4\n2025-01-02,7\n"),
        stdout=io.StringIO(),
    )  # fmt: skip

    assert history_of("portfolio") == {D1: 14, D2: 7, D3: 1}


def test_import_replace_mode_replaces_only_the_days_in_the_file(make_counter, tmp_path):
    add_days(make_counter("portfolio"), (D1, 10), (D3, 1))

    call_command(
        "import_history", "portfolio", csv_file(tmp_path, "2025-01-01,4\n2025-01-02,7\n"),
        "--mode", "replace", stdout=io.StringIO(),
    )  # fmt: skip

    assert history_of("portfolio") == {D1: 4, D2: 7, D3: 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-01-01,4\n2025-13-01,2\n", "Line 2 ('2025-13-01,2'): '2025-13-01' is not a date"),
        ("2025-01-01,4\n01/02/2025,2\n", "Line 2"),
        ("2025-01-01,4\n2025-01-02,-3\n", "Line 2 ('2025-01-02,-3'): '-3' is not a non-negative"),
        ("2025-01-01,4\n2025-01-02,2.5\n", "'2.5' is not a non-negative whole number"),
        ("2025-01-01,4\n2025-01-02,two\n", "Line 2"),
        ("2025-01-01,4\n\n2025-01-02\n", "Line 3 ('2025-01-02'): expected two fields"),
        ("2025-01-01,4\n2025-01-01,5\n", "Line 2 ('2025-01-01,5'): 2025-01-01 is already on"),
        ("2025-01-01,99999999999999999999\n", "Line 1 ('2025-01-01,99999999999999999999')"),
        ("date,count\n", "The file has no date,count lines"),
    ],
)
def test_import_refuses_a_bad_file_naming_the_line(make_counter, tmp_path, text, message):
    make_counter("portfolio")

    with pytest.raises(CommandError, match="Nothing was imported") as raised:
        call_command("import_history", "portfolio", csv_file(tmp_path, text))

    assert message in str(raised.value)


def test_import_refuses_future_days_in_the_service_time_zone(make_counter, tmp_path, settings):
    settings.COUNTERHUB_TIME_ZONE = settings.TIME_ZONE = "Pacific/Kiritimati"
    make_counter("portfolio")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(CommandError, match=f"Line 2 .*{tomorrow} is in the future"):
        call_command(
            "import_history", "portfolio", csv_file(tmp_path, f"2025-01-01,1\n{tomorrow},1\n")
        )


def test_import_of_today_is_allowed(make_counter, tmp_path):
    make_counter("portfolio")

    call_command(
        "import_history", "portfolio", csv_file(tmp_path, f"{timezone.localdate()},3\n"),
        stdout=io.StringIO(),
    )  # fmt: skip

    assert history_of("portfolio") == {timezone.localdate(): 3}


def test_import_is_all_or_nothing(make_counter, tmp_path):
    add_days(make_counter("portfolio"), (D1, 10))

    with pytest.raises(CommandError):
        call_command(
            "import_history", "portfolio", csv_file(tmp_path, "2025-01-01,4\n2025-01-02,x\n")
        )

    assert history_of("portfolio") == {D1: 10}


def test_import_that_overflows_a_day_is_rolled_back(make_counter, tmp_path):
    add_days(make_counter("portfolio"), (D1, history.MAX_COUNT))

    with pytest.raises(CommandError, match="2025-01-02,5'\\): the counter's total would pass"):
        path = csv_file(tmp_path, "2025-01-02,5\n2025-01-01,1")
        call_command("import_history", "portfolio", path)

    assert history_of("portfolio") == {D1: history.MAX_COUNT}


def test_import_into_unregistered_counter_fails(db, tmp_path):
    with pytest.raises(CommandError, match="No counter named 'nope'"):
        call_command("import_history", "nope", csv_file(tmp_path, "2025-01-01,4\n"))


def test_import_of_a_missing_file_fails_clearly(make_counter, tmp_path):
    make_counter("portfolio")

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_history", "portfolio", str(tmp_path / "missing.csv"))


def test_import_of_a_binary_file_fails_clearly(make_counter, tmp_path):
    make_counter("portfolio")
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\x00\x01")

    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_history", "portfolio", str(path))


# --- export_history command -----------------------------------------------------------


def test_export_of_one_counter_is_the_csv_import_reads(make_counter, tmp_path):
    add_days(make_counter("portfolio"), (D2, 7), (D1, 4))
    out = io.StringIO()

    call_command("export_history", "portfolio", stdout=out)

    assert out.getvalue() == "date,count\n2025-01-01,4\n2025-01-02,7\n"


def test_export_then_import_round_trips(make_counter, tmp_path):
    add_days(make_counter("portfolio"), (D1, 4), (D2, 7))
    make_counter("copy")
    path = str(tmp_path / "portfolio.csv")

    call_command("export_history", "portfolio", "--output", path, stderr=io.StringIO())
    call_command("import_history", "copy", path, stdout=io.StringIO())

    assert history_of("copy") == {D1: 4, D2: 7}


def test_export_of_all_counters_names_each_line(make_counter):
    add_days(make_counter("b-site"), (D1, 1))
    add_days(make_counter("a-site"), (D2, 2))
    out = io.StringIO()

    call_command("export_history", stdout=out)

    assert out.getvalue() == "counter,date,count\na-site,2025-01-02,2\nb-site,2025-01-01,1\n"


def test_export_as_json_has_every_counter_and_its_days(make_counter, settings):
    add_days(make_counter("portfolio", description="Site"), (D1, 4), (D2, 7))
    make_counter("empty", enabled=False)
    out = io.StringIO()

    call_command("export_history", "--format", "json", stdout=out)

    document = json.loads(out.getvalue())
    assert document["time_zone"] == settings.COUNTERHUB_TIME_ZONE
    # Migration 0003 registers dotfiles, which is exported too.
    counters = {c["counter"]: c for c in document["counters"]}
    assert list(counters) == sorted(counters)
    empty, portfolio = counters["empty"], counters["portfolio"]
    assert (empty["counter"], empty["enabled"], empty["days"], empty["total"]) == (
        "empty", False, [], 0,
    )  # fmt: skip
    assert portfolio["description"] == "Site"
    assert portfolio["total"] == 11
    assert portfolio["days"] == [
        {"date": "2025-01-01", "count": 4},
        {"date": "2025-01-02", "count": 7},
    ]


def test_export_of_unregistered_counter_fails(db):
    with pytest.raises(CommandError, match="No counter named 'nope'"):
        call_command("export_history", "nope", stdout=io.StringIO())


# --- the admin --------------------------------------------------------------------------

IMPORT_URL = "/admin/counters/counter/portfolio/import-history/"


def upload(text: str, name: str = "old.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_counter_page_links_to_the_import(admin_client, make_counter):
    make_counter("portfolio")

    response = admin_client.get("/admin/counters/counter/portfolio/change/")

    assert IMPORT_URL.encode() in response.content


def test_admin_import_shows_the_form(admin_client, make_counter):
    make_counter("portfolio")

    response = admin_client.get(IMPORT_URL)

    assert response.status_code == 200
    assert b'type="file"' in response.content
    assert b'value="replace"' in response.content


def test_admin_import_writes_history_and_records_who_did_it(admin_client, admin_user, make_counter):
    add_days(make_counter("portfolio"), (D1, 10))

    response = admin_client.post(
        IMPORT_URL, {"file": upload("date,count\n2025-01-01,4\n2025-01-02,7\n"), "mode": "add"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/counters/counter/portfolio/change/"
    assert history_of("portfolio") == {D1: 14, D2: 7}
    entry = LogEntry.objects.get(object_id="portfolio")
    assert (entry.user, entry.action_flag) == (admin_user, CHANGE)
    assert entry.change_message == (
        "Imported history: Added 2 day(s) of portfolio, 11 use(s) in all, from old.csv."
    )


def test_admin_import_can_replace(admin_client, make_counter):
    add_days(make_counter("portfolio"), (D1, 10))

    admin_client.post(IMPORT_URL, {"file": upload("2025-01-01,4\n"), "mode": "replace"})

    assert history_of("portfolio") == {D1: 4}


def test_admin_import_of_a_bad_file_names_the_line_and_imports_nothing(admin_client, make_counter):
    add_days(make_counter("portfolio"), (D1, 10))

    response = admin_client.post(
        IMPORT_URL, {"file": upload("2025-01-01,4\n2025-01-02,-1\n"), "mode": "add"}
    )

    assert response.status_code == 200
    assert "Line 2" in response.content.decode()
    assert "Nothing was imported" in response.content.decode()
    assert history_of("portfolio") == {D1: 10}
    assert not LogEntry.objects.exists()


def test_admin_import_needs_change_permission(client, make_counter, django_user_model):
    make_counter("portfolio")
    staff = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(staff)

    response = client.post(IMPORT_URL, {"file": upload("2025-01-01,4\n"), "mode": "add"})

    assert response.status_code == 403
    assert not CounterDaily.objects.exists()


def test_admin_import_of_unknown_counter_is_404(admin_client, db):
    assert admin_client.get("/admin/counters/counter/nope/import-history/").status_code == 404


@pytest.mark.parametrize(
    ("action", "content_type", "filename"),
    [
        ("export_history_csv", "text/csv; charset=utf-8", "portfolio-history.csv"),
        ("export_history_json", "application/json", "portfolio-history.json"),
    ],
)
def test_admin_export_action_downloads_the_history(
    admin_client, make_counter, action, content_type, filename
):
    add_days(make_counter("portfolio"), (D1, 4))

    response = admin_client.post(
        "/admin/counters/counter/", {"action": action, "_selected_action": ["portfolio"]}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    if action == "export_history_csv":
        assert response.content == b"date,count\n2025-01-01,4\n"
    else:
        assert json.loads(response.content)["counters"][0]["days"] == [
            {"date": "2025-01-01", "count": 4}
        ]


def test_admin_export_of_several_counters_names_each_line(admin_client, make_counter):
    add_days(make_counter("a-site"), (D1, 1))
    add_days(make_counter("b-site"), (D2, 2))

    response = admin_client.post(
        "/admin/counters/counter/",
        {"action": "export_history_csv", "_selected_action": ["a-site", "b-site"]},
    )

    assert response["Content-Disposition"] == 'attachment; filename="counterhub-history.csv"'
    assert response.content == b"counter,date,count\na-site,2025-01-01,1\nb-site,2025-01-02,2\n"
