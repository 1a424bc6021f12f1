"""What a session knows about two-step sign-in follows sign-ins and authenticators at once."""

from allauth.account.signals import user_logged_in
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.dispatch import receiver

from . import two_step


@receiver(user_logged_in, dispatch_uid="hosen.two_step.ask_after_sign_in")
def ask_after_sign_in(sender, request, user, **kwargs):
    # allauth's own signal: sent for the sign-in form (after the code, when she has a second step), not for
    # Django's login() elsewhere. The next page asks her to set it up when she needs it.
    two_step.forget_state(request)
    request.session[two_step.ASK_KEY] = True


@receiver(authenticator_added, dispatch_uid="hosen.two_step.added")
@receiver(authenticator_removed, dispatch_uid="hosen.two_step.removed")
def authenticators_changed(sender, request, **kwargs):
    two_step.forget_state(request)
