"""The redirect to HTTPS, keeping the method of a request that is not a GET or a HEAD."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

SAFE_TO_REPEAT_AS_GET = ("GET", "HEAD")


class MethodKeepingRedirectMiddleware:
    """Turns SecurityMiddleware's 301 to HTTPS into a 308 for methods other than GET and
    HEAD (listed just before it).

    A 301 may be followed as a GET: a `POST /count/...` sent over plain HTTP would be
    answered by the summary and its count silently lost. A 308 is repeated as it was sent.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code == 301
            and settings.SECURE_SSL_REDIRECT
            and request.method not in SAFE_TO_REPEAT_AS_GET
            and not request.is_secure()
            and response.get("Location", "").startswith("https://")
        ):
            response.status_code = 308
        return response
