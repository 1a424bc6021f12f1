"""Build a database for the backup tests, in its own process, against SQLITE_PATH or DATABASE_URL.

    python -m hosen.ops.tests.seed [--migrate-only]

Migrates, then (unless --migrate-only) loads the model content, the skills and KPI templates, the whole demo
(every register, with its audit history), the tests' standing cast, a signed-in session, and leaves a gap in
the users' primary keys so that a transfer that renumbers rows shows up.
"""

import io
import os
import sys

import django


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hosen.settings")
    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if "--migrate-only" in argv:
        return
    for command in ["load_model_content", "load_skills", "load_kpi_templates", "load_demo"]:
        call_command(command, verbosity=0, stdout=io.StringIO())

    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("gone@example.org", "x-irrelevant-password-42").delete()
    from conftest import make_cast

    make_cast()
    session = SessionStore()
    session["note"] = "signed in"
    session.create()
    from django.db import connections

    connections.close_all()  # the last connection folds the WAL back into the file, which tests copy


if __name__ == "__main__":
    main(sys.argv[1:])
