"""The buckets a series is grouped into: days, ISO weeks (by their Monday), months (by the 1st)."""

import datetime

# fill=zero makes one point per bucket: ten years of days at most.
MAX_FILLED_BUCKETS = 3660

Point = tuple[datetime.date, int]


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


def zero_filled(
    points: list[Point], start: datetime.date, end: datetime.date, group: str
) -> list[Point]:
    """Every bucket from `start` to `end`, with 0 where `points` has none."""
    counts = dict(points)
    first = bucket_label(start, group)
    labels = []
    for i in range(bucket_count(start, end, group)):
        if group == "month":
            months = first.month - 1 + i
            labels.append(datetime.date(first.year + months // 12, months % 12 + 1, 1))
        else:
            labels.append(first + datetime.timedelta(days=i * (7 if group == "week" else 1)))
    return [(label, counts.get(label, 0)) for label in labels]
