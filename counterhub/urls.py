"""Top-level routes: the counting API, its schema and docs, the dashboard and the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from counterhub.metrics import metrics_view
from counters.admin import throttled_login
from counters.api.negotiation import FormatNegotiation

# The schema comes as YAML or JSON and its docs as a page: unlike the counting API (JSON
# only, the project's default), these views negotiate.
negotiating = {"content_negotiation_class": FormatNegotiation}

urlpatterns = [
    path("", include("counters.urls")),
    path("", include("counters.dashboard_urls")),
    path("api/schema/", SpectacularAPIView.as_view(**negotiating), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", **negotiating),
        name="api-docs",
    ),
    # Before the admin's own routes: its login page, behind a per-client throttle.
    path("admin/login/", throttled_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("metrics", metrics_view, name="metrics"),
]

# Every error is JSON, also for paths no view matches (/count/UPPER, /count/a/b).
handler400 = "counters.api.errors.bad_request"
handler403 = "counters.api.errors.permission_denied"
handler404 = "counters.api.errors.not_found"
handler500 = "counters.api.errors.server_error"
