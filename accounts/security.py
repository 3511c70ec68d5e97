"""
Staff sessions and login: an absolute session limit, and the client address for lockouts.

The idle limit is Django's own (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST): the
session's expiry moves with each request and the server refuses an expired session.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in

# Where the session keeps the moment of login, in seconds since the epoch.
LOGIN_TIME_KEY = "observatory_login_time"


def record_login_time(sender, request, user, **kwargs):
    """Every login starts a new 12-hour window, even when the same session logs in again."""
    request.session[LOGIN_TIME_KEY] = int(time.time())


user_logged_in.connect(record_login_time, dispatch_uid="observatory_record_login_time")


class AbsoluteSessionLimitMiddleware:
    """
    Log out a session SESSION_ABSOLUTE_AGE seconds after its login, however active it was:
    an idle limit alone lets a stolen session live for as long as someone keeps using it.
    A logged-in session without a login time (made before this rule existed) is ended too.
    The session is flushed, so its key is refused afterwards.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            logged_in_at = session.get(LOGIN_TIME_KEY)
            if not isinstance(logged_in_at, int) or (
                time.time() - logged_in_at >= settings.SESSION_ABSOLUTE_AGE
            ):
                logout(request)
        return self.get_response(request)


def client_ip_address(request):
    """
    The address a lockout counts against. Behind the reverse proxy (DJANGO_BEHIND_PROXY),
    that is the last address in X-Forwarded-For, which the proxy itself appended; the
    addresses before it come from the client and could be anything. Otherwise it is the
    address of the connection.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR")
