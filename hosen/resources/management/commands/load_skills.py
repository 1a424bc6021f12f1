from django.core.management.base import BaseCommand

from hosen.resources.skills import SKILLS_FILE, load_skills


class Command(BaseCommand):
    help = ("Load the shared skills vocabulary (hosen/model_content/skills.json) in Hebrew, Arabic and English, "
            "with the need categories each skill can answer. Safe to re-run: skills are matched by key and "
            "updated in place; skills that authorities added are kept.")

    def handle(self, *args, **options):
        created, updated = load_skills(SKILLS_FILE)
        self.stdout.write(self.style.SUCCESS(f"Skills: {created} added, {updated} updated."))
