"""restore refuses a file of the wrong kind before it touches the database (no database access is allowed
in these tests, so a restore that went ahead would fail them)."""

import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.db import connection


def refusal(path):
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), interactive=False)
    return str(refused.value)


@pytest.fixture
def files(tmp_path):
    fixture = tmp_path / "hosen.json"
    fixture.write_text('[{"model": "tenancy.network", "pk": 1, "fields": {"name": "n", "slug": "n"}}]')
    dump = tmp_path / "hosen.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 200)  # pg_dump's custom format, cut short
    other_sqlite = tmp_path / "notes.sqlite3"
    with sqlite3.connect(other_sqlite) as conn:
        conn.execute("CREATE TABLE notes (text)")
    hosen_sqlite = tmp_path / "hosen.sqlite3"
    with sqlite3.connect(hosen_sqlite) as conn:
        conn.execute("CREATE TABLE django_migrations (id)")
        conn.execute("CREATE TABLE tenancy_authority (id)")
    return {"fixture": fixture, "dump": dump, "other_sqlite": other_sqlite, "hosen_sqlite": hosen_sqlite,
            "missing": tmp_path / "nothing-here.sqlite3"}


def test_restore_refuses_what_it_cannot_restore(files):
    assert "No backup file at" in refusal(files["missing"])
    message = refusal(files["fixture"])
    assert "neither an SQLite database nor a PostgreSQL custom-format dump" in message
    assert "manage.py loaddata" in message
    if connection.vendor == "sqlite":
        message = refusal(files["dump"])
        assert "it is a PostgreSQL dump (pg_dump custom format), and this database is SQLite" in message
        assert "dumpdata and loaddata" in message
        assert "not a Hosen database" in refusal(files["other_sqlite"])
    else:
        message = refusal(files["hosen_sqlite"])
        assert "it is an SQLite database, and this database is PostgreSQL" in message
        assert "not a readable pg_dump archive" in refusal(files["dump"])
