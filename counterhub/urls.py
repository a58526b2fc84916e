"""Top-level routes: the counting API, its schema and docs, and the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from counters.admin import throttled_login

urlpatterns = [
    path("", include("counters.urls")),
    path("", include("counters.dashboard_urls")),  # the dashboard (issue 3)
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Before the admin's own routes: its login page, behind a per-client throttle.
    path("admin/login/", throttled_login, name="admin-login"),
    path("admin/", admin.site.urls),
]

# Every error is JSON, also for paths no view matches (/count/UPPER, /count/a/b).
handler400 = "counters.api.bad_request"
handler403 = "counters.api.permission_denied"
handler404 = "counters.api.not_found"
handler500 = "counters.api.server_error"
