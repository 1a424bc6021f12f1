"""Holds a signed-in user at two-step enrolment when her role or the admin site needs it (see two_step.py)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from hosen.integrity.drafts import keep_unsent

from . import two_step

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TwoStepRequiredMiddleware:
    """After sign-in through the form, a user who needs two-step sign-in and has none is asked to set it up
    (once; "later" lets her go on during the grace period). Past the grace period, and for staff on the admin
    site, every page but enrolment, sign-out and the language switch leads to the request to set it up.

    Signing in by other means (`Client.force_login` in tests, accepting an invitation) does not ask; the
    grace period still counts and still ends."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_prefixes = None
        self._admin = None

    def open_prefixes(self):
        """Pages a held user may still reach: enrolment itself and what it needs."""
        if self._open_prefixes is None:
            self._open_prefixes = (
                reverse("accounts:two_step"), reverse("mfa_index"), reverse("account_logout"),
                reverse("account_reauthenticate"), reverse("account_login"), reverse("set_language"),
                settings.STATIC_URL, reverse("healthz"), reverse("favicon"),
            )
        return self._open_prefixes

    def admin_paths(self):
        """The admin site's index and its own sign-in page, reversed once per process, not on every request."""
        if self._admin is None:
            self._admin = (reverse("admin:index"), reverse("admin:login"))
        return self._admin

    def __call__(self, request):
        admin, admin_login = self.admin_paths()
        path = request.path_info
        if path == admin_login:
            # The admin's own sign-in form knows no second step, so it is never shown: a visitor signs in through
            # Hosen's, staff go on to the admin, and anyone else signed in may not enter (Hosen's sign-in would
            # send her straight back here).
            if not request.user.is_authenticated:
                wanted = request.GET.get("next", admin)
                return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': wanted})}")
            if not request.user.is_staff:
                raise PermissionDenied
            return HttpResponseRedirect(admin)
        if not request.user.is_authenticated or path.startswith(self.open_prefixes()):
            return self._refused_is_422(request, self.get_response(request))
        state = two_step.state_for(request)
        if state.enrolled:
            return self.get_response(request)
        if path.startswith(admin) and request.user.is_staff:
            messages.warning(request, _("The admin site needs two-step sign-in: set it up first."))
            return self._hold(request)
        if state.required and (state.past_deadline() or request.session.get(two_step.ASK_KEY)):
            return self._hold(request)
        return self.get_response(request)

    def _refused_is_422(self, request, response):
        """allauth's two-step forms answer a wrong code with the form again (200); every one of them answers
        success with a redirect. Hosen's refused forms say so in their status."""
        if (request.method == "POST" and response.status_code == 200
                and request.path_info.startswith((reverse("mfa_index"), reverse("account_reauthenticate")))):
            response.status_code = 422
        return response

    def _hold(self, request):
        page = request.get_full_path() if request.method in SAFE_METHODS else request.path
        if request.htmx:
            page = request.htmx.current_url_abs_path or page
        if request.method not in SAFE_METHODS and not request.htmx:
            keep_unsent(request)  # what she typed comes back in the form after enrolling
        target = f"{reverse('accounts:two_step')}?{urlencode({'next': page})}"
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
