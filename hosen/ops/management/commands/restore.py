"""`manage.py restore <file>`: replace the whole database with a backup written by `manage.py backup`."""

from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from hosen.ops import backups


class Command(BaseCommand):
    help = (
        "Replace EVERY row of the database with a backup written by `manage.py backup`: an SQLite backup "
        "(.sqlite3) is copied back through the online backup API, a PostgreSQL dump (.dump, pg_dump custom "
        "format) is restored by pg_restore --clean --if-exists in one transaction. A file of the other kind "
        "is refused. Asks for confirmation unless --noinput. Stop the app while restoring.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file to restore from.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS,
                            help='The database to restore into (default: "default").')
        parser.add_argument("--lock-timeout", type=int, default=30, metavar="SECONDS",
                            help="PostgreSQL: give up, changing nothing, when a table stays in use this long "
                                 "(default: 30).")

    def handle(self, *args, file, interactive=True, database=DEFAULT_DB_ALIAS, lock_timeout=30, **options):
        connection = connections[database]
        vendor = connection.vendor
        if vendor not in backups.SUFFIXES:
            raise CommandError(f"restore supports SQLite and PostgreSQL; this database is {vendor}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        kind = backups.file_kind(path)
        if kind != vendor:
            hint = (" A fixture written by dumpdata is loaded with `manage.py loaddata`." if kind is None else
                    " To move data between SQLite and PostgreSQL use dumpdata and loaddata (README, Backups).")
            raise CommandError(f"Refusing to restore {path}: it is {backups.describe_kind(kind)}, and this "
                               f"database is {'SQLite' if vendor == 'sqlite' else 'PostgreSQL'}.{hint}")
        try:
            if vendor == "sqlite":
                backups.open_sqlite_backup(path).close()
            else:
                backups.check_pg_archive(path)
        except backups.BackupError as e:
            raise CommandError(f"Refusing to restore: {e}") from e

        if lock_timeout < 1:
            raise CommandError("--lock-timeout must be at least 1 second.")
        if interactive:
            self.confirm(path, connection.settings_dict["NAME"])
        try:
            if vendor == "sqlite":
                backups.restore_sqlite(connection, path)
            else:
                backups.restore_postgresql(connection, path, lock_timeout=lock_timeout)
        except backups.BackupError as e:
            raise CommandError(f"Restore failed.\n{e}") from e
        self.stdout.write(self.style.SUCCESS(f"Restored {connection.settings_dict['NAME']} from {path}."))
        self.warn_unapplied_migrations(connection)

    def confirm(self, path, name):
        written = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
        question = (
            f"This replaces ALL data in the database {name} with the backup\n"
            f"  {path} (written {written}, {backups.human_size(path.stat().st_size)}).\n"
            "Everything written since that backup is lost. Stop the app first.\n"
            "Type 'yes' to restore, anything else to cancel: ")
        try:
            answer = input(question)
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled; nothing was changed.")

    def warn_unapplied_migrations(self, connection):
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(self.style.WARNING(
                f"The backup predates {len(pending)} migration(s) of this version of Hosen: "
                "run `manage.py migrate` before starting the app."))
