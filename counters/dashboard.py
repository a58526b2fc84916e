"""The dashboard: pages for people who look at their counters (README: "The dashboard").

The overview is rendered here from one query; the counter page draws its charts in the
browser from the public series API, so the dashboard is a client of the same contract as
everyone else.
"""

import functools

from django.conf import settings
from django.contrib.admin.utils import quote
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from counters import db
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


@dashboard_access
def counter_page(request, name):
    counter = Counter.objects.filter(pk=name).first() if is_counter_name(name) else None
    if counter is None:
        # An HTML page, not the API's JSON 404: a person followed a link here.
        return render(request, "dashboard/counter_missing.html", {"name": name}, status=404)
    count_url = request.build_absolute_uri(reverse("count", args=[counter.pk]))
    return render(
        request,
        "dashboard/counter.html",
        {
            "counter": counter,
            "today": timezone.localdate(),
            "time_zone": settings.COUNTERHUB_TIME_ZONE,
            "count_url": count_url,
            "series_url": reverse("count-series", args=[counter.pk]),
            "admin_url": reverse("admin:counters_counter_change", args=[quote(counter.pk)]),
        },
    )
