"""Django's SecurityMiddleware, with a redirect to HTTPS that keeps the method."""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.middleware.security import SecurityMiddleware as DjangoSecurityMiddleware

SAFE_TO_REPEAT_AS_GET = ("GET", "HEAD")


class SecurityMiddleware(DjangoSecurityMiddleware):
    """Redirects plain HTTP to HTTPS with 308 for methods other than GET and HEAD.

    A 301 may be followed as a GET: a `POST /count/...` sent over plain HTTP would be
    answered by the summary and its count silently lost. A 308 is repeated as it was sent.
    """

    def process_request(self, request: HttpRequest) -> HttpResponsePermanentRedirect | None:
        response = super().process_request(request)
        if response is not None and request.method not in SAFE_TO_REPEAT_AS_GET:
            return HttpResponsePermanentRedirect(response["Location"], preserve_request=True)
        return response
