import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandError

from hosen.accounts.models import User
from hosen.accounts.two_step import totp_code
from hosen.tenancy.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = ("Print the current two-step sign-in code of the demo sign-ins (network@, coordinator@, manager@ and "
            "manager2@example.org share one authenticator key). Works only for the demo's published key.")

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", help="a demo sign-in; checks that it uses the demo's key")

    def handle(self, *args, email=None, **options):
        if email:
            user = User.objects.filter(email__iexact=email).first()
            totp = user and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
            # Never a real user's code: only an account that uses the demo's published key.
            if not totp or decrypt(totp.data["secret"]) != DEMO_TOTP_SECRET:
                raise CommandError(f"{email} does not sign in with the demo's authenticator key.")
        seconds_left = 30 - int(time.time()) % 30
        self.stdout.write(totp_code(DEMO_TOTP_SECRET))
        if options["verbosity"] > 1:
            self.stdout.write(f"(valid for {seconds_left} more seconds)")
