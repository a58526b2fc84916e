"""Routes of the counting API. Names are matched loosely and checked by the views, so a
malformed name gets the same JSON 404 as an unregistered one."""

from django.urls import path

from counters import api

urlpatterns = [
    path("count/<str:name>", api.CountView.as_view(), name="count"),
    path("count/<str:name>/series", api.SeriesView.as_view(), name="count-series"),
    path("healthz", api.HealthView.as_view(), name="healthz"),
]
