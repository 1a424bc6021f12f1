"""Small helpers every authority page uses to build its links."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def authority_url(request, name, **kwargs):
    """`reverse` for a page of the request's authority."""
    return reverse(name, kwargs={"authority_slug": request.authority.slug, **kwargs})


def safe_next(request, default):
    """The page to return to after a plain POST: only a path on this site, never elsewhere."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return back
    return default


def toggle_href(request, key, value, chosen):
    """The list's query string with one filter set to this value, or removed when it is already chosen."""
    params = request.GET.copy()
    params.pop("page", None)
    if chosen:
        params.pop(key, None)
    else:
        params[key] = value
    return "?" + params.urlencode()
