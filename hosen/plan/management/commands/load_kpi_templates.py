from django.core.management.base import BaseCommand

from hosen.plan import templates_loader


class Command(BaseCommand):
    help = ("Load the library of KPI templates (hosen/model_content/kpi_templates.json) in Hebrew, Arabic and "
            "English. Safe to re-run: templates are matched by key and updated in place; a template dropped from "
            "the file is retired, never deleted.")

    def handle(self, *args, **options):
        counts = templates_loader.load()
        self.stdout.write(self.style.SUCCESS(
            "KPI templates: {created} created, {updated} updated, {unchanged} unchanged, {retired} retired.".format(
                **counts)))
