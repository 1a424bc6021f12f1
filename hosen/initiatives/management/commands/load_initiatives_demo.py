from django.core.management.base import BaseCommand

from hosen.initiatives.demo import load


class Command(BaseCommand):
    help = "Load demo design-thinking initiatives for the demo authority (after load_demo). Safe to re-run."

    def handle(self, *args, **options):
        created = load()
        self.stdout.write(f"{created} demo initiatives created." if created else "Demo initiatives already there.")
