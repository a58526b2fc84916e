"""The WSGI handler of the counting API: Django's own, with a shorter middleware chain.

`counterhub.wsgi` sends /count/... and /healthz here and every other path to Django's
usual handler. The same URLconf and DRF views answer; only the middleware differs:
settings.API_MIDDLEWARE lists what JSON answers need (request id and access log,
security headers, CSP, CORS), and leaves out what only the admin and the dashboard
use (sessions, CSRF, authentication, messages, static files), which on the counting
POST cost more CPU than the SQL call (docs/performance.md, tuning log).
"""

import contextlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, get_script_name
from django.db import close_old_connections, reset_queries
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.urls import set_script_prefix
from django.utils.csp import CSP, build_policy
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

API_PATH_PREFIX = "/count/"
API_PATHS = frozenset({"/healthz"})


def uses_api_handler(path: str) -> bool:
    """Whether the API handler answers `path` (a WSGI PATH_INFO): narrower than the API
    family of counterhub.errors, which also holds the schema, docs and metrics."""
    return path.startswith(API_PATH_PREFIX) or path in API_PATHS


class APIHandler(WSGIHandler):
    """Django's WSGI handler, its chain built from settings.API_MIDDLEWARE.

    Django's request_started and request_finished signals are not sent: their work for
    this project is the database's (close_old_connections, and reset_queries under
    DEBUG), done here at the same two moments, so a connection a database restart
    broke is still replaced after the request that found it broken.
    """

    def load_middleware(self, is_async: bool = False) -> None:
        # Django's BaseHandler.load_middleware, synchronous only, from another list.
        if is_async:
            raise ImproperlyConfigured("The API handler serves WSGI only.")
        self._view_middleware: list[Callable[..., Any]] = []
        self._template_response_middleware: list[Callable[..., Any]] = []
        self._exception_middleware: list[Callable[..., Any]] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for middleware_path in reversed(settings.API_MIDDLEWARE):
            middleware = import_string(middleware_path)
            try:
                instance = middleware(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler

    def __call__(  # type: ignore[override]
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        set_script_prefix(get_script_name(environ))
        self._request_started()
        request = self.request_class(environ)
        response = self.get_response(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        status = f"{response.status_code} {response.reason_phrase}"
        headers = [
            *response.items(),
            *(("Set-Cookie", c.OutputString()) for c in response.cookies.values()),
        ]
        start_response(status, headers)
        if response.streaming or not isinstance(response, HttpResponse):
            # Its body is made while the server sends it: Django's own close() then
            # sends request_finished, which closes old connections as below.
            return response
        body = response.content
        # HttpResponseBase.close() without request_finished: the response's resources,
        # then the database's end-of-request check.
        for closer in response._resource_closers:  # type: ignore[attr-defined]
            with contextlib.suppress(Exception):
                closer()
        response.closed = True
        close_old_connections()
        return [body]

    @staticmethod
    def _request_started() -> None:
        if settings.DEBUG:
            reset_queries()
        close_old_connections()


class PrecomputedCSPMiddleware(ContentSecurityPolicyMiddleware):
    """Django's Content-Security-Policy middleware, its headers built once.

    Django builds the policy for every response, as a page may carry the request's nonce.
    An API answer never does, so its policy is the same every time. A response that used
    the nonce or sets its own policy still gets Django's per-response header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        super().__init__(get_response)
        configs = [
            (CSP.HEADER_ENFORCE, settings.SECURE_CSP),
            (CSP.HEADER_REPORT_ONLY, settings.SECURE_CSP_REPORT_ONLY),
        ]
        self.policies = [
            (str(header), build_policy(config))  # type: ignore[arg-type]
            for header, config in configs
            if config
        ]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        nonce = getattr(request, "_csp_nonce", None)
        if nonce or hasattr(response, "_csp_config") or hasattr(response, "_csp_ro_config"):
            return super().process_response(request, response)
        for header, policy in self.policies:
            if header not in response:
                response.headers[header] = policy
        return response
