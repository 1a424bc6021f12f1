"""Django's loaddata, able to load every authority's rows (django-scopes' managers would refuse them)."""

from django.core.management.commands import loaddata
from django_scopes import scopes_disabled


class Command(loaddata.Command):
    help = loaddata.Command.help + " Loads every authority's rows; see README, Backups, for moving databases."

    def handle(self, *fixture_labels, **options):
        with scopes_disabled():
            return super().handle(*fixture_labels, **options)
