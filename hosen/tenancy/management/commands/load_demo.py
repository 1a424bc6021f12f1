from django.core.management.base import BaseCommand

from hosen.tenancy.demo import DEMO_PASSWORD, SIGN_INS, load_demo


class Command(BaseCommand):
    help = "Load the demo network, its authorities and the demo sign-ins once. Safe to re-run."

    def handle(self, *args, **options):
        if load_demo():
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data is already loaded; nothing changed.")
        self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for email, _name, role in SIGN_INS:
            self.stdout.write(f"  {email:28} {role.label}")
