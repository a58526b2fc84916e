"""import_history --format json: restore what export_history --format json wrote
(README: "Restore from a JSON export", "Backups")."""

import datetime
import io
import json

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.management import CommandError, call_command

from counters.db import counter_summary
from counters.models import Counter, CounterDaily, CounterTotal

D1, D2 = datetime.date(2025, 1, 1), datetime.date(2025, 1, 2)


def everything() -> dict:
    """Every counter's registry fields, days and kept total."""
    return {
        c.pk: {
            "description": c.description,
            "enabled": c.enabled,
            "created_at": c.created_at,
            "days": dict(c.daily.values_list("bucket_date", "count")),
            "total": CounterTotal.objects.filter(counter=c).values_list("total", flat=True).first()
            or 0,
            "summary_total": counter_summary(c.pk).total,
        }
        for c in Counter.objects.all()
    }


def export_json(tmp_path) -> str:
    path = tmp_path / "all.json"
    call_command("export_history", "--format", "json", "--output", str(path), stderr=io.StringIO())
    return str(path)


def restore(path: str, *options: str) -> str:
    out = io.StringIO()
    call_command("import_history", "--format", "json", path, *options, stdout=out)
    return out.getvalue()


def write_backup(tmp_path, counters: list[dict]) -> str:
    path = tmp_path / "backup.json"
    path.write_text(json.dumps({"time_zone": "UTC", "counters": counters}))
    return str(path)


def test_export_then_restore_into_an_empty_database_gives_back_every_counter(db, tmp_path):
    call_command("seed_demo", "--days", "90", stdout=io.StringIO())
    Counter.objects.filter(pk="dotfiles").update(description=None)
    before = everything()
    path = export_json(tmp_path)
    Counter.objects.all().delete()

    out = restore(path)

    assert everything() == before
    days = sum(len(c["days"]) for c in before.values())
    uses = sum(c["total"] for c in before.values())
    assert out == (
        f"Restored {len(before)} counter(s) ({len(before)} registered), {days} day(s), "
        f"{uses} use(s) in all, from {path} (add).\n"
    )


def test_restore_records_each_registration_in_the_admin_history(db, tmp_path):
    path = write_backup(tmp_path, [{"counter": "homelab", "enabled": False, "days": []}])

    restore(path)

    entry = LogEntry.objects.get(object_id="homelab")
    assert (entry.action_flag, entry.user.get_username()) == (ADDITION, "manage.py")


def test_restore_add_mode_adds_to_a_registered_counter_and_keeps_its_fields(make_counter, tmp_path):
    homelab = make_counter("homelab", description="Mine", enabled=True)
    CounterDaily.objects.create(counter=homelab, bucket_date=D1, count=5)
    path = write_backup(
        tmp_path,
        [
            {
                "counter": "homelab",
                "description": "Theirs",
                "enabled": False,
                "days": [{"date": "2025-01-01", "count": 3}, {"date": "2025-01-02", "count": 4}],
            }
        ],
    )

    out = restore(path)

    homelab.refresh_from_db()
    assert (homelab.description, homelab.enabled) == ("Mine", True)
    assert dict(homelab.daily.values_list("bucket_date", "count")) == {D1: 8, D2: 4}
    assert out.startswith("Restored 1 counter(s), 2 day(s), 7 use(s) in all")


def test_restore_replace_mode_sets_the_days_in_the_file(make_counter, tmp_path):
    homelab = make_counter("homelab")
    CounterDaily.objects.create(counter=homelab, bucket_date=D1, count=5)
    CounterDaily.objects.create(counter=homelab, bucket_date=D2, count=9)
    path = write_backup(
        tmp_path, [{"counter": "homelab", "days": [{"date": "2025-01-01", "count": 3}]}]
    )

    restore(path, "--mode", "replace")

    assert dict(homelab.daily.values_list("bucket_date", "count")) == {D1: 3, D2: 9}


def test_restore_is_all_or_nothing(db, tmp_path):
    path = write_backup(
        tmp_path,
        [
            {"counter": "first", "days": [{"date": "2025-01-01", "count": 3}]},
            {"counter": "second", "days": [{"date": "2025-01-01", "count": -1}]},
        ],
    )

    with pytest.raises(CommandError, match=r"Counter 2 \(second\), day 1: '-1' is not a non"):
        restore(path)

    assert not Counter.objects.filter(pk__in=["first", "second"]).exists()


def test_restore_refuses_days_that_do_not_add_up_to_the_total(db, tmp_path):
    path = write_backup(
        tmp_path,
        [{"counter": "first", "total": 10, "days": [{"date": "2025-01-01", "count": 3}]}],
    )

    with pytest.raises(CommandError, match="add up to 3, not to its total of 10"):
        restore(path)

    assert not Counter.objects.filter(pk="first").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "The file is not JSON"),
        ("[]", 'no "counters" list'),
        ('{"counters": [{"counter": "Bad Name", "days": []}]}', "'Bad Name' is not a counter"),
        (
            '{"counters": [{"counter": "a", "days": [{"date": "2025-13-01", "count": 1}]}]}',
            "'2025-13-01' is not a date",
        ),
    ],
)
def test_restore_refuses_a_bad_file_saying_what_is_wrong(db, tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)

    with pytest.raises(CommandError, match=message):
        restore(str(path))


def test_csv_import_still_needs_a_name(db, tmp_path):
    with pytest.raises(CommandError, match="Name the counter to import into"):
        call_command("import_history", str(tmp_path / "x.csv"))


def test_restore_from_another_time_zone_warns_and_loads_the_days_as_they_are(db, tmp_path):
    path = tmp_path / "berlin.json"
    days = [{"date": "2025-01-01", "count": 3}]
    path.write_text(
        json.dumps({"time_zone": "Europe/Berlin", "counters": [{"counter": "a", "days": days}]})
    )
    err = io.StringIO()

    call_command("import_history", "--format", "json", str(path), stdout=io.StringIO(), stderr=err)

    assert "the file's days are days in Europe/Berlin; this service's are in UTC" in err.getvalue()
    assert dict(
        CounterDaily.objects.filter(counter_id="a").values_list("bucket_date", "count")
    ) == {D1: 3}


def test_restore_refuses_a_day_that_would_overflow_naming_it_and_restores_nothing(
    make_counter, tmp_path
):
    homelab = make_counter("homelab")
    CounterDaily.objects.create(counter=homelab, bucket_date=D1, count=5)
    path = write_backup(
        tmp_path,
        [
            {"counter": "portfolio", "days": [{"date": "2025-01-01", "count": 1}]},
            {"counter": "homelab", "days": [{"date": "2025-01-01", "count": 2**63 - 1}]},
        ],
    )

    with pytest.raises(CommandError, match=r"2025-01-01"):
        restore(path)

    assert not Counter.objects.filter(pk="portfolio").exists()
    assert homelab.daily.get().count == 5
