"""PostgreSQL: moving a SQLite installation over with dumpdata/loaddata, and backup/restore via
pg_dump/pg_restore, each on databases of the test's own that are dropped afterwards."""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import psycopg

from .conftest import ROOT, counts, manage, ok, pg_conninfo, pg_env, pg_keys, pg_url, sqlite_env, sqlite_keys

# The commands the README gives for the move; keep the two in step.
TRANSFER_DUMP = ["dumpdata", "--natural-foreign", "-e", "contenttypes", "-e", "auth.permission", "-e", "sessions"]


def query(name, statement):
    with psycopg.connect(pg_conninfo(pg_url(name))) as conn:
        return conn.execute(statement).fetchall()


def execute(name, *statements):
    with psycopg.connect(pg_conninfo(pg_url(name)), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def a_new_network_gets_a_fresh_id(name):
    """The sequences were carried over: the next row does not collide with a loaded or restored one."""
    before = query(name, "SELECT max(id) FROM tenancy_network")[0][0]
    new = query(name, "INSERT INTO tenancy_network (name, slug) VALUES ('n', 'after-move') RETURNING id")[0][0]
    assert new > before


def manage_seed(name):
    command = [sys.executable, "-m", "hosen.ops.tests.seed"]
    return subprocess.run(command, cwd=ROOT, env=pg_env(name), capture_output=True, text=True,  # noqa: S603
                          timeout=300, check=False)


def test_sqlite_to_postgresql_with_dumpdata_and_loaddata(live_sqlite, pg_database, tmp_path):
    source = sqlite_keys(live_sqlite)
    fixture = tmp_path / "hosen.json.gz"
    ok(manage(*TRANSFER_DUMP, "-o", fixture, env=sqlite_env(live_sqlite)))
    # The fixture and nothing else (the SQLite database's own -wal/-shm files aside): no temporary left over.
    assert [n for n in os.listdir(tmp_path) if not n.startswith(live_sqlite.name)] == [fixture.name]

    target = pg_database("xfer")  # freshly migrated, as `manage.py migrate` leaves a new database
    result = ok(manage("loaddata", fixture, env=pg_env(target)))
    assert re.search(r"Installed \d+ object\(s\) from 1 fixture", result.stdout)

    moved = pg_keys(pg_url(target))
    # Every row of every model, under the same primary keys (links and audit history keep pointing right);
    # content types and permissions are the ones migrate made, equal to the source's; sessions stay behind.
    assert source.pop("sessions.session") and moved.pop("sessions.session") == []
    assert moved == source
    assert counts(moved) == counts(source)
    a_new_network_gets_a_fresh_id(target)


def test_postgresql_backup_and_restore(pg_database, tmp_path):
    live = pg_database("live")
    ok(manage_seed(live))
    before = pg_keys(pg_url(live))
    assert before["field.need"] and before["field.historicalneed"] and before["accounts.user"]
    backup_dir = tmp_path / "backups"

    result = ok(manage("backup", "--dir", backup_dir, env=pg_env(live)))
    backup = Path(re.search(r"Backup written: (\S+) \(", result.stdout).group(1))
    assert re.fullmatch(r"hosen-\d{4}-\d\d-\d\dT\d{6}Z\.dump", backup.name)
    assert backup.read_bytes()[:5] == b"PGDMP" and stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert os.listdir(backup_dir) == [backup.name]

    # Restoring over the live database after rows were lost and a table dropped.
    execute(live, "TRUNCATE partners_contactlog, field_need CASCADE", "DROP TABLE situation_logentry CASCADE",
            "INSERT INTO tenancy_network (name, slug) VALUES ('stray', 'stray')")
    ok(manage("restore", "--noinput", backup, env=pg_env(live)))
    assert pg_keys(pg_url(live)) == before
    a_new_network_gets_a_fresh_id(live)

    # A truncated archive fails as a whole: --single-transaction leaves the database as it was.
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    after_insert = pg_keys(pg_url(live))
    result = manage("restore", "--noinput", truncated, env=pg_env(live))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert pg_keys(pg_url(live)) == after_insert

    # With the app still using a table, the restore gives up after --lock-timeout and changes nothing.
    with psycopg.connect(pg_conninfo(pg_url(live))) as app:
        app.execute("SELECT count(*) FROM tenancy_network")  # its lock is held until the transaction ends
        result = manage("restore", "--noinput", "--lock-timeout", 1, backup, env=pg_env(live))
    assert result.returncode != 0 and "Nothing was changed. Stop the app" in result.stderr
    assert pg_keys(pg_url(live)) == after_insert

    # A new server: restoring into an empty database.
    empty = pg_database("empty", empty=True)
    ok(manage("restore", "--noinput", backup, env=pg_env(empty)))
    assert pg_keys(pg_url(empty)) == before


def test_pg_dump_gets_the_password_in_its_environment_and_a_failure_leaves_no_file(tmp_path):
    """A stand-in pg_dump records how it was called, writes half a file and fails, like a lost connection."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "pg_dump.log"
    fake = bin_dir / "pg_dump"
    fake.write_text(f"""#!/bin/sh
echo "args: $*" > {log}
echo "PGPASSWORD=$PGPASSWORD PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER" >> {log}
for arg in "$@"; do case "$arg" in --file=*) printf 'PGDMP half a dump' > "${{arg#--file=}}";; esac; done
echo "pg_dump: error: connection to server lost" >&2
exit 1
""")
    fake.chmod(0o755)
    env = {**pg_env("unused"), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "DATABASE_URL": "postgresql://hosen:s3cret-Pass@db.example.invalid:6543/hosen"}
    backup_dir = tmp_path / "backups"
    result = manage("backup", "--dir", backup_dir, env=env)
    assert result.returncode != 0
    assert "Backup failed; no backup file was written." in result.stderr
    assert "pg_dump: error: connection to server lost" in result.stderr
    assert os.listdir(backup_dir) == []
    called = log.read_text()
    assert "--format=custom" in called and "--dbname=hosen" in called
    assert "s3cret" not in called.splitlines()[0]
    assert "PGPASSWORD=s3cret-Pass PGHOST=db.example.invalid PGPORT=6543 PGUSER=hosen" in called


def test_without_pg_dump_the_backup_says_what_to_install(tmp_path):
    env = {**pg_env("unused"), "PATH": str(tmp_path), "DATABASE_URL": "postgresql://hosen@127.0.0.1/hosen"}
    result = manage("backup", "--dir", tmp_path / "b", env=env)
    assert result.returncode != 0
    assert "pg_dump was not found on PATH" in result.stderr and "postgresql-client" in result.stderr

