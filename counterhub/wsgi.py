"""WSGI entry point: gunicorn serves `counterhub.wsgi:application`.

The counting API (/count/... and /healthz) is answered by `counterhub.handlers.APIHandler`,
Django's handler with only the middleware the API needs; every other path (admin,
dashboard, static files, API docs) by Django's usual handler with all of it.
"""

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.wsgi import get_wsgi_application

from counterhub.handlers import APIHandler, uses_api_handler

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counterhub.settings")

django_application = get_wsgi_application()

api_application = APIHandler()


def application(environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
    if uses_api_handler(environ.get("PATH_INFO", "")):
        return api_application(environ, start_response)
    return django_application(environ, start_response)
