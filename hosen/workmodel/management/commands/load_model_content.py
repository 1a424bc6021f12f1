from django.core.management.base import BaseCommand

from hosen.workmodel import content


class Command(BaseCommand):
    help = ("Load the working model (stages, components, actions, voices, principles, design phases, "
            "the 41-item checklist) in Hebrew, Arabic and English. Safe to re-run: an already loaded "
            "version, and admin edits made to it, are left as they are unless --force.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload even if this version is loaded")

    def handle(self, *args, force=False, **options):
        written, version = content.load(force=force)
        if written:
            self.stdout.write(self.style.SUCCESS(f"Working model version {version} loaded."))
        else:
            self.stdout.write(f"Working model version {version} is already loaded; nothing changed.")
