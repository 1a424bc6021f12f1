"""`manage.py backup`: a consistent, timestamped copy of the database in the backup directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from hosen.ops import backups


class Command(BaseCommand):
    help = (
        "Back up the database to a timestamped file in the backup directory (--dir, else $HOSEN_BACKUP_DIR, "
        "else backups/ next to manage.py): SQLite through its online backup API (hosen-<UTC time>.sqlite3, "
        "safe while the app is writing), PostgreSQL through pg_dump's custom format (hosen-<UTC time>.dump). "
        "The file appears only when complete; the command prints its path and size, and exits non-zero on "
        "failure.")
    # A backup must run even when an unrelated system check fails.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--dir", dest="directory", metavar="DIRECTORY",
                            help="Where to write the backup (default: $HOSEN_BACKUP_DIR, else backups/ next to "
                                 "manage.py).")
        parser.add_argument("--keep", type=int, metavar="N",
                            help="After a successful backup, delete all but the newest N backups of this kind "
                                 "in the directory (only files named hosen-<time>.sqlite3/.dump).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS,
                            help='The database to back up (default: "default").')

    def handle(self, *args, directory=None, keep=None, database=DEFAULT_DB_ALIAS, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        connection = connections[database]
        vendor = connection.vendor
        if vendor not in backups.SUFFIXES:
            raise CommandError(f"backup supports SQLite and PostgreSQL; this database is {vendor}.")
        target_dir = (Path(directory).expanduser() if directory else backups.default_directory()).absolute()
        try:
            backups.prepare_directory(target_dir)
            path = backups.new_backup_path(target_dir, vendor)
            if vendor == "sqlite":
                backups.backup_sqlite(connection, path)
            else:
                backups.backup_postgresql(connection.settings_dict, path)
            removed = backups.prune(target_dir, vendor, keep) if keep else []
        except backups.BackupError as e:
            raise CommandError(f"Backup failed; no backup file was written.\n{e}") from e
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path} ({backups.human_size(size)})"))
        for old in removed:
            self.stdout.write(f"Removed old backup: {old}")
