"""Sign-in lock-out: per account from one address, and per account from everywhere — never per address.

Behind a proxy a whole country may share one address, so a lock keyed on the address alone lets anyone
switch off everyone's sign-in with a few made-up e-mails. Hosen counts failed passwords per account:

- from one address (settings.AXES_FAILURE_LIMIT, 10 an hour): someone guessing from one place locks only
  themselves out of that account; its owner, elsewhere, still signs in;
- from all addresses together (settings.AXES_ACCOUNT_FAILURE_LIMIT, 30 an hour): guessing spread over many
  addresses stops too. This lock can be set off on purpose by someone with several addresses who knows
  an e-mail address — the known price of stopping distributed guessing — so setting a new password through
  the e-mailed link lifts every lock on the account at once (`unlock_on_password_reset`).

Failures while locked are not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False): one address
can add at most AXES_FAILURE_LIMIT to the account's total.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

from hosen.client_address import client_ip


def account_key(request, credentials=None):
    """The account a sign-in is for (AXES_USERNAME_CALLABLE), spelled one way.

    allauth hands axes {"email": …}; axes itself, after a successful sign-in, {"login": …}. E-mail addresses
    are compared without case, so "Dana@X.org" and "dana@x.org" share one count — else changing the case
    would buy an attacker ten more guesses each time.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("login") or credentials.get("username")
    if not value and request is not None:
        value = getattr(request, "POST", {}).get("login")
    value = (value or "").strip().lower()
    return value or None


def _failures(attempts):
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountLockoutHandler(AxesDatabaseHandler):
    """axes' database handler, counting as the module docstring explains."""

    def get_failures(self, request, credentials=None) -> int:
        account = get_client_username(request, credentials)
        if not account:
            # No account named: nothing to guess, nothing to lock.
            return 0
        recent = AccessAttempt.objects.filter(username=account,
                                              attempt_time__gte=get_cool_off_threshold(request))
        address = getattr(request, "axes_ip_address", None) or client_ip(request)
        from_here = _failures(recent.filter(ip_address=address))
        if _failures(recent) >= settings.AXES_ACCOUNT_FAILURE_LIMIT:
            # axes compares this number with AXES_FAILURE_LIMIT: report at least that many.
            return max(from_here, get_failure_limit(request, credentials))
        return from_here


def is_locked(request, credentials):
    """Whether axes will refuse this sign-in (the account is locked from this address or everywhere)."""
    return bool(settings.AXES_ENABLED) and AxesProxyHandler.is_locked(request, credentials)


def unlock_on_password_reset(sender, request, user, **kwargs):
    """A new password set through the e-mailed link proves the owner: lift the account's locks."""
    AccessAttempt.objects.filter(username=account_key(None, {"email": user.email})).delete()


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): what happened and what to do, 429."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 60
    return render(request, "account/locked_out.html", {"minutes": minutes}, status=429)
