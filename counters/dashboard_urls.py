"""Routes of the dashboard: the overview at / and one page per counter, never under /count/."""

from django.urls import path

from counters import dashboard

urlpatterns = [
    path("", dashboard.overview, name="dashboard"),
    path("counters/<str:name>/", dashboard.counter_page, name="dashboard-counter"),
    path("shared/<str:token>/", dashboard.shared_counter_page, name="shared-counter"),
]
