"""The real routes plus one view that fails, for tests of error handling and logging."""

from django.urls import path

from counterhub.urls import *  # noqa: F403
from counterhub.urls import urlpatterns as real_urlpatterns


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom", boom), *real_urlpatterns]
