"""Changing one's sign-in address: the new address becomes the login only once it is verified.

allauth's e-mail page runs in its "change" mode (ACCOUNT_CHANGE_EMAIL): the address typed there waits,
unverified and signing nobody in, until its owner opens the link e-mailed to it; then it replaces the old
login. allauth's page also answers "make primary" and "remove" for any address of the account; here the
new address becomes the login only through the link, and removing is only cancelling the change, so no
request can move the login to an address nobody verified.

An address that is another account's login, or that an invitation still waiting to be accepted was sent
to, is refused with a message, when typed and again when its link is opened (it may have been taken in
between). The invitation belongs to whoever holds its link (hosen/accounts/invitations.py).
"""

from allauth.account.forms import AddEmailForm
from allauth.account.models import EmailAddress
from allauth.account.views import EmailView
from django import forms
from django.contrib import messages
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hosen.integrity.submissions import write_view

from .models import Invitation, User


def address_unavailable(email: str, user) -> str | None:
    """Why `user` may not take `email` as her login, in the active language; None when she may."""
    email = email.strip().lower()
    if (User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
            or EmailAddress.objects.filter(email__iexact=email, verified=True).exclude(user_id=user.pk).exists()):
        return _("This address is already the sign-in address of another account.")
    if Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True,
                                 expires_at__gt=timezone.now()).exists():
        return _("An invitation to Hosen waiting to be accepted was sent to this address; it can belong "
                 "only to whoever accepts that invitation.")
    return None


def record_login_verified(user) -> None:
    """The account's login is a verified, primary address. It was proved when it was set (an invitation's
    link, a verified change) or set by an operator; an account made outside the invitations (the demo, the
    command line) has no record yet, and allauth's change flow needs one to keep the login in place."""
    email = user.email.lower()
    if not email or EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists():
        return
    # Another account's record of this address is stale (an operator moved the login in the admin) or a claim
    # that can never be verified: the address is this account's login.
    EmailAddress.objects.filter(email__iexact=email).exclude(user=user).delete()
    EmailAddress.objects.filter(user=user, primary=True).exclude(email=email).update(primary=False)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})


class ChangeEmailForm(AddEmailForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # allauth's field has no length limit; the address column holds 254 (the limit of an address).
        field = self.fields["email"]
        field.max_length = User._meta.get_field("email").max_length
        field.validators.append(MaxLengthValidator(field.max_length))

    def clean_email(self):
        email = super().clean_email()
        reason = address_unavailable(email, self.user)
        if reason:
            raise forms.ValidationError(reason)
        return email


class EmailChangeView(EmailView):
    """allauth's e-mail page, limited to changing the login through verification (see the module)."""

    form_class = ChangeEmailForm
    template_name = "account/email_change.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            record_login_verified(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return self.form_class

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)

    def post(self, request, *args, **kwargs):
        if "action_add" not in request.POST:
            if "action_primary" in request.POST:
                messages.error(request, _("The new address becomes your sign-in address when you open the link "
                                          "sent to it."))
                return HttpResponseRedirect(self.success_url)
            if "action_remove" in request.POST and not self._is_pending(request.POST.get("email", "")):
                messages.error(request, _("Your sign-in address cannot be removed; change it to another one "
                                          "instead."))
                return HttpResponseRedirect(self.success_url)
            if "action_send" in request.POST and not self._is_pending(request.POST.get("email", "")):
                return HttpResponseRedirect(self.success_url)  # only the new address waits for a link
        return super().post(request, *args, **kwargs)

    def _is_pending(self, email):
        pending = EmailAddress.objects.get_new(self.request.user)
        return pending is not None and not pending.primary and pending.email == email.strip().lower()


class EmailChangeAdapterMixin:
    """The account adapter's part in the change: the link's last check, and where it leads."""

    def confirm_email(self, request, email_address):
        reason = address_unavailable(email_address.email, email_address.user)
        if reason:
            messages.error(request, reason)
            return False
        # allauth marks the new address primary, moves the login and removes the old address in several
        # writes: all of them, or (an address taken at the same instant) none.
        try:
            with transaction.atomic():
                return super().confirm_email(request, email_address)
        except IntegrityError:
            messages.error(request, _("This address is already the sign-in address of another account."))
            return False

    def get_email_verification_redirect_url(self, email_address):
        if self.request.user.is_authenticated:
            return reverse("account_email")  # she sees her new address there
        return super().get_email_verification_redirect_url(email_address)

    def format_email_subject(self, subject):
        return str(subject)  # Hosen's subjects name Hosen; no "[site name]" prefix


email_change = write_view(EmailChangeView.as_view(), creates=False)
