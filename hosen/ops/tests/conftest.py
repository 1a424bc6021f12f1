"""Databases for the backup tests, built once per test run in their own processes.

The commands run as an operator runs them: `manage.py …` in a subprocess, against a file-based SQLite
database (SQLITE_PATH) or a PostgreSQL database of their own (DATABASE_URL), never the test run's database.
The seeded SQLite file and the migrated PostgreSQL template are built side by side when the first test that
needs either starts; each test then works on its own copy.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[3]
PID = os.getpid()


def _base_environ():
    # The test run's own database settings never reach the commands; each call names its database.
    drop = {"DATABASE_URL", "SQLITE_PATH", "HOSEN_BACKUP_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PG")}


def sqlite_env(path, **extra):
    return {**_base_environ(), "SQLITE_PATH": str(path), **extra}


def manage(*args, env, input=None, timeout=300):
    """`manage.py <args>` in its own process; returns the CompletedProcess (text)."""
    command = [sys.executable, "manage.py", *map(str, args)]  # the tests' own arguments
    return subprocess.run(command, cwd=ROOT, env=env, input=input,  # noqa: S603
                          capture_output=True, text=True, timeout=timeout, check=False)


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def unavailable(reason):
    """Missing PostgreSQL or its tools skips these tests on a laptop, and fails them in CI."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


# Every table Django knows, read straight from the database files (not through the test run's connection).
# Table and column names come from Django's model registry, never from input: hence the f-string SQL.


def model_tables():
    """(label, table, primary-key column) of every concrete model, auto-created many-to-many tables too."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables[model._meta.db_table] = (model._meta.label_lower, model._meta.db_table, model._meta.pk.column)
    return sorted(tables.values())


def _rows(execute, tables):
    return {label: sorted(str(row[0]) for row in execute(f'SELECT "{pk}" FROM "{table}"'))  # noqa: S608
            for label, table, pk in tables}


def sqlite_keys(path):
    """{model label: sorted primary keys} of an SQLite database file."""
    with sqlite3.connect(path) as conn:
        return _rows(lambda sql: conn.execute(sql).fetchall(), model_tables())


def sqlite_content(path):
    """{table: every row, sorted} of an SQLite database file: equal means identical data."""
    with sqlite3.connect(path) as conn:
        return {table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)  # noqa: S608
                for _label, table, _pk in model_tables()}


def pg_keys(url):
    import psycopg

    with psycopg.connect(pg_conninfo(url)) as conn:
        return _rows(lambda sql: conn.execute(sql).fetchall(), model_tables())


def counts(keys):
    return {label: len(pks) for label, pks in keys.items()}


# PostgreSQL: the server of DATABASE_URL when the test run uses one, else the local one.


def pg_base_url():
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else "postgresql://postgres@127.0.0.1:5432/postgres"


def pg_url(name):
    return urlsplit(pg_base_url())._replace(path=f"/{name}").geturl()


def pg_conninfo(url):
    from psycopg.conninfo import make_conninfo

    parts = urlsplit(url)
    return make_conninfo(host=parts.hostname or "", port=parts.port or 5432, user=parts.username or "",
                         password=parts.password or "", dbname=parts.path.lstrip("/"), connect_timeout=5)


def pg_admin(sql):
    import psycopg

    with psycopg.connect(pg_conninfo(pg_url("postgres")), autocommit=True) as conn:
        conn.execute(sql)


def pg_env(name, **extra):
    return {**_base_environ(), "DATABASE_URL": pg_url(name), **extra}


def pg_create(name, template=None):
    for attempt in range(20):
        try:
            pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
            return
        except Exception as e:  # the template's last session may still be closing
            if "being accessed by other users" not in str(e) or attempt == 19:
                raise
            time.sleep(0.25)


def pg_drop(name):
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_problem():
    try:
        import psycopg

        psycopg.connect(pg_conninfo(pg_url("postgres"))).close()
    except Exception as e:
        return f"PostgreSQL is not reachable at {pg_base_url()}: {e}"
    for tool in ["pg_dump", "pg_restore"]:
        if not shutil.which(tool):
            return f"{tool} is not on PATH (apt-get install postgresql-client)"
    return None


class Build:
    """A database being built by `python -m hosen.ops.tests.seed` in a background process."""

    def __init__(self, env, log, *args):
        self.log = log
        with open(log, "w") as out:
            command = [sys.executable, "-m", "hosen.ops.tests.seed", *args]
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,  # noqa: S603
                                            stderr=subprocess.STDOUT)

    def wait(self):
        if self.process.wait(timeout=600) != 0:
            pytest.fail(f"building a test database failed:\n{Path(self.log).read_text()}")


@pytest.fixture(scope="session")
def _builds(tmp_path_factory):
    base = tmp_path_factory.mktemp("ops-seed")
    seed = base / "seed.sqlite3"
    builds = {"sqlite": Build(sqlite_env(seed), base / "sqlite.log"), "sqlite_path": seed}
    problem = _pg_problem()
    builds["pg_problem"] = problem
    template = f"hosen_backups_template_{PID}"
    if not problem:
        pg_drop(template)
        pg_create(template)
        builds["pg"] = Build(pg_env(template), base / "pg.log", "--migrate-only")
        builds["pg_template"] = template
    yield builds
    for build in [builds["sqlite"], builds.get("pg")]:
        if build and build.process.poll() is None:
            build.process.kill()
            build.process.wait()
    if not problem:
        pg_drop(template)


@pytest.fixture(scope="session")
def seeded_sqlite(_builds):
    """A migrated SQLite file with the whole demo, the standing cast and a session. Copy it; never write it."""
    _builds["sqlite"].wait()
    return _builds["sqlite_path"]


@pytest.fixture
def live_sqlite(seeded_sqlite, tmp_path):
    path = tmp_path / "hosen.sqlite3"
    shutil.copyfile(seeded_sqlite, path)
    return path


@pytest.fixture(scope="session")
def pg_template(_builds):
    """A freshly migrated, empty PostgreSQL database to copy from (CREATE DATABASE … TEMPLATE)."""
    if _builds["pg_problem"]:
        unavailable(_builds["pg_problem"])
    _builds["pg"].wait()
    return _builds["pg_template"]


@pytest.fixture
def pg_database(pg_template):
    """`pg_database(purpose)`: a new migrated, empty database of this test, dropped afterwards."""
    made = []

    def make(purpose, empty=False):
        name = f"hosen_backups_{purpose}_{PID}"
        pg_drop(name)
        pg_create(name, template=None if empty else pg_template)
        made.append(name)
        return name

    yield make
    for name in made:
        pg_drop(name)
