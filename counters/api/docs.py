"""The OpenAPI schema (/api/schema/) and its browsable docs (/api/docs/), answering as
API paths do: OPTIONS and every error in JSON, whatever the page negotiated."""

from typing import Any

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counters.api.negotiation import FormatNegotiation


class JSONOptionsAndErrors(APIView):
    """OPTIONS describes the view in JSON: the docs' HTML renderer has no template for
    it (a 500 on every call), and the schema's YAML is not the API's error form."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        if request.method == "OPTIONS" or response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
        return super().finalize_response(request, response, *args, **kwargs)


class SchemaView(JSONOptionsAndErrors, SpectacularAPIView):
    # The schema comes as YAML or JSON: unlike the counting API (JSON only), it negotiates.
    content_negotiation_class = FormatNegotiation


class DocsView(JSONOptionsAndErrors, SpectacularSwaggerSplitView):
    content_negotiation_class = FormatNegotiation
