from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from hosen.integrity.submissions import write_view
from hosen.tenancy.middleware import authority_view

from .access import authorities_for
from .forms import AcceptInvitationForm, InviteForm
from .invitations import accept, send_invitation
from .models import Invitation, Role, User


@login_required
def home(request):
    """After sign-in: straight to the authority for a single-authority member, else a picker."""
    if request.user.memberships.filter(role__in=[Role.NETWORK_ADMIN, Role.CLUSTER_COORDINATOR]).exists():
        return redirect("tenancy:network")
    authorities = list(authorities_for(request.user)[:50])
    if len(authorities) == 1:
        return redirect("workmodel:home", authority_slug=authorities[0].slug)
    return render(request, "accounts/pick_authority.html", {"authorities": authorities})


@require_POST
def set_language(request):
    """Django's language switch, and the choice kept on the account so it follows the user."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


@authority_view(read="manage", write="manage")
def members(request):
    authority = request.authority
    form = InviteForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        invitation = Invitation.objects.create(
            email=form.cleaned_data["email"], role=form.cleaned_data["role"], authority=authority,
            invited_by=request.user,
        )
        send_invitation(invitation, request)
        messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.email})
        return redirect("team:members", authority_slug=authority.slug)
    memberships = authority.memberships.select_related("user").order_by("role", "user__email")
    pending = Invitation.objects.filter(authority=authority, accepted_at__isnull=True).order_by("-created_at")
    return render(request, "accounts/members.html", {
        "form": form, "memberships": memberships, "pending": pending,
    }, status=422 if form.errors else 200)


@write_view(creates=False)  # one transaction; never a password in the submissions ledger
def accept_invitation(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("authority", "cluster"), token=token)
    if not invitation.is_usable():
        return render(request, "accounts/invitation_unusable.html", {"invitation": invitation}, status=410)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        if not request.user.is_authenticated:
            messages.info(request, _("You already have an account: sign in to accept the invitation."))
            return HttpResponseRedirect(f"{reverse('account_login')}?next={request.path}")
        if request.user != existing:
            return render(request, "accounts/invitation_unusable.html", {"invitation": invitation,
                                                                          "wrong_user": True}, status=403)
        if request.method == "POST":
            accept(invitation, existing)
            messages.success(request, _("Welcome! You have joined."))
            return redirect("home")
        return render(request, "accounts/accept.html", {"invitation": invitation, "form": None})

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        user = User.objects.create_user(invitation.email, form.cleaned_data["password1"],
                                        full_name=form.cleaned_data["full_name"])
        accept(invitation, user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! You have joined."))
        return redirect("home")
    return render(request, "accounts/accept.html", {"invitation": invitation, "form": form})


