"""A per-client rate limit on counting, checked in the same statement that counts.

POST /count/{name} is allowed one database round trip, so the limit cannot be a second
query: count_use() bumps the client's hits in the current fixed window and, only while
they are within the limit, calls increment_counter() (unchanged). The limit is kept in
PostgreSQL so that every gunicorn worker (and every host) shares it.

The table is UNLOGGED: hits are worth nothing after a crash, and skipping the WAL keeps
the extra write cheap. It holds one row per client (its current window), so it grows
with the number of distinct clients only; rows of windows long gone are deleted by
about one call in a thousand, through the index on window_start. The admin's login
throttle keeps its hits here too, under keys of their own.
"""

from django.db import migrations

RATE_LIMIT = """
create unlogged table rate_limit_hits (
    client_key text primary key,
    window_start timestamptz not null,
    hits integer not null
);
create index rate_limit_hits_window_start_idx on rate_limit_hits (window_start);

-- One more call by client_key in the current fixed window of window_seconds; limited
-- once it has made more than max_hits there (max_hits 0 or less: never limited), with
-- retry_after the seconds until the window ends.
create function rate_limit_hit(client_key text, max_hits integer, window_seconds integer)
returns table (limited boolean, retry_after integer)
language plpgsql
volatile
set search_path = public, pg_temp
as $$
declare
    this_window timestamptz;
    hits_now integer;
begin
    if max_hits <= 0 then
        return query select false, null::integer;
        return;
    end if;
    this_window := to_timestamp(floor(extract(epoch from now()) / window_seconds) * window_seconds);
    insert into rate_limit_hits as h (client_key, window_start, hits)
    values (rate_limit_hit.client_key, this_window, 1)
    on conflict on constraint rate_limit_hits_pkey do update
        set hits = case when h.window_start = excluded.window_start then h.hits + 1 else 1 end,
            window_start = excluded.window_start
    returning h.hits into hits_now;
    if random() < 0.001 then
        delete from rate_limit_hits h where h.window_start < this_window - interval '1 hour';
    end if;
    return query select hits_now > max_hits,
        greatest(1, ceil(extract(epoch from
            this_window + make_interval(secs => window_seconds) - now())))::integer;
end
$$;

-- Count one use of counter_name for client_key, unless the client has used up its
-- max_hits calls in the current window. Always returns one row: limited = true with
-- retry_after and no figures; or limited = false with increment_counter's columns, all
-- null for an unregistered name.
create function count_use(
    counter_name text,
    time_zone text,
    client_key text,
    max_hits integer,
    window_seconds integer
)
returns table (
    limited boolean, retry_after integer,
    counter_id text, enabled boolean, bucket_date date, count bigint, total bigint
)
language plpgsql
volatile
set search_path = public, pg_temp
as $$
declare
    hit record;
begin
    select * into hit from rate_limit_hit(client_key, max_hits, window_seconds);
    if hit.limited then
        return query select true, hit.retry_after,
            null::text, null::boolean, null::date, null::bigint, null::bigint;
        return;
    end if;
    return query
        select false, null::integer, i.counter_id, i.enabled, i.bucket_date, i.count, i.total
        from (select 1) one
        left join increment_counter(counter_name, time_zone) i on true;
end
$$;

revoke all on table rate_limit_hits from public;
revoke all on function rate_limit_hit(text, integer, integer) from public;
revoke all on function count_use(text, text, text, integer, integer) from public;
grant select, insert, update, delete on table rate_limit_hits to current_user;
grant execute on function rate_limit_hit(text, integer, integer) to current_user;
grant execute on function count_use(text, text, text, integer, integer) to current_user;
"""

DROP_RATE_LIMIT = """
drop function count_use(text, text, text, integer, integer);
drop function rate_limit_hit(text, integer, integer);
drop table rate_limit_hits;
"""


class Migration(migrations.Migration):
    dependencies = [("counters", "0003_register_dotfiles")]

    operations = [migrations.RunSQL(RATE_LIMIT, reverse_sql=DROP_RATE_LIMIT)]
