"""
The API's rate limit, per reader's address, counted in the cache. The cache is an
optimisation, never a dependency (DESIGN.md §6): when it fails, the request is let through
uncounted instead of failing, and the fault is logged once per outage by the cache backend
(public/cache_backend.py) or here for any other backend.
"""

import logging

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

logger = logging.getLogger(__name__)


class ResilientAnonRateThrottle(AnonRateThrottle):
    _failing = False

    def get_rate(self):
        return settings.API_RATE  # OBSERVATORY_API_RATE, e.g. "120/minute"

    def allow_request(self, request, view):
        try:
            allowed = super().allow_request(request, view)
        except Exception:  # any fault of any cache backend: count nothing, refuse no one
            if not ResilientAnonRateThrottle._failing:
                logger.warning("The API's rate limit is not counted: the cache failed.")
            ResilientAnonRateThrottle._failing = True
            return True
        ResilientAnonRateThrottle._failing = False
        return allowed
