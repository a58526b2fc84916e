"""increment_counter and get_counter_summary in PL/pgSQL, for the speed of cached plans.

A SQL function that pins its search_path is never inlined, and PostgreSQL (before 18)
plans its query again on every call: for these one-row queries planning cost more than
running. PL/pgSQL keeps each query's plan for the life of the connection, and the
service's connections are persistent. The results are the same; docs/performance.md has
the figures. get_counter_summary also reads first_day and last_day from the ends of the
index instead of aggregating them over every day, and reads the last 30 days' windows
from those days alone.
"""

import importlib

from django.db import migrations

# The functions as 0002 made them, to put back when this migration is reversed.
initial = importlib.import_module("counters.migrations.0002_sql_functions")

FUNCTIONS = """
-- Count one use of a registered, enabled counter in today's bucket, in one statement.
-- Returns no row for an unregistered name; enabled = false (and null figures) for a
-- disabled one. The upsert takes the bucket's row lock, so concurrent calls serialise
-- on it and none is lost; total is the other days' sum plus this day's new count.
create or replace function increment_counter(counter_name text, time_zone text default 'UTC')
returns table (counter_id text, enabled boolean, bucket_date date, count bigint, total bigint)
language plpgsql
volatile
set search_path = public, pg_temp
as $$
#variable_conflict use_column
begin
    return query
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
    left join bumped b on true;
end
$$;

-- One summary row for a registered counter; no row for an unregistered name.
-- today, last_7_days and last_30_days end with today in the given time zone.
create or replace function get_counter_summary(counter_name text, time_zone text default 'UTC')
returns table (
    counter_id text, description text, enabled boolean, total bigint,
    first_day date, last_day date, last_updated timestamptz,
    today bigint, last_7_days bigint, last_30_days bigint
)
language plpgsql
stable
set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
    this_day date := (now() at time zone time_zone)::date;
begin
    return query
    select c.id, c.description, c.enabled,
           coalesce(every_day.total, 0)::bigint,
           (select d.bucket_date from counter_daily d
            where d.counter_id = c.id order by d.bucket_date limit 1),
           (select d.bucket_date from counter_daily d
            where d.counter_id = c.id order by d.bucket_date desc limit 1),
           every_day.last_updated,
           coalesce(recent.today, 0)::bigint,
           coalesce(recent.last_7_days, 0)::bigint,
           coalesce(recent.last_30_days, 0)::bigint
    from counters c
    cross join lateral (
        select sum(d.count) as total, max(d.updated_at) as last_updated
        from counter_daily d
        where d.counter_id = c.id
    ) every_day
    cross join lateral (
        select sum(d.count) filter (where d.bucket_date = this_day) as today,
               sum(d.count) filter (where d.bucket_date > this_day - 7) as last_7_days,
               sum(d.count) as last_30_days
        from counter_daily d
        where d.counter_id = c.id
          and d.bucket_date > this_day - 30
          and d.bucket_date <= this_day
    ) recent
    where c.id = counter_name;
end
$$;
"""

REVERSE = (initial.INCREMENT_COUNTER + initial.GET_COUNTER_SUMMARY).replace(
    "create function", "create or replace function"
)


class Migration(migrations.Migration):
    dependencies = [("counters", "0004_rate_limit")]

    operations = [migrations.RunSQL(FUNCTIONS, reverse_sql=REVERSE)]
