"""Routes of the counting API. Names are matched loosely and checked by the views, so a
malformed name gets the same JSON 404 as an unregistered one."""

from django.urls import path

from counters.api import badge_views, views

urlpatterns = [
    path("count/<str:name>", views.CountView.as_view(), name="count"),
    path("count/<str:name>/series", views.SeriesView.as_view(), name="count-series"),
    path("count/<str:name>/badge.svg", badge_views.BadgeSVGView.as_view(), name="count-badge-svg"),
    path(
        "count/<str:name>/badge.json", badge_views.BadgeJSONView.as_view(), name="count-badge-json"
    ),
    path("healthz", views.HealthView.as_view(), name="healthz"),
    path("shared/<str:token>/series", views.SharedSeriesView.as_view(), name="shared-series"),
]
