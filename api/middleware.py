from api.errors import error_body
from django.http import JsonResponse

NUL_MESSAGE = "Text may not contain NUL characters."


class RefuseNulBytesMiddleware:
    """A NUL byte in the path or a query parameter of the API is a 400 naming the parameter.

    No text column can hold one (PostgreSQL refuses it), so such a value can match nothing;
    refusing it here keeps it from reaching a query anywhere. Bodies are checked by their
    fields (every serializer CharField refuses NUL)."""

    PREFIXES = ("/api/", "/v1/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(self.PREFIXES):
            errors = {name: [NUL_MESSAGE] for name, values in request.GET.lists()
                      if "\x00" in name or any("\x00" in value for value in values)}
            if "\x00" in request.path:
                errors["path"] = [NUL_MESSAGE]
            if errors:
                return JsonResponse(error_body(NUL_MESSAGE, errors), status=400)
        return self.get_response(request)
