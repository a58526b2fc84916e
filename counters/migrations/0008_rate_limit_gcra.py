"""The rate limits without window boundaries: a token bucket (GCRA) in place of 0004's
fixed windows.

A fixed window lets a client send its whole limit at the end of one window and again at
the start of the next: twice the limit within a second. Here each client has one time,
busy_until: the moment its past calls would be spent if it had made them one every
window_seconds / max_hits seconds. A call is allowed while busy_until, advanced by one
more call, is at most window_seconds ahead of now; it then advances busy_until. So a
client may send max_hits at once, then one every window_seconds / max_hits, and never
more than max_hits in any window_seconds; a refused call is told exactly when the next
will be allowed, and does not advance anything.

The signatures of rate_limit_hit() and count_use() are 0004's, so the counting POST is
still one statement. Reversing puts 0004's table and functions back.
"""

import importlib

from django.db import migrations

fixed_window = importlib.import_module("counters.migrations.0004_rate_limit")

GCRA = """
drop function count_use(text, text, text, integer, integer);
drop function rate_limit_hit(text, integer, integer);
drop table rate_limit_hits;

create unlogged table rate_limit_hits (
    client_key text primary key,
    busy_until timestamptz not null
);
create index rate_limit_hits_busy_until_idx on rate_limit_hits (busy_until);

-- One more call by client_key, allowed when at most max_hits calls fall in any
-- window_seconds (max_hits 0 or less: never limited). retry_after: the seconds until
-- the next call will be allowed, for a refused call.
create function rate_limit_hit(client_key text, max_hits integer, window_seconds integer)
returns table (limited boolean, retry_after integer)
language plpgsql
volatile
set search_path = public, pg_temp
as $$
declare
    per_hit interval;
    period interval;
    advanced timestamptz;
    busy timestamptz;
begin
    if max_hits <= 0 then
        return query select false, null::integer;
        return;
    end if;
    per_hit := make_interval(secs => window_seconds::double precision / max_hits);
    period := make_interval(secs => window_seconds);
    -- The upsert locks the client's row whether or not its condition lets it update,
    -- so concurrent calls of one client take their turns.
    insert into rate_limit_hits as h (client_key, busy_until)
    values (rate_limit_hit.client_key, now() + per_hit)
    on conflict on constraint rate_limit_hits_pkey do update
        set busy_until = greatest(h.busy_until, now()) + per_hit
        where greatest(h.busy_until, now()) + per_hit - period <= now()
    returning h.busy_until into advanced;
    if random() < 0.001 then
        delete from rate_limit_hits h where h.busy_until < now() - interval '1 hour';
    end if;
    if advanced is not null then
        return query select false, null::integer;
        return;
    end if;
    select h.busy_until into busy from rate_limit_hits h
    where h.client_key = rate_limit_hit.client_key;
    return query select true, greatest(1, ceil(extract(epoch from
        greatest(busy, now()) + per_hit - period - now())))::integer;
end
$$;

-- Count one use of counter_name for client_key, unless the client is over its limit.
-- Always returns one row: limited = true with retry_after and no figures; or
-- limited = false with increment_counter's columns, all null for an unregistered name.
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


class Migration(migrations.Migration):
    dependencies = [("counters", "0007_counter_totals_model")]

    operations = [
        migrations.RunSQL(
            GCRA,
            reverse_sql=fixed_window.DROP_RATE_LIMIT + fixed_window.RATE_LIMIT,
        )
    ]
