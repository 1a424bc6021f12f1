"""The request to set up two-step sign-in, and the network admin's grace period."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hosen.integrity.submissions import write_view
from hosen.integrity.versions import VersionedForm
from hosen.tenancy.models import Network

from . import two_step
from .models import Role

# Where to go on after enrolling (the recovery codes page offers it): kept in the session because allauth's
# activation pages know no `next`.
NEXT_KEY = "hosen_two_step_next"


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return reverse("home")


@login_required
@write_view(creates=False)
def two_step_required(request):
    """Why and how to set up two-step sign-in; during the grace period, "later" goes on to the page asked for."""
    state = two_step.state_for(request)
    next_url = _next_url(request)
    admin_site = next_url.startswith(reverse("admin:index"))
    if state.enrolled:
        request.session.pop(two_step.ASK_KEY, None)
        return redirect(next_url if request.GET.get("next") or request.POST.get("next") else "mfa_index")
    request.session[NEXT_KEY] = next_url
    can_postpone = state.required and not state.past_deadline() and not admin_site
    refused = False
    if request.method == "POST":
        if can_postpone:
            request.session.pop(two_step.ASK_KEY, None)
            return redirect(next_url)
        refused = True
        messages.error(request, _("Two-step sign-in can no longer be put off: set it up to go on."))
    days_left = state.days_left()
    return render(request, "accounts/two_step_required.html", {
        "state": state, "next_url": next_url, "admin_site": admin_site, "can_postpone": can_postpone,
        "days_left_text": ngettext("You can put it off for %(days)d more day, today included.",
                                   "You can put it off for %(days)d more days, today included.",
                                   days_left) % {"days": days_left},
    }, status=422 if refused else 200)


class GraceForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Network
        fields = ["two_step_grace_days"]
        help_texts = {"two_step_grace_days": gettext_lazy(
            "Network admins, cluster coordinators and managers without two-step sign-in are asked at every "
            "sign-in; after this many days (from the day each first needed it) they can do nothing else until "
            "they set it up. 0 means at once.")}


@login_required
@write_view(creates=False)
def network_two_step(request):
    """A network admin sets how long her network's people may sign in without two-step sign-in."""
    networks = list(Network.objects.filter(
        pk__in=request.user.memberships.filter(role=Role.NETWORK_ADMIN).values("network")).order_by("name"))
    if not networks:
        raise PermissionDenied
    chosen = request.POST.get("network") or request.GET.get("network")
    network = next((n for n in networks if str(n.pk) == chosen), networks[0])
    form = GraceForm(request.POST or None, instance=network)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('accounts:two_step_network')}?network={network.pk}")
    return render(request, "accounts/two_step_network.html", {
        "form": form, "network": network, "networks": networks,
    }, status=(409 if form.conflict else 422) if form.errors else 200)
