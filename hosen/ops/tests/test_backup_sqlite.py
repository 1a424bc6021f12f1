"""`manage.py backup` and `manage.py restore` on SQLite, run as an operator runs them."""

import os
import re
import shutil
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from hosen.ops.backups import human_size

from .conftest import counts, manage, ok, sqlite_content, sqlite_env, sqlite_keys

WRITTEN = re.compile(r"Backup written: (\S+) \((.+)\)")


def written(result):
    match = WRITTEN.search(result.stdout)
    assert match, result.stdout
    return Path(match.group(1)), match.group(2)


def wipe(path):
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            conn.execute(f'DELETE FROM "{table}"')  # noqa: S608  names from sqlite_master
        conn.execute("INSERT INTO tenancy_network (name, slug) VALUES ('stray', 'stray')")


def test_backup_then_restore_brings_back_every_row(live_sqlite, tmp_path):
    before = sqlite_content(live_sqlite)
    keys = sqlite_keys(live_sqlite)
    assert keys["accounts.user"] and keys["field.need"] and keys["field.historicalneed"] and keys["sessions.session"]
    backup_dir = tmp_path / "backups"

    # The directory comes from HOSEN_BACKUP_DIR when --dir is not given.
    backup, size = written(ok(manage("backup", env=sqlite_env(live_sqlite, HOSEN_BACKUP_DIR=backup_dir))))
    assert backup.parent == backup_dir
    assert re.fullmatch(r"hosen-\d{4}-\d\d-\d\dT\d{6}Z\.sqlite3", backup.name)
    assert size == human_size(backup.stat().st_size)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600 and stat.S_IMODE(backup_dir.stat().st_mode) == 0o700
    assert sorted(os.listdir(backup_dir)) == [backup.name]  # one self-contained file, no -wal or temporary
    assert sqlite_content(backup) == before

    wipe(live_sqlite)
    assert set(counts(sqlite_keys(live_sqlite)).values()) <= {0, 1}
    result = ok(manage("restore", "--noinput", backup, env=sqlite_env(live_sqlite)))
    assert "Restored" in result.stdout
    assert counts(sqlite_keys(live_sqlite)) == counts(keys)
    assert sqlite_content(live_sqlite) == before
    with sqlite3.connect(live_sqlite) as conn:  # the live database keeps running in WAL mode
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    # A new machine: restoring into a database that does not exist yet.
    fresh = tmp_path / "new-machine" / "hosen.sqlite3"
    fresh.parent.mkdir()
    ok(manage("restore", "--noinput", backup, env=sqlite_env(fresh)))
    assert sqlite_content(fresh) == before


def test_backup_is_one_consistent_moment_while_the_app_writes(live_sqlite, tmp_path):
    """Rows committed to the WAL but not yet checkpointed are in the backup, and a backup taken while
    another process keeps committing holds whole transactions only."""
    writer = sqlite3.connect(live_sqlite, timeout=20, isolation_level=None, check_same_thread=False)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # keep the commits in the -wal file
    writer.execute("DELETE FROM django_session")

    def write_pair(n):
        writer.execute("BEGIN IMMEDIATE")
        for half in "ab":
            writer.execute("INSERT INTO django_session VALUES (?, 'x', '2099-01-01 00:00:00')", (f"s{n}{half}",))
        writer.execute("COMMIT")

    for n in range(500):
        write_pair(n)
    naive = tmp_path / "copied.sqlite3"
    shutil.copyfile(live_sqlite, naive)  # copying the file alone misses what is still in the WAL
    assert sqlite3.connect(naive).execute("SELECT count(*) FROM django_session").fetchone()[0] < 1000

    stop, written_pairs = threading.Event(), [500]

    def keep_writing():
        while not stop.is_set():
            write_pair(written_pairs[0])
            written_pairs[0] += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        result = manage("backup", "--dir", tmp_path / "b", env=sqlite_env(live_sqlite))
    finally:
        stop.set()
        thread.join()
        writer.close()
    backup, _size = written(ok(result))
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    in_backup = conn.execute("SELECT count(*) FROM django_session").fetchone()[0]
    assert in_backup >= 1000 and in_backup % 2 == 0
    assert written_pairs[0] > 500, "the writer never ran during the backup"


def corrupt_a_page(path):
    """Overwrite the root page of a table, as a failing disk would, keeping the file's header readable."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'auth_permission'").fetchone()[0]
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * page_size)


@pytest.mark.parametrize("damage", ["not a database", "a damaged page"])
def test_a_failed_backup_says_why_and_leaves_no_file(live_sqlite, tmp_path, damage):
    if damage == "not a database":
        live_sqlite.write_bytes(b"these are not the pages you are looking for" * 100)
    else:
        corrupt_a_page(live_sqlite)
    backup_dir = tmp_path / "backups"
    result = manage("backup", "--dir", backup_dir, env=sqlite_env(live_sqlite))
    assert result.returncode != 0
    assert "Backup failed; no backup file was written." in result.stderr
    assert "Traceback" not in result.stderr
    assert os.listdir(backup_dir) == []  # no truncated file, no temporary one either


def test_keep_deletes_only_older_backups_of_its_own(live_sqlite, tmp_path):
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir()
    old = [backup_dir / f"hosen-2026-01-0{day}T000000Z.sqlite3" for day in (1, 2, 3)]
    others = [backup_dir / "hosen-before-upgrade.sqlite3", backup_dir / "notes.txt",
              backup_dir / "hosen-2026-01-01T000000Z.dump"]
    for age, path in enumerate([*old, *others]):
        path.write_bytes(b"x")
        os.utime(path, (1_700_000_000 + age, 1_700_000_000 + age))
    result = ok(manage("backup", "--dir", backup_dir, "--keep", 2, env=sqlite_env(live_sqlite)))
    new, _size = written(result)
    assert sorted(backup_dir.iterdir()) == sorted([new, old[2], *others])
    assert result.stdout.count("Removed old backup:") == 2


def test_restore_asks_first_and_a_no_changes_nothing(live_sqlite, tmp_path):
    backup, _size = written(ok(manage("backup", "--dir", tmp_path / "b", env=sqlite_env(live_sqlite))))
    wipe(live_sqlite)
    wiped = sqlite_content(live_sqlite)
    result = manage("restore", backup, env=sqlite_env(live_sqlite), input="no\n")
    assert result.returncode != 0
    assert "Type 'yes' to restore" in result.stdout and "Restore cancelled; nothing was changed." in result.stderr
    assert sqlite_content(live_sqlite) == wiped
    ok(manage("restore", backup, env=sqlite_env(live_sqlite), input="yes\n"))
    assert counts(sqlite_keys(live_sqlite)) == counts(sqlite_keys(backup))
