"""Make a personal access token from the command line (for a service account, or a deployment's own checks):

    manage.py api_token manager@example.org --name "municipal GIS" --write --authority neve-demo --days 90

Prints the token's text once, as the access tokens page shows it."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hosen.accounts.access import authorities_for
from hosen.api import tokens


class Command(BaseCommand):
    help = "Make a personal access token for the API and print it once."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--write", action="store_true", help="may change records (default: read only)")
        parser.add_argument("--authority", help="bind it to the authority with this slug")
        parser.add_argument("--days", type=int, default=90)

    def handle(self, email, name, write, authority, days, **options):
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account has the address {email}.")
        bound = None
        if authority:
            bound = authorities_for(user).filter(slug=authority).first()
            if bound is None:
                raise CommandError(f"{email} may not open an authority named {authority}.")
        if not 1 <= days <= 3650:
            raise CommandError("--days must be between 1 and 3650.")
        _token, text = tokens.issue(user, name=name, can_write=write, authority=bound,
                                    expires_at=timezone.now() + timedelta(days=days))
        self.stdout.write(text)
