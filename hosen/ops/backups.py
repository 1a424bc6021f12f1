"""Backups of Hosen's database and restoring them.

SQLite is copied through its online backup API: one read transaction, so the copy is a consistent snapshot
even while the app keeps writing (WAL lets readers and the writer work side by side). PostgreSQL is dumped
by `pg_dump` in its custom format (a consistent snapshot too) and restored by `pg_restore`.

Every file is written under a hidden temporary name in the backup directory and renamed into place only
when complete and checked, so a failure never leaves a truncated backup that looks like a good one.
Backups hold personal data: the directory is created 0700 and every file 0600.
"""

import contextlib
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"  # pg_dump's custom format (-Fc)
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}
BACKUP_NAME = re.compile(r"^hosen-\d{4}-\d\d-\d\dT\d{6}Z(-\d+)?(\.sqlite3|\.dump)$")
# libpq's environment, set from DATABASES so that inherited values never point a dump at another server.
LIBPQ_VARIABLES = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE",
                   "PGPASSFILE", "PGSSLMODE", "PGSSLROOTCERT", "PGSSLCERT", "PGSSLKEY", "PGOPTIONS"]


class BackupError(Exception):
    """A backup or restore that could not be done; the message tells the operator why."""


def default_directory() -> Path:
    return Path(os.environ.get("HOSEN_BACKUP_DIR") or settings.BASE_DIR / "backups")


def human_size(size: int) -> str:
    value = float(size)
    for unit in ["bytes", "KB", "MB", "GB"]:
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def file_kind(path: Path) -> str | None:
    """'sqlite' for an SQLite database file, 'postgresql' for a pg_dump custom-format archive, else None."""
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def describe_kind(kind: str | None) -> str:
    return {"sqlite": "an SQLite database", "postgresql": "a PostgreSQL dump (pg_dump custom format)"}.get(
        kind, "neither an SQLite database nor a PostgreSQL custom-format dump")


def new_backup_path(directory: Path, vendor: str, now: datetime | None = None) -> Path:
    """hosen-2026-12-06T031500Z.sqlite3 (UTC); a second backup within the same second gets -2, -3, …"""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H%M%SZ")
    suffix = SUFFIXES[vendor]
    path = directory / f"hosen-{stamp}{suffix}"
    n = 2
    while path.exists():
        path = directory / f"hosen-{stamp}-{n}{suffix}"
        n += 1
    return path


def prepare_directory(directory: Path) -> None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise BackupError(f"Cannot create the backup directory {directory}: {e.strerror or e}") from e
    if not os.access(directory, os.W_OK | os.X_OK):
        raise BackupError(f"The backup directory {directory} is not writable.")


def _remove(path: Path) -> None:
    for leftover in [path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))]:
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


@contextlib.contextmanager
def temporary_sibling(final: Path):
    """A new empty 0600 file next to `final` under a hidden name; removed again if the block fails."""
    tmp = final.with_name(f".{final.name}.partial-{secrets.token_hex(4)}")
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        yield tmp
    except BaseException:
        _remove(tmp)
        raise


