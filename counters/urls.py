"""Routes of the counting API. Names are matched loosely and checked by the views, so a
malformed name gets the same JSON 404 as an unregistered one."""

from django.urls import path

from counters import api, badge_views

urlpatterns = [
    path("count/<str:name>", api.CountView.as_view(), name="count"),
    path("count/<str:name>/series", api.SeriesView.as_view(), name="count-series"),
    # Badges (issue 4).
    path("count/<str:name>/badge.svg", badge_views.BadgeSVGView.as_view(), name="count-badge-svg"),
    path(
        "count/<str:name>/badge.json", badge_views.BadgeJSONView.as_view(), name="count-badge-json"
    ),
    path("healthz", api.HealthView.as_view(), name="healthz"),
]
