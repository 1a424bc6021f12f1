"""Sign-in by e-mail address: only by the account's login.

allauth's backend also signs in by any address recorded for an account, verified or not; an address typed
on the e-mail page and not yet verified would already sign in. Here the only address that signs in is the
account's login (User.email, compared without case), which changes only once a new address is verified
(hosen/accounts/email_change.py).
"""

from allauth.account.auth_backends import AuthenticationBackend

from .models import User


class LoginAddressBackend(AuthenticationBackend):
    def _authenticate_by_email(self, email, password):
        if not email:
            return None
        user = User.objects.filter(email__iexact=email.strip()).first()
        return self._check_password(user, password)