def publish(tmp: Path, final: Path) -> None:
    """Flush the finished temporary file to disk and rename it into place (atomic on one file system)."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, final)
    with contextlib.suppress(OSError):  # not every file system lets a directory be fsynced
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def prune(directory: Path, vendor: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups of this kind that this command wrote in `directory`."""
    suffix = SUFFIXES[vendor]
    ours = [p for p in directory.iterdir() if p.is_file() and p.suffix == suffix and BACKUP_NAME.match(p.name)]
    ours.sort(key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    removed = ours[keep:]
    for path in removed:
        path.unlink()
    return removed


# SQLite


def _check_sqlite(conn: sqlite3.Connection, what: str) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{what} failed SQLite's integrity check: {result}")


def backup_sqlite(connection, final: Path) -> None:
    """Copy the database behind Django's `connection` into `final` with SQLite's online backup API."""
    try:
        connection.ensure_connection()
    except Exception as e:  # Django's DatabaseError, or sqlite3's own for a file that is not a database
        raise BackupError(f"Cannot open the database {connection.settings_dict['NAME']}: {e}") from e
    source = connection.connection
    with temporary_sibling(final) as tmp:
        target = sqlite3.connect(tmp)
        try:
            # pages=-1: the whole database in one step, inside one read transaction, so the copy is one
            # consistent moment even while other processes write (in WAL mode they are not even blocked).
            source.backup(target, pages=-1)
            # A self-contained single file, whatever journal mode the live database runs in.
            target.execute("PRAGMA journal_mode=DELETE")
            _check_sqlite(target, "The new backup")
        except sqlite3.Error as e:
            raise BackupError(f"SQLite could not back up {connection.settings_dict['NAME']}: {e}") from e
        finally:
            target.close()
        publish(tmp, final)


def open_sqlite_backup(path: Path) -> sqlite3.Connection:
    """Open a backup read-only, after checking that it is a sound SQLite file holding a Hosen database."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise BackupError(f"Cannot open {path}: {e}") from e
    try:
        _check_sqlite(conn, str(path))
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as e:
        conn.close()
        raise BackupError(f"{path} is not a readable SQLite database: {e}") from e
    except BackupError:
        conn.close()
        raise
    if not {"django_migrations", "tenancy_authority"} <= tables:
        conn.close()
        raise BackupError(f"{path} is an SQLite database but not a Hosen database (it has no Hosen tables).")
    return conn


def restore_sqlite(connection, path: Path) -> None:
    """Replace the whole database behind Django's `connection` with the backup at `path`."""
    source = open_sqlite_backup(path)
    try:
        try:
            connection.ensure_connection()
        except Exception as e:
            raise BackupError(f"Cannot open the database {connection.settings_dict['NAME']}: {e}") from e
        if connection.in_atomic_block:
            raise BackupError("Cannot restore inside a transaction.")
        # The online backup API in the other direction: every page of the target is replaced in one
        # write transaction; other processes wait for it (busy timeout) and then see the restored data.
        source.backup(connection.connection, pages=-1)
    except sqlite3.Error as e:
        raise BackupError(f"SQLite could not restore {path}: {e}") from e
    finally:
        source.close()
        connection.close()


# PostgreSQL


def _executable(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools of the server's major version "
            f"or newer (Debian: apt-get install postgresql-client).")
    return path


def libpq_environment(settings_dict: dict) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the connection settings of DATABASES, the password
    included (in PGPASSWORD, never on a command line that other users of the machine can read)."""
    env = {k: v for k, v in os.environ.items() if k not in LIBPQ_VARIABLES}
    options = settings_dict.get("OPTIONS") or {}
    for variable, value in [
        ("PGHOST", settings_dict.get("HOST")), ("PGPORT", settings_dict.get("PORT")),
        ("PGUSER", settings_dict.get("USER")), ("PGPASSWORD", settings_dict.get("PASSWORD")),
        ("PGSERVICE", options.get("service")), ("PGPASSFILE", options.get("passfile")),
        ("PGSSLMODE", options.get("sslmode")), ("PGSSLROOTCERT", options.get("sslrootcert")),
        ("PGSSLCERT", options.get("sslcert")), ("PGSSLKEY", options.get("sslkey")),
    ]:
        if value:
            env[variable] = str(value)
    return env


def _database_name(settings_dict: dict) -> str:
    name = settings_dict.get("NAME")
    if not name:
        raise BackupError("DATABASES has no database NAME to back up or restore.")
    return name


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    # Arguments are a list (no shell) of our own options, the configured database name and the file path.
    return subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603


def _failure(tool: str, result: subprocess.CompletedProcess) -> BackupError:
    detail = (result.stderr or result.stdout).strip() or "no message"
    return BackupError(f"{tool} failed (exit status {result.returncode}):\n{detail}")


def check_pg_archive(path: Path, env: dict[str, str] | None = None) -> None:
    """pg_restore can read the archive's table of contents (a truncated or foreign file fails here)."""
    result = _run([_executable("pg_restore"), "--list", str(path)], env or os.environ.copy())
    if result.returncode != 0:
        raise BackupError(f"{path} is not a readable pg_dump archive: {(result.stderr or '').strip()}")


def backup_postgresql(settings_dict: dict, final: Path) -> None:
    pg_dump = _executable("pg_dump")
    env = libpq_environment(settings_dict)
    name = _database_name(settings_dict)
    with temporary_sibling(final) as tmp:
        # --no-password: fail at once instead of waiting for a password nobody types (cron).
        result = _run([pg_dump, "--format=custom", "--no-password", f"--file={tmp}", f"--dbname={name}"], env)
        if result.returncode != 0:
            raise _failure("pg_dump", result)
        check_pg_archive(tmp, env)
        publish(tmp, final)


def restore_postgresql(connection, path: Path, lock_timeout: int = 30) -> None:
    """pg_restore the archive at `path` over the database of Django's `connection`, all or nothing."""
    settings_dict = connection.settings_dict
    pg_restore = _executable("pg_restore")
    env = libpq_environment(settings_dict)
    name = _database_name(settings_dict)
    check_pg_archive(path, env)
    # Its session is found by this name in pg_stat_activity (see _cancel_if_stuck).
    env["PGAPPNAME"] = app_name = f"hosen-restore-{secrets.token_hex(4)}"
    # --clean --if-exists drops each object of the archive before recreating it; --single-transaction makes
    # the whole restore all-or-nothing; --no-owner lets another role than the original owner restore it.
    args = [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
            "--no-password", f"--dbname={name}", str(path)]
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(args, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)  # noqa: S603
        try:
            stuck = _cancel_if_stuck(connection, process, app_name, lock_timeout)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
        output.seek(0)
        result = subprocess.CompletedProcess(args, process.returncode, "", output.read())
    if result.returncode != 0:
        error = _failure("pg_restore", result)
        if stuck:
            error = BackupError(
                f"pg_restore waited more than {lock_timeout} s for a table that another connection is using, "
                "and was stopped. Nothing was changed. Stop the app (and anything else connected to the "
                f"database), then restore again.\n{error}")
        raise error


def _cancel_if_stuck(connection, process, app_name: str, lock_timeout: int) -> bool:
    """Wait for pg_restore; cancel it when it has waited for a lock `lock_timeout` seconds on end (the app
    still running, a session left open in a transaction). Dropping a table waits for everyone using it, and
    the archive sets lock_timeout = 0 itself, so without this a restore would hang without a word."""
    waiting_since = None
    try:
        with connection.cursor() as cursor:
            while process.poll() is None:
                time.sleep(0.2)
                cursor.execute("SELECT pid, wait_event_type FROM pg_stat_activity WHERE application_name = %s",
                               [app_name])
                row = cursor.fetchone()
                if not row or row[1] != "Lock":
                    waiting_since = None
                    continue
                waiting_since = waiting_since or time.monotonic()
                if time.monotonic() - waiting_since > lock_timeout:
                    cursor.execute("SELECT pg_cancel_backend(%s)", [row[0]])
                    process.wait()
                    return True
    finally:
        connection.close()
    return False
