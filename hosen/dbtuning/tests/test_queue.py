"""The SQLite writers' queue (hosen/dbtuning): a writer waiting for the write lock starts as soon as the
holder is done, whichever way the holder ends; it gives up with "database is locked" after the timeout;
in-memory databases do not queue."""

import statistics
import threading
import time

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

pytestmark = pytest.mark.django_db


def wrapper(name, timeout=20.0):
    """A connection of its own (not the test run's), as each gunicorn worker has."""
    handler = ConnectionHandler({"default": {"ENGINE": "hosen.dbtuning", "NAME": str(name),
                                             "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout,
                                                         "init_command": "PRAGMA journal_mode=WAL"}}})
    return handler["default"]


def begin(conn):
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def end(conn, how="commit"):
    getattr(conn, how)()
    conn.set_autocommit(True)


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "queue.sqlite3"
    conn = wrapper(path)
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE note (who TEXT)")
    conn.close()
    return path


def _wait_then_write(database, n, started, began_at):
    waiter = wrapper(database)  # a thread's connection is made and used in that thread
    started.set()
    begin(waiter)  # waits for the holder
    began_at.append(time.monotonic())
    with waiter.cursor() as cursor:
        cursor.execute("INSERT INTO note VALUES (%s)", [f"waiter {n}"])
    end(waiter)
    waiter.close()


def test_a_waiting_writer_starts_as_soon_as_the_holder_commits(database):
    holder = wrapper(database)
    delays = []
    for n in range(5):
        begin(holder)
        started, began_at = threading.Event(), []
        thread = threading.Thread(target=_wait_then_write, args=(database, n, started, began_at))
        thread.start()
        started.wait()
        # Long enough that SQLite's own busy handler would be sleeping 100 ms between tries by now.
        time.sleep(0.6)
        with holder.cursor() as cursor:
            cursor.execute("INSERT INTO note VALUES (%s)", [f"holder {n}"])
        end(holder)
        committed_at = time.monotonic()
        thread.join(5)
        assert began_at, "the waiting writer never began"
        delays.append(began_at[0] - committed_at)
    with holder.cursor() as cursor:
        cursor.execute("SELECT who FROM note ORDER BY rowid")
        rows = [row[0] for row in cursor.fetchall()]
    holder.close()
    assert rows == [who for n in range(5) for who in (f"holder {n}", f"waiter {n}")]
    # By now the queue tries every 4 ms: the lock passes on within a few milliseconds. SQLite's own busy
    # handler, at this point of its wait, took 26–39 ms on the same machine.
    assert statistics.median(delays) < 0.010, delays


@pytest.mark.parametrize("how", ["rollback", "close"])
def test_the_queue_is_free_again_after_a_rollback_or_a_closed_connection(database, how):
    holder, other = wrapper(database), wrapper(database, timeout=0.3)
    begin(holder)
    with holder.cursor() as cursor:
        cursor.execute("INSERT INTO note VALUES ('not kept')")
    if how == "rollback":
        end(holder, "rollback")
    else:
        holder.close()
    begin(other)  # at once: within its 0.3 s
    with other.cursor() as cursor:
        cursor.execute("INSERT INTO note VALUES ('kept')")
        end(other)
        cursor.execute("SELECT who FROM note")
        assert cursor.fetchall() == [("kept",)]
    other.close()
    holder.close()


def test_a_writer_that_cannot_get_its_turn_gets_database_is_locked(database):
    holder, other = wrapper(database), wrapper(database, timeout=0.3)
    begin(holder)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        begin(other)
    assert 0.3 <= time.monotonic() - started < 2
    end(holder)
    begin(other)  # and it is not left holding anything half-way
    end(other)
    other.close()
    holder.close()


def test_in_memory_databases_do_not_queue(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    conn = wrapper(":memory:")
    begin(conn)
    end(conn)
    conn.close()
    assert list(tmp_path.iterdir()) == []
