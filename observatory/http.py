"""
HTTP methods, answered the same way on every page: HEAD wherever GET, OPTIONS with the methods
a page allows (and nothing else: no page body, no session, no database), TRACE refused.

A function view declares its methods with `allow(...)` (public pages: `safe`, GET and HEAD),
which refuses any other with a 405 that says what is allowed, and records them for OPTIONS.
Class-based views are asked; any other view (the admin's) allows GET, HEAD and POST.

And the language of the staff workspace, which is the staff member's, not its address's.
"""

import functools

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_DEFAULT = ("GET", "HEAD", "POST")


def _listed(methods):
    """`methods` with OPTIONS, in the usual order, each once."""
    wanted = {m.upper() for m in methods} | {"OPTIONS"}
    return [m for m in _ORDER if m in wanted]


def allow(*methods):
    """A view that answers `methods` (and OPTIONS, in the middleware) and refuses the rest."""

    def decorator(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            if request.method not in methods:
                return HttpResponseNotAllowed(_listed(methods))
            return view(request, *args, **kwargs)

        checked.allowed_methods = tuple(methods)
        return checked

    return decorator


# Public pages only show: they answer GET and HEAD.
safe = allow("GET", "HEAD")


def allowed_methods(path):
    """The methods the view at `path` answers, OPTIONS included; Http404 if there is none."""
    try:
        match = resolve(path)
    except Resolver404 as error:
        raise Http404 from error
    view = match.func
    declared = getattr(view, "allowed_methods", None)
    if declared is None and hasattr(view, "view_class"):
        instance = view.view_class(**view.view_initkwargs)
        declared = [
            name
            for name in instance.http_method_names
            if name not in ("options", "trace") and hasattr(instance, name)
        ]
        if "get" in declared:
            declared.append("head")  # View.setup() answers HEAD with get()
    return _listed(declared if declared is not None else _DEFAULT)


class HttpMethodsMiddleware:
    """OPTIONS and TRACE, before any session, cache or view is involved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("OPTIONS", "TRACE"):
            return self.get_response(request)
        try:
            methods = allowed_methods(request.path_info)
        except Http404:
            return HttpResponse(status=404)
        if request.method == "TRACE":
            # It would echo the request, cookies included, to whoever can make a browser send it.
            return HttpResponseNotAllowed(methods)
        response = HttpResponse(status=200)
        response["Allow"] = ", ".join(methods)
        response["Content-Length"] = "0"
        return response


class StaffLanguageMiddleware:
    """
    The staff workspace and the login in the language each staff member asks for: their
    choice (the language cookie, set from the workspace's menu) or their browser's. The
    public site's language is its address (/fr/...: LocaleMiddleware), which this leaves
    alone. Below LocaleMiddleware.
    """

    STAFF_PREFIXES = ("/admin/", "/account/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(self.STAFF_PREFIXES):
            return self.get_response(request)
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers["Content-Language"] = language
        return response
