"""A series' points made by PostgreSQL: get_counter_series_points returns the labels as
`YYYY-MM-DD` text and the counts as two arrays, zero-filled over the range when asked
(generate_series), with their total, in one row. The API's series then converts no date
and fills no gap in Python, which for a year of days was most of its CPU time
(docs/performance.md, tuning log)."""

from django.db import migrations

GET_COUNTER_SERIES_POINTS = """
create function get_counter_series_points(
    counter_name text,
    start_date date,
    end_date date,
    bucket text,
    zero_fill boolean,
    max_buckets integer
)
returns table (
    counter text, first_day date, range_start date, labels text[], counts bigint[], total bigint
)
language plpgsql
stable
set search_path = public, pg_temp
as $$
begin
    select c.id into counter from counters c where c.id = counter_name;
    if not found then
        return;
    end if;
    select min(d.bucket_date) into first_day from counter_daily d where d.counter_id = counter_name;
    range_start := case when zero_fill then coalesce(start_date, first_day) else start_date end;
    labels := '{}';
    counts := '{}';
    total := 0;
    if not zero_fill then
        select coalesce(array_agg(to_char(s.bucket_date, 'YYYY-MM-DD') order by s.bucket_date), '{}'),
               coalesce(array_agg(s.count order by s.bucket_date), '{}'),
               coalesce(sum(s.count), 0)
        into labels, counts, total
        from get_counter_series(counter_name, start_date, end_date, bucket) s;
    elsif range_start is not null and range_start <= end_date and (
        case bucket
            when 'day' then end_date - range_start + 1
            when 'week' then (date_trunc('week', end_date::timestamp)::date
                              - date_trunc('week', range_start::timestamp)::date) / 7 + 1
            else (extract(year from end_date) - extract(year from range_start))::integer * 12
                 + extract(month from end_date)::integer - extract(month from range_start)::integer + 1
        end
    ) <= max_buckets then
        -- Every bucket of the range, 0 where there is no data; the casts to timestamp
        -- (without zone) keep date_trunc and the steps off the session's TimeZone.
        select array_agg(to_char(g.label, 'YYYY-MM-DD') order by g.label),
               array_agg(coalesce(s.count, 0) order by g.label),
               coalesce(sum(s.count), 0)
        into labels, counts, total
        from generate_series(
            date_trunc(bucket, range_start::timestamp),
            date_trunc(bucket, end_date::timestamp),
            ('1 ' || bucket)::interval
        ) as g(label)
        left join get_counter_series(counter_name, range_start, end_date, bucket) s
            on s.bucket_date = g.label::date;
    end if;
    return next;
end
$$;

revoke all on function get_counter_series_points(text, date, date, text, boolean, integer) from public;
grant execute on function get_counter_series_points(text, date, date, text, boolean, integer) to current_user;
"""

DROP_GET_COUNTER_SERIES_POINTS = """
drop function get_counter_series_points(text, date, date, text, boolean, integer);
"""


class Migration(migrations.Migration):
    dependencies = [("counters", "0009_share_links")]

    operations = [migrations.RunSQL(GET_COUNTER_SERIES_POINTS, DROP_GET_COUNTER_SERIES_POINTS)]
