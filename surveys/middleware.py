"""Response hardening shared by every page: the Content-Security-Policy.

The policy is the CONTENT_SECURITY_POLICY setting (directive -> sources). It allows no
inline script, no inline event handler and no inline style, so every page's script and
style come from static files. A view that needs another policy sets the header itself,
built with `content_security_policy()`, and this middleware leaves it alone.
"""
from django.conf import settings

HEADER = "Content-Security-Policy"


def content_security_policy(**extra_sources: list[str]) -> str:
    """The configured policy; keyword arguments (style_src=[...]) add sources to a directive."""
    directives = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
    for name, sources in extra_sources.items():
        directives.setdefault(name.replace("_", "-"), []).extend(sources)
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(HEADER, self.policy)
        return response
