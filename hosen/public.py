"""Pages that people open without an account, through a token: quick reports, pulse answers, volunteer
sign-up. Each is rate limited — by IP for reading, by IP and by token for sending (settings.RATELIMIT_PUBLIC_*)
— answers 429 with a friendly page when limited, and is never cached: each form carries its own key.

django-ratelimit's RATELIMIT_VIEW is used only by its middleware, which Hosen does not run, so the
`Ratelimited` exception is caught here.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from hosen.integrity.submissions import write_view


def rate_limited(request, exception=None):
    """Too many requests from one place or through one link (settings.RATELIMIT_VIEW)."""
    return render(request, "field/public_rate_limited.html", status=429)


def _rate(setting):
    return lambda group, request: getattr(settings, setting)


def _token(group, request):
    """The token in the URL, whatever the form calls it (link_token, pulse_token, volunteer_token…)."""
    kwargs = request.resolver_match.kwargs
    return next((value for name, value in kwargs.items() if name.endswith("_token")), "")


def token_form_view(group: str):
    """Decorate a token form's view; `group` keeps its counts apart from other forms'."""

    def decorate(view):
        # One transaction per sending, and the submissions ledger: a resend, or the same report sent again
        # after going back, stores one (hosen/integrity/submissions.py).
        view = write_view(view)
        limited = ratelimit(group=f"{group}.read", key="ip", rate=_rate("RATELIMIT_PUBLIC_GET"),
                            method=["GET", "HEAD"])(view)
        limited = ratelimit(group=f"{group}.send.ip", key="ip", rate=_rate("RATELIMIT_PUBLIC_POST_IP"),
                            method="POST")(limited)
        limited = ratelimit(group=f"{group}.send.token", key=_token, rate=_rate("RATELIMIT_PUBLIC_POST_TOKEN"),
                            method="POST")(limited)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return limited(request, *args, **kwargs)
            except Ratelimited as exception:
                return rate_limited(request, exception)

        return never_cache(wrapped)

    return decorate
