"""The buckets a series is grouped into: days, ISO weeks (by their Monday), months (by the 1st)."""

import datetime

# fill=zero makes one point per bucket: ten years of days at most.
MAX_FILLED_BUCKETS = 3660


def bucket_label(day: datetime.date, group: str) -> datetime.date:
    """The first day of the bucket holding `day`: itself, its ISO week's Monday, its 1st."""
    if group == "week":
        return day - datetime.timedelta(days=day.weekday())
    if group == "month":
        return day.replace(day=1)
    return day


def bucket_count(start: datetime.date, end: datetime.date, group: str) -> int:
    """How many buckets of `group` the days from `start` to `end` touch."""
    first, last = bucket_label(start, group), bucket_label(end, group)
    if group == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    step = 7 if group == "week" else 1
    return (last - first).days // step + 1
