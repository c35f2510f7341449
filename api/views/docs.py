from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView

from surveys.middleware import HEADER, content_security_policy


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its start-up script served as a file so that no inline script is needed.

    Its template carries a small inline <style>, allowed on this page only.
    """

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.headers[HEADER] = content_security_policy(style_src=["'unsafe-inline'"])
        return response
