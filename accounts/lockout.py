"""
Lockout that cannot be turned against staff (django-axes, with the limits in settings).

axes counts failed logins per parameter set and locks when any count reaches one limit. One
limit for all would either let an attacker lock any staff member out from everywhere with five
wrong passwords (the account counted from every address), or let one address guess forever.
Each set here has its own limit instead (settings.LOCKOUT_LIMITS):

- an account from one address: 5 failures, the quick lock;
- one address, whatever the accounts: 20, against trying many names from one place;
- an account from every address: 100, which takes an attacker at least 20 addresses, and which
  never applies at an address the account logged in from recently
  (settings.LOCKOUT_KNOWN_ADDRESS_DAYS): the attacker cannot lock staff out of their office.

A successful login clears the failures of that account at that address only, so that logging
in does not give an attacker elsewhere a fresh set of guesses.
"""

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def _key(parameter):
    return "+".join(parameter) if isinstance(parameter, list | tuple) else parameter


class LockoutHandler(AxesDatabaseHandler):
    def _known_address(self, request, username):
        if not username or not request.axes_ip_address:
            return False
        since = timezone.now() - datetime.timedelta(days=settings.LOCKOUT_KNOWN_ADDRESS_DAYS)
        return AccessLog.objects.filter(
            username=username, ip_address=request.axes_ip_address, attempt_time__gte=since
        ).exists()

    def get_failures(self, request, credentials=None):
        """
        The failures of the set nearest its own limit, in units of AXES_FAILURE_LIMIT (the
        limit axes compares with): 100 failures against a limit of 100 count as 5.
        """
        username = get_client_username(request, credentials)
        known = None
        worst = 0
        parameters = settings.AXES_LOCKOUT_PARAMETERS
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            key = _key(parameter)
            if key == "username":
                known = self._known_address(request, username) if known is None else known
                if known:
                    continue
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            scaled = failures * settings.AXES_FAILURE_LIMIT // settings.LOCKOUT_LIMITS[key]
            worst = max(worst, scaled)
        return worst

    def reset_user_attempts(self, request, credentials=None):
        """After a successful login: this account's failures at this address, nothing else."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count
