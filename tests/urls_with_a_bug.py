"""The site's addresses and error handlers, and one view with a bug (test_database_faults.py)."""

from django.core.exceptions import BadRequest
from django.urls import path

from observatory.urls import handler400, handler500  # noqa: F401 - the handlers are used
from observatory.urls import urlpatterns as site


def bug(request):
    raise RuntimeError("a bug")


def bad_request(request):
    raise BadRequest("a bad request")


urlpatterns = [path("bug/", bug), path("bad-request/", bad_request), *site]
