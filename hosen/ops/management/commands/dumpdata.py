"""Django's dumpdata, able to see every authority's rows, and never leaving a truncated -o file behind.

Tenant-owned models' managers refuse to run outside an authority's scope (django-scopes); a dump of the
whole database is deliberately outside every scope, so it runs inside `scopes_disabled()`. With -o the
fixture is written under a hidden temporary name next to the target and renamed only when complete.
"""

import os
import secrets

from django.core.management.commands import dumpdata
from django_scopes import scopes_disabled


class Command(dumpdata.Command):
    help = (dumpdata.Command.help + " Sees every authority's rows. To move Hosen to another database: "
            "dumpdata --natural-foreign -e contenttypes -e auth.permission -e sessions -o hosen.json.gz "
            "(see README, Backups).")

    def handle(self, *app_labels, **options):
        output = options.get("output")
        if not output:
            with scopes_disabled():
                return super().handle(*app_labels, **options)
        directory, name = os.path.split(os.path.abspath(output))
        # Keep the whole name at the end, so dumpdata still picks the compression by its extension.
        tmp = os.path.join(directory, f".partial-{secrets.token_hex(4)}-{name}")
        # Where dumpdata writes when it does not know the extension: the name without it.
        written = [tmp, os.path.splitext(tmp)[0]]
        try:
            with scopes_disabled():
                super().handle(*app_labels, **{**options, "output": tmp})
        except BaseException:
            for path in written:
                if os.path.exists(path):
                    os.remove(path)
            raise
        if os.path.exists(tmp):
            os.replace(tmp, output)
        else:
            os.replace(written[1], os.path.splitext(output)[0])
