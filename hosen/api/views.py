"""Access tokens pages: each person makes, sees and revokes her own; a network admin sees and revokes every
token of her network's people."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hosen.accounts.models import Role
from hosen.integrity.submissions import write_view
from hosen.tenancy.models import Network

from . import tokens
from .forms import TokenForm
from .models import AccessToken

# The new token's text waits here between the POST that made it and the page that shows it once.
SHOWN_ONCE = "api_token_shown_once"


@login_required
@write_view
def token_list(request):
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        token, text = tokens.issue(request.user, name=form.cleaned_data["name"],
                                   can_write=form.cleaned_data["access"] == "write",
                                   authority=form.cleaned_data["authority"], expires_at=form.expires_at())
        request.session[SHOWN_ONCE] = {"pk": token.pk, "text": text}
        return redirect("api:tokens")
    shown = request.session.pop(SHOWN_ONCE, None)
    mine = request.user.access_tokens.select_related("authority").order_by("-created_at")
    return render(request, "api/tokens.html", {
        "form": form, "tokens": mine, "shown": shown, "now": timezone.now(),
    }, status=422 if form.errors else 200)


def _network_tokens(networks):
    """Every token of a person who holds a role anywhere in these networks."""
    in_network = (Q(user__memberships__network__in=networks)
                  | Q(user__memberships__cluster__network__in=networks)
                  | Q(user__memberships__authority__cluster__network__in=networks))
    return AccessToken.objects.filter(in_network).distinct()


def _admin_networks(user):
    return Network.objects.filter(pk__in=user.memberships.filter(role=Role.NETWORK_ADMIN).values("network"))


@login_required
def network_tokens(request):
    networks = _admin_networks(request.user)
    if not networks.exists():
        raise PermissionDenied
    listed = _network_tokens(networks).select_related("user", "authority", "revoked_by").order_by(
        "revoked_at", "-last_used_at", "-created_at")
    return render(request, "api/network_tokens.html", {"tokens": listed, "now": timezone.now()})


@login_required
@require_POST
@write_view(creates=False)
def revoke(request, token_pk):
    """The token's own person, or a network admin of a network she belongs to, revokes it. Revoking twice
    changes nothing more."""
    token = get_object_or_404(AccessToken, pk=token_pk)
    own = token.user_id == request.user.pk
    if not own and not _network_tokens(_admin_networks(request.user)).filter(pk=token.pk).exists():
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = request.user
        token.save(update_fields=["revoked_at", "revoked_by"])
        messages.success(request, _("The token “%(name)s” is revoked: it no longer opens anything.")
                         % {"name": token.name})
    else:
        messages.info(request, _("This token was already revoked."))
    return redirect("api:tokens" if own and request.POST.get("from") != "network" else "api:network_tokens")
