from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAdapter(DefaultAccountAdapter):
    """Accounts are made only by accepting an invitation; there is no open sign-up."""

    def is_open_for_signup(self, request):
        return False
