"""Django's SQLite backend, with the writers of every process queueing for the write lock promptly.

Every write request runs in one transaction that starts with BEGIN IMMEDIATE, so SQLite's write lock is
taken at the start and writers run one after the other. SQLite lets a writer that finds the lock taken
wait in its busy handler, which sleeps 1, 2, 5, 10 … up to 100 ms between tries: a writer that has waited a
while sleeps on while the lock is free, and newer writers take it first. The lock sits idle between holders
and the unlucky writer waits seconds. Measured on the 2-core benchmark machine: after a 0.6 s wait the lock
passed on 26–39 ms after the holder's commit; in the write benchmark (bench/writes.py, 50 writers, 4
gunicorn workers) p99 was 0.76–0.96 s and the slowest write 1.7–2.4 s.

Here a writer first takes an exclusive `flock` on a small file next to the database (NAME + "-queue") and
only then sends BEGIN IMMEDIATE; it lets go when the transaction ends (commit, rollback or a closed
connection; the kernel lets go when a process dies). It tries again after 0.5 ms, then 1, 2 and 4 ms at
most: the lock passes on within a few milliseconds, and a long wait costs a few dozen system calls. Same
benchmark: p99 0.39–0.49 s, the slowest write 0.47–0.55 s, at the same or a higher rate. (Trying every
0.5 ms throughout cost 1 ms CPU per request; a blocking flock woke waiters late on this machine.)

SQLite's own locking is untouched and still guards the data: writes outside a transaction, other programs
and in-memory databases simply do not queue here. A writer that cannot get its turn within the
connection's `timeout` gets "database is locked", as it would from SQLite.
"""

import fcntl
import os
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# Between two tries for the queue: from FIRST_TRY, doubling up to LAST_TRY.
FIRST_TRY = 0.0005
LAST_TRY = 0.004


class DatabaseWrapper(base.DatabaseWrapper):
    _queue_fd = None
    _queue_pid = None
    _queued = False

    def _queue_path(self):
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}-queue"

    def _enter_queue(self):
        path = self._queue_path()
        if path is None:
            return
        if self._queue_fd is None or self._queue_pid != os.getpid():
            # Opened by this process and connection: flock excludes other open files, also in this process.
            self._queue_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._queue_pid = os.getpid()
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        pause = FIRST_TRY
        while True:
            try:
                fcntl.flock(self._queue_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError("database is locked (waited for the other writers)") from None
                time.sleep(pause)
                pause = min(pause * 2, LAST_TRY)
        self._queued = True

    def _leave_queue(self):
        if self._queued:
            self._queued = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._enter_queue()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_queue()
            if self._queue_fd is not None and self._queue_pid == os.getpid():
                os.close(self._queue_fd)
            self._queue_fd = None
