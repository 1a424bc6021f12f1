"""Resolve the authority once, from the URL, and run the view inside its scope.

Every authority page has `<slug:authority_slug>` in its URL. Here, and only here, the slug becomes
`request.authority` and `request.access`. An outsider gets 404, exactly like a missing authority;
a member whose role is too low for the view gets 403. The view then runs inside
`scope(authority=...)`, so tenant-owned models can be queried only for this authority.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.utils.http import url_has_allowed_host_and_scheme
from django_scopes import scope

from hosen.accounts.access import access_for
from hosen.integrity.drafts import keep_unsent, restore_unsent
from hosen.integrity.submissions import run_write

from .models import Authority

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def authority_view(read: str = "view", write: str | None = None, creates: bool | None = None):
    """Declare the permissions an authority view needs: `read` for GET, `write` for POST and the rest.
    A view without `write` serves only GET: other methods answer 405 (after the outsider's 404).
    Writes run through `run_write` (one transaction, submission keys, races); `creates` overrides its guess
    of whether a request creates a record (see hosen/integrity/submissions.py)."""

    def decorate(view):
        view.authority_permissions = {"read": read, "write": write, "creates": creates}
        return view

    return decorate


class AuthorityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "authority_slug" not in view_kwargs:
            return None
        permissions = getattr(view_func, "authority_permissions", None)
        if permissions is None:
            raise ImproperlyConfigured(f"{view_func.__name__} must be decorated with @authority_view")
        if not request.user.is_authenticated:
            return self._sign_in_first(request)

        kwargs = dict(view_kwargs)
        slug = kwargs.pop("authority_slug")
        authority = Authority.objects.select_related("cluster__network").filter(slug=slug).first()
        access = access_for(request.user, authority) if authority else None
        if access is None:
            raise Http404("No such authority")
        request.authority = authority
        request.access = access
        needed = permissions["read"] if request.method in SAFE_METHODS else permissions["write"]
        if needed is None:
            return HttpResponseNotAllowed(sorted(SAFE_METHODS))
        if not access.can(needed):
            raise PermissionDenied
        with scope(authority=authority):
            if request.method in SAFE_METHODS:
                if request.method == "GET" and not request.htmx:
                    restore_unsent(request)
                return view_func(request, *view_args, **kwargs)
            return run_write(request, lambda: view_func(request, *view_args, **kwargs),
                             creates=permissions.get("creates"))

    @staticmethod
    def _sign_in_first(request):
        """The session ended (signed out in another tab, expired). A form sent now is kept for after the
        sign-in; an htmx request sends the whole page to the sign-in, and back to where the user was."""
        if request.method not in SAFE_METHODS and not request.htmx:
            keep_unsent(request)
        if request.htmx:
            page = request.htmx.current_url_abs_path or request.get_full_path()
            if not url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}):
                page = request.get_full_path()
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(page)["Location"]
            return response
        return redirect_to_login(request.get_full_path())
