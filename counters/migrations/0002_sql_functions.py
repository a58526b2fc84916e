"""The SQL functions that count and read, and the backend-only permissions (docs/schema.md).

Every function pins its search_path: a caller's search_path cannot swap the tables or
operators it uses. The tables live in the public schema, as designed. The time zone is
an argument, so the day a use lands in never depends on the session's TimeZone setting.
"""

from django.db import migrations

# Django creates two things the designed tables (docs/schema.md) do not have, undone here
# so the tables match the design exactly: a text_pattern_ops index beside the text primary key (names are
# never searched with LIKE by the service), and a DEFERRABLE foreign key. This lives here,
# not in 0001, because Django creates 0001's constraints only when that migration ends.
MATCH_DESIGN = """
drop index counters_id_a8f92718_like;
alter table counter_daily
    alter constraint counter_daily_counter_id_01652691_fk_counters_id not deferrable;
"""
UNDO_MATCH_DESIGN = """
create index counters_id_a8f92718_like on counters (id text_pattern_ops);
alter table counter_daily
    alter constraint counter_daily_counter_id_01652691_fk_counters_id
    deferrable initially deferred;
"""

# Each function on its own, so that a later migration that replaces one can restore it.
INCREMENT_COUNTER = """
-- Count one use of a registered, enabled counter in today's bucket, in one statement.
-- Returns no row for an unregistered name; enabled = false (and null figures) for a
-- disabled one. The upsert takes the bucket's row lock, so concurrent calls serialise
-- on it and none is lost; total is the other days' sum plus this day's new count.
create function increment_counter(counter_name text, time_zone text default 'UTC')
returns table (counter_id text, enabled boolean, bucket_date date, count bigint, total bigint)
language sql
volatile
set search_path = public, pg_temp
as $$
    with registered as (
        select c.id, c.enabled from counters c where c.id = counter_name
    ),
    bumped as (
        insert into counter_daily as d (counter_id, bucket_date, count, updated_at)
        select r.id, (now() at time zone time_zone)::date, 1, now()
        from registered r
        where r.enabled
        on conflict (counter_id, bucket_date)
        do update set count = d.count + 1, updated_at = excluded.updated_at
        returning d.bucket_date, d.count
    )
    select r.id, r.enabled, b.bucket_date, b.count,
           b.count + (select coalesce(sum(h.count), 0)::bigint
                      from counter_daily h
                      where h.counter_id = r.id and h.bucket_date <> b.bucket_date)
    from registered r
    left join bumped b on true
$$;
"""

GET_COUNTER_SUMMARY = """
-- One summary row for a registered counter; no row for an unregistered name.
-- today, last_7_days and last_30_days end with today in the given time zone.
create function get_counter_summary(counter_name text, time_zone text default 'UTC')
returns table (
    counter_id text, description text, enabled boolean, total bigint,
    first_day date, last_day date, last_updated timestamptz,
    today bigint, last_7_days bigint, last_30_days bigint
)
language sql
stable
set search_path = public, pg_temp
as $$
    select c.id, c.description, c.enabled,
           coalesce(sum(d.count), 0)::bigint,
           min(d.bucket_date), max(d.bucket_date), max(d.updated_at),
           coalesce(sum(d.count) filter (where d.bucket_date = t.today), 0)::bigint,
           coalesce(sum(d.count) filter (
               where d.bucket_date > t.today - 7 and d.bucket_date <= t.today), 0)::bigint,
           coalesce(sum(d.count) filter (
               where d.bucket_date > t.today - 30 and d.bucket_date <= t.today), 0)::bigint
    from counters c
    cross join (select (now() at time zone time_zone)::date as today) t
    left join counter_daily d on d.counter_id = c.id
    where c.id = counter_name
    group by c.id, c.description, c.enabled, t.today
$$;
"""

GET_COUNTER_SERIES = """
-- The history of a counter between two days (inclusive, open where null), summed per
-- bucket: 'day', 'week' (ISO weeks, labelled by their Monday) or 'month' (by its 1st).
create function get_counter_series(
    counter_name text,
    start_date date default null,
    end_date date default null,
    bucket text default 'day'
)
returns table (bucket_date date, count bigint)
language sql
stable
set search_path = public, pg_temp
as $$
    -- The cast to timestamp (without zone) keeps date_trunc off the session's TimeZone.
    select date_trunc(bucket, d.bucket_date::timestamp)::date, sum(d.count)::bigint
    from counter_daily d
    where d.counter_id = counter_name
      and (start_date is null or d.bucket_date >= start_date)
      and (end_date is null or d.bucket_date <= end_date)
    group by 1
    order by 1
$$;
"""

PERMISSIONS = """
-- Backend-only access: nobody but the role the service connects as (the owner, which
-- ran this migration) may read the tables or call the functions.
revoke all on table counters, counter_daily from public;
revoke all on function increment_counter(text, text) from public;
revoke all on function get_counter_summary(text, text) from public;
revoke all on function get_counter_series(text, date, date, text) from public;
grant select, insert, update, delete on table counters, counter_daily to current_user;
grant execute on function increment_counter(text, text) to current_user;
grant execute on function get_counter_summary(text, text) to current_user;
grant execute on function get_counter_series(text, date, date, text) to current_user;
"""

FUNCTIONS = INCREMENT_COUNTER + GET_COUNTER_SUMMARY + GET_COUNTER_SERIES + PERMISSIONS

DROP_FUNCTIONS = """
drop function get_counter_series(text, date, date, text);
drop function get_counter_summary(text, text);
drop function increment_counter(text, text);
"""


class Migration(migrations.Migration):
    dependencies = [("counters", "0001_tables")]

    operations = [
        migrations.RunSQL(MATCH_DESIGN, reverse_sql=UNDO_MATCH_DESIGN),
        migrations.RunSQL(FUNCTIONS, reverse_sql=DROP_FUNCTIONS),
    ]
