from allauth.account.adapter import DefaultAccountAdapter

from hosen.accounts.lockout import is_locked
from hosen.client_address import client_ip

from .email_change import EmailChangeAdapterMixin


class InvitationOnlyAdapter(EmailChangeAdapterMixin, DefaultAccountAdapter):
    """Accounts are made only by accepting an invitation; there is no open sign-up. A new sign-in address
    counts only once verified (hosen/accounts/email_change.py)."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        # The same address axes and the public forms count (settings.CLIENT_IP_HEADER), so that behind a
        # proxy allauth's limits tell visitors apart too.
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth counts failed passwords ("login_failed" in ACCOUNT_RATE_LIMITS) per account; counted per
        # account *and address*, someone guessing from one place cannot keep the account's owner out from
        # another. The lock on the account from everywhere is axes' (hosen/accounts/lockout.py).
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}@{client_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        # An account locked from here (axes) gets the page that says for how long and what to do, rather than
        # allauth's shorter "try again later" — and tries while locked do not fill allauth's count.
        if is_locked(request, credentials):
            return
        super().pre_authenticate(request, **credentials)
