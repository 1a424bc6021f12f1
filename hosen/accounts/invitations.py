"""Sending and accepting invitations."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .email_change import record_login_verified
from .models import Invitation, Membership, User


def send_invitation(invitation: Invitation, request=None):
    path = reverse("accounts:accept", kwargs={"token": invitation.token})
    link = request.build_absolute_uri(path) if request else settings.SITE_URL + path
    context = {"invitation": invitation, "link": link, "place": invitation.authority or invitation.cluster}
    with translation.override(translation.get_language()):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def bind_invited_address(user: User, email: str) -> None:
    """Whoever opened the invitation's link proved its address: it becomes the invitee's verified login, and
    another account's unverified claim on it (typed on the e-mail page, never verified) is dropped, so that
    claim can neither block the invitee nor be verified later."""
    EmailAddress.objects.filter(email__iexact=email, verified=False).exclude(user=user).delete()
    if user.email.lower() == email.lower():
        record_login_verified(user)


@transaction.atomic
def accept(invitation: Invitation, user: User) -> Membership:
    bind_invited_address(user, invitation.email)
    membership, _ = Membership.objects.get_or_create(
        user=user, authority=invitation.authority, cluster=invitation.cluster, network=invitation.network,
        defaults={"role": invitation.role},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership
