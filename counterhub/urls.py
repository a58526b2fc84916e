"""Top-level routes: the counting API, its schema and docs, the dashboard and the admin."""

from django.contrib import admin
from django.urls import include, path

from counterhub.metrics import metrics_view
from counters.admin import throttled_login
from counters.api.docs import DocsView, SchemaView

urlpatterns = [
    path("", include("counters.urls")),
    path("", include("counters.dashboard_urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    # Before the admin's own routes: its login page, behind a per-client throttle.
    path("admin/login/", throttled_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("metrics", metrics_view, name="metrics"),
]

# Errors of API paths are JSON, also where no view matches (/count/UPPER, /count/a/b);
# pages for people get the project's HTML pages (counterhub/errors.py).
handler400 = "counterhub.errors.bad_request"
handler403 = "counterhub.errors.permission_denied"
handler404 = "counterhub.errors.not_found"
handler500 = "counterhub.errors.server_error"
