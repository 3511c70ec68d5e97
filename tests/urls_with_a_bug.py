"""The site's addresses and error handlers, and one view with a bug (test_database_faults.py)."""

from django.urls import path

from observatory.urls import handler500  # noqa: F401 - the handler is used
from observatory.urls import urlpatterns as site


def bug(request):
    raise RuntimeError("a bug")


urlpatterns = [path("bug/", bug), *site]
