"""Each counter's all-time total kept in counter_totals, so no read sums its whole history.

Without it, every POST (its `total`) and every summary added up all of a counter's
days: three years of history made both a quarter slower (docs/performance.md). Triggers
on counter_daily keep the table right whoever writes the days (the increment, an import,
a delete, a truncate), so the designed tables (docs/schema.md) and their writers stay as they are. The
increment's trigger updates the total's row in the same transaction, after the day's row
lock is taken: concurrent increments already wait for each other there, so none waits
longer, and the total it reads back is exactly its own.
"""

import importlib

from django.db import migrations

plpgsql = importlib.import_module("counters.migrations.0005_plpgsql_functions")

TOTALS = """
-- No foreign key: Django's test flush truncates the tables it knows, and a table that
-- referenced counters would stop it. A deleted counter's days leave its row at 0.
create table counter_totals (
    counter_id text primary key,
    total bigint not null,
    last_updated timestamptz
);

-- A day inserted or changed: add the difference. One statement, on the counter's one
-- row, so an increment pays for one more small update.
create function counter_totals_add_row() returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
begin
    if tg_op = 'UPDATE' and old.counter_id = new.counter_id then
        update counter_totals t
        set total = t.total + new.count - old.count,
            last_updated = greatest(t.last_updated, new.updated_at)
        where t.counter_id = new.counter_id;
        if found then
            return null;
        end if;
    elsif tg_op = 'UPDATE' then
        update counter_totals t set total = t.total - old.count
        where t.counter_id = old.counter_id;
    end if;
    insert into counter_totals as t (counter_id, total, last_updated)
    values (new.counter_id, new.count, new.updated_at)
    on conflict (counter_id) do update
    set total = t.total + excluded.total,
        last_updated = greatest(t.last_updated, excluded.last_updated);
    return null;
end
$$;

-- Days deleted (by the admin, or with their counter): once per statement, subtract them
-- and find the latest change among the days left.
create function counter_totals_delete_rows() returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
begin
    update counter_totals t
    set total = t.total - gone.total,
        last_updated = (select max(d.updated_at) from counter_daily d
                        where d.counter_id = t.counter_id)
    from (select counter_id, sum(count) as total from deleted group by counter_id) gone
    where t.counter_id = gone.counter_id;
    return null;
end
$$;

create function counter_totals_truncate() returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
begin
    delete from counter_totals;
    return null;
end
$$;

create trigger counter_totals_add after insert or update on counter_daily
    for each row execute function counter_totals_add_row();
create trigger counter_totals_delete after delete on counter_daily
    referencing old table as deleted
    for each statement execute function counter_totals_delete_rows();
create trigger counter_totals_truncate after truncate on counter_daily
    for each statement execute function counter_totals_truncate();

insert into counter_totals (counter_id, total, last_updated)
select counter_id, sum(count), max(updated_at) from counter_daily group by counter_id;

revoke all on table counter_totals from public;
revoke all on function counter_totals_add_row() from public;
revoke all on function counter_totals_delete_rows() from public;
revoke all on function counter_totals_truncate() from public;
grant select, insert, update, delete on table counter_totals to current_user;
"""

DROP_TOTALS = """
drop table counter_totals;
drop trigger counter_totals_add on counter_daily;
drop trigger counter_totals_delete on counter_daily;
drop trigger counter_totals_truncate on counter_daily;
drop function counter_totals_add_row();
drop function counter_totals_delete_rows();
drop function counter_totals_truncate();
"""

FUNCTIONS = """
-- Count one use of a registered, enabled counter in today's bucket. Returns no row for
-- an unregistered name; enabled = false (and null figures) for a disabled one. The
-- upsert takes the bucket's row lock, so concurrent calls serialise on it and none is
-- lost; its trigger brings counter_totals up to date, and the total read back is the
-- one this call made, as the trigger's update holds that row's lock until commit.
create or replace function increment_counter(counter_name text, time_zone text default 'UTC')
returns table (counter_id text, enabled boolean, bucket_date date, count bigint, total bigint)
language plpgsql
volatile
set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
    bumped record;
begin
    with registered as (
        select c.id, c.enabled from counters c where c.id = counter_name
    ),
    upserted as (
        insert into counter_daily as d (counter_id, bucket_date, count, updated_at)
        select r.id, (now() at time zone time_zone)::date, 1, now()
        from registered r
        where r.enabled
        on conflict (counter_id, bucket_date)
        do update set count = d.count + 1, updated_at = excluded.updated_at
        returning d.bucket_date, d.count
    )
    select r.id, r.enabled, u.bucket_date, u.count
    into bumped
    from registered r
    left join upserted u on true;
    if not found then
        return;
    end if;
    return query
    select bumped.id, bumped.enabled, bumped.bucket_date, bumped.count,
           (select t.total from counter_totals t where t.counter_id = bumped.id
            and bumped.enabled);
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
           coalesce(t.total, 0)::bigint,
           (select d.bucket_date from counter_daily d
            where d.counter_id = c.id order by d.bucket_date limit 1),
           (select d.bucket_date from counter_daily d
            where d.counter_id = c.id order by d.bucket_date desc limit 1),
           t.last_updated,
           coalesce(recent.today, 0)::bigint,
           coalesce(recent.last_7_days, 0)::bigint,
           coalesce(recent.last_30_days, 0)::bigint
    from counters c
    left join counter_totals t on t.counter_id = c.id
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


class Migration(migrations.Migration):
    dependencies = [("counters", "0005_plpgsql_functions")]

    operations = [
        migrations.RunSQL(TOTALS, reverse_sql=DROP_TOTALS),
        # Put back 0005's functions, which sum the days themselves, on the way back.
        migrations.RunSQL(FUNCTIONS, reverse_sql=plpgsql.FUNCTIONS),
    ]
