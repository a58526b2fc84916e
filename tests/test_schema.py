"""The tables mirror docs/schema.md exactly, migrations undo cleanly, and models match them."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def columns(table):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            select column_name, data_type, is_nullable, column_default
            from information_schema.columns where table_name = %s order by column_name
            """,
            [table],
        )
        return {name: (kind, nullable, default) for name, kind, nullable, default in cursor}


def definitions(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor)


def test_counters_table_matches_the_seed(db):
    assert columns("counters") == {
        "id": ("text", "NO", None),
        "description": ("text", "YES", None),
        "enabled": ("boolean", "NO", "true"),
        "created_at": ("timestamp with time zone", "NO", "statement_timestamp()"),
    }


def test_counter_daily_table_matches_the_seed(db):
    assert columns("counter_daily") == {
        "counter_id": ("text", "NO", None),
        "bucket_date": ("date", "NO", "CURRENT_DATE"),
        "count": ("bigint", "NO", "0"),
        "updated_at": ("timestamp with time zone", "NO", "statement_timestamp()"),
    }


def test_constraints_match_the_seed(db):
    constraints = definitions(
        """
        select pg_get_constraintdef(oid) from pg_constraint
        where conrelid in ('counters'::regclass, 'counter_daily'::regclass)
        """,
        [],
    )

    assert constraints == sorted(
        [
            "CHECK ((length(TRIM(BOTH FROM id)) > 0))",
            "PRIMARY KEY (id)",
            "CHECK ((count >= 0))",
            "PRIMARY KEY (counter_id, bucket_date)",
            "FOREIGN KEY (counter_id) REFERENCES counters(id) ON DELETE CASCADE",
        ]
    )


def test_indexes_match_the_seed(db):
    indexes = definitions(
        "select indexdef from pg_indexes where tablename in ('counters', 'counter_daily')", []
    )

    assert [i.split(" USING ")[1] for i in indexes] == sorted(
        ["btree (id)", "btree (counter_id, bucket_date)", "btree (counter_id, bucket_date DESC)"]
    )
    assert any("counter_daily_counter_date_idx" in i for i in indexes)


def test_rows_inserted_by_plain_sql_get_the_database_defaults(db):
    with connection.cursor() as cursor:
        cursor.execute("insert into counters (id) values ('plain')")
        cursor.execute("insert into counter_daily (counter_id) values ('plain')")
        cursor.execute("select enabled, created_at is not null from counters where id = 'plain'")
        assert cursor.fetchone() == (True, True)
        cursor.execute(
            "select bucket_date = current_date, count from counter_daily where counter_id = 'plain'"
        )
        assert cursor.fetchone() == (True, 0)


def test_deleting_a_counter_by_plain_sql_cascades_to_its_history(db):
    with connection.cursor() as cursor:
        cursor.execute("insert into counters (id) values ('plain')")
        cursor.execute("insert into counter_daily (counter_id, count) values ('plain', 3)")
        cursor.execute("delete from counters where id = 'plain'")
        cursor.execute("select count(*) from counter_daily where counter_id = 'plain'")
        assert cursor.fetchone() == (0,)


def test_models_and_migrations_agree(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)

    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_migrating_to_zero_and_back_works():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("counters")

    call_command("migrate", "counters", "zero", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "select to_regclass('counters'), to_regprocedure('increment_counter(text,text)')"
        )
        assert cursor.fetchone() == (None, None)

    call_command("migrate", "counters", latest[0][1], verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("select * from increment_counter('dotfiles')")
        assert cursor.fetchone()[3] == 1


@pytest.mark.django_db(transaction=True)
def test_migrations_register_dotfiles_once_and_enabled():
    call_command("migrate", "counters", "0002", verbosity=0)
    call_command("migrate", "counters", verbosity=0)
    call_command("migrate", "counters", verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute("select id, enabled from counters where id = 'dotfiles'")
        assert cursor.fetchall() == [("dotfiles", True)]
