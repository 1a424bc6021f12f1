"""Sending and accepting invitations."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation, Membership, User


def send_invitation(invitation: Invitation, request=None):
    path = reverse("accounts:accept", kwargs={"token": invitation.token})
    link = request.build_absolute_uri(path) if request else settings.SITE_URL + path
    context = {"invitation": invitation, "link": link, "place": invitation.authority or invitation.cluster}
    with translation.override(translation.get_language()):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@transaction.atomic
def accept(invitation: Invitation, user: User) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        user=user, authority=invitation.authority, cluster=invitation.cluster, network=invitation.network,
        defaults={"role": invitation.role},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership
