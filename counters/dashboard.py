"""The dashboard: pages for people who look at their counters (README: "The dashboard").

The overview is rendered here from one query; the counter page draws its charts in the
browser from the public series API, so the dashboard is a client of the same contract as
everyone else.
"""

import calendar
import dataclasses
import datetime
import functools
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.utils import quote
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from counters import db, sharing
from counters.models import Counter, is_counter_name

SPARKLINE_WIDTH = 120
SPARKLINE_HEIGHT = 28


def dashboard_access(view):
    """Staff only (the admin's login), unless COUNTERHUB_PUBLIC_DASHBOARD opens it to all."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.COUNTERHUB_PUBLIC_DASHBOARD or (
            request.user.is_active and request.user.is_staff
        ):
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))

    # The pages hold figures that may be private: no shared cache may keep them. They
    # only show: any other method is a 405.
    return never_cache(require_safe(wrapper))


def sparkline_points(counts: list[int], width=SPARKLINE_WIDTH, height=SPARKLINE_HEIGHT) -> str:
    """An SVG polyline's points for `counts`, scaled to the box, one pixel of margin."""
    if not counts:
        return ""
    top = max(counts) or 1
    step = (width - 2) / max(len(counts) - 1, 1)
    return " ".join(
        f"{1 + i * step:.1f},{height - 1 - (height - 2) * n / top:.1f}"
        for i, n in enumerate(counts)
    )


@dashboard_access
def overview(request):
    rows = [
        {
            "summary": row.summary,
            "recent_days": row.recent_days,
            "sparkline": sparkline_points(row.recent_days),
            "figures": {
                "total": f"{row.summary.total:,}",
                "today": f"{row.summary.today:,}",
                "last_30_days": f"{row.summary.last_30_days:,}",
            },
            "url": reverse("dashboard-counter", args=[row.summary.counter]),
        }
        for row in db.counters_overview()
    ]
    return render(
        request,
        "dashboard/overview.html",
        {
            "rows": rows,
            "sparkline_days": db.SPARKLINE_DAYS,
            "sparkline_width": SPARKLINE_WIDTH,
            "sparkline_height": SPARKLINE_HEIGHT,
            "time_zone": settings.COUNTERHUB_TIME_ZONE,
        },
    )


@dataclasses.dataclass(frozen=True)
class Comparison:
    """A period's count beside a period of the same length just before it."""

    key: str
    label: str
    start: datetime.date
    end: datetime.date
    previous_label: str
    previous_start: datetime.date
    previous_end: datetime.date
    count: int = 0
    previous: int = 0

    @property
    def count_text(self) -> str:
        return f"{self.count:,}"

    @property
    def previous_text(self) -> str:
        return f"{self.previous:,}"

    @property
    def period(self) -> str:
        return period_label(self.start, self.end)

    @property
    def previous_period(self) -> str:
        return period_label(self.previous_start, self.previous_end)

    @property
    def change(self) -> str:
        if self.previous > 0:
            percent = (self.count - self.previous) / self.previous * 100
            return f"{'+' if percent > 0 else ''}{percent:.1f} %"
        return "new" if self.count > 0 else "–"


def period_label(start: datetime.date, end: datetime.date) -> str:
    """A period as people write it: 1–28 Nov 2026, 25 Oct – 7 Nov 2026, 28 Nov 2026."""
    if start == end:
        return f"{end.day} {end:%b %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def comparison_windows(today: datetime.date) -> list[Comparison]:
    """This month so far against the same days of last month (up to that month's last
    day: on 31 March, 1–28 February), and the last 7 days against the 7 before: periods
    of equal length, so that a steady counter shows no change. Counts still 0."""
    month_start = today.replace(day=1)
    last_month_start = (month_start - datetime.timedelta(days=1)).replace(day=1)
    last_month_days = calendar.monthrange(last_month_start.year, last_month_start.month)[1]
    week_start = today - datetime.timedelta(days=6)
    return [
        Comparison(
            key="this-month",
            label="This month so far",
            start=month_start,
            end=today,
            previous_label="the same days of last month",
            previous_start=last_month_start,
            previous_end=last_month_start.replace(day=min(today.day, last_month_days)),
        ),
        Comparison(
            key="last-7-days",
            label="Last 7 days",
            start=week_start,
            end=today,
            previous_label="the 7 days before",
            previous_start=week_start - datetime.timedelta(days=7),
            previous_end=week_start - datetime.timedelta(days=1),
        ),
    ]


def fair_comparisons(days: dict[datetime.date, int], today: datetime.date) -> list[Comparison]:
    """The comparisons of `comparison_windows` over a counter's `days` (day -> count)."""

    def total(start: datetime.date, end: datetime.date) -> int:
        return sum(n for day, n in days.items() if start <= day <= end)

    return [
        dataclasses.replace(
            c, count=total(c.start, c.end), previous=total(c.previous_start, c.previous_end)
        )
        for c in comparison_windows(today)
    ]


def counter_comparisons(name: str, today: datetime.date) -> list[Comparison]:
    """The fair comparisons of one counter, read in one query."""
    earliest = min(c.previous_start for c in comparison_windows(today))
    points = db.series_for(name, start=earliest, end=today).points
    return fair_comparisons(dict(points), today)


@never_cache
def shared_counter_page(request, token):
    """A share link's page: one counter's figures and charts, for anyone with the link."""
    link = sharing.active_link(token)
    if link is None:
        # The same page for a revoked, altered or made-up link: nothing tells them apart.
        response = render(request, "dashboard/shared_missing.html", status=404)
    else:
        today = timezone.localdate()
        response = render(
            request,
            "dashboard/shared.html",
            {
                "counter": link.counter,
                "today": today,
                "comparisons": counter_comparisons(link.counter_id, today),
                "time_zone": settings.COUNTERHUB_TIME_ZONE,
                "series_url": reverse("shared-series", args=[token]),
            },
        )
    response["X-Robots-Tag"] = "noindex"
    return response


@dashboard_access
def counter_page(request, name):
    counter = Counter.objects.filter(pk=name).first() if is_counter_name(name) else None
    if counter is None:
        # An HTML page, not the API's JSON 404: a person followed a link here.
        return render(request, "dashboard/counter_missing.html", {"name": name}, status=404)
    count_url = request.build_absolute_uri(reverse("count", args=[counter.pk]))
    today = timezone.localdate()
    return render(
        request,
        "dashboard/counter.html",
        {
            "counter": counter,
            "today": today,
            "comparisons": counter_comparisons(counter.pk, today),
            "time_zone": settings.COUNTERHUB_TIME_ZONE,
            "count_url": count_url,
            "series_url": reverse("count-series", args=[counter.pk]),
            "admin_url": reverse("admin:counters_counter_change", args=[quote(counter.pk)]),
            "share_url": reverse("admin:counters_sharelink_add")
            + "?"
            + urlencode({"counter": counter.pk}),
        },
    )
