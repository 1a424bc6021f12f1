"""gunicorn's settings for `make run` (hosen/serve.py passes this file with -c).

Kept out of the repository's root on purpose: gunicorn reads ./gunicorn.conf.py by itself, and the benchmarks
start their own gunicorn from there with settings of their own.
"""

import os
import signal

# This machine only: a browser here, or a TLS proxy on this machine in front (see README, "Run it").
bind = f"127.0.0.1:{os.environ.get('PORT') or '8000'}"


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use, not all the machine has
    except AttributeError:
        return os.cpu_count() or 1


# Sync workers each answer one request at a time, so a slow one (a PDF, an import) holds only its own worker.
# Two per CPU keeps the CPUs busy while others wait on the database; at least 2 so one slow request never
# stops the rest, at most 8 because each worker holds the whole app in memory (about 100 MB).
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, min(2 * _cpus(), 8)))

# One line per request on the console `make run` was started from.
accesslog = "-"
errorlog = "-"
loglevel = "info"

# A request that takes longer than this is stuck: the worker is restarted. Generous for the largest import.
timeout = 60
# On SIGTERM (a service manager stopping Hosen) requests in progress get this long to finish; Ctrl-C stops at once.
graceful_timeout = 10

# gunicorn's runtime control socket is one fixed path per user (~/.gunicorn/gunicorn.ctl): a second Hosen on the
# same machine (another port, the tests) would take it over. Nothing here uses it.
control_socket_disable = True


# Ctrl-C. gunicorn's own answer to SIGINT is its quick stop, which ends requests in progress mid-way: the person
# gets a broken page and the console a traceback. Here Ctrl-C stops the way SIGTERM does: no new requests, those
# in progress finish (within graceful_timeout), then every process exits.
def when_ready(server):
    server.handle_int = server.handle_term


def post_worker_init(worker):
    # The terminal sends Ctrl-C's SIGINT to every process of the group, workers included: there too it only asks
    # the worker to finish the request in hand and stop, as the master's SIGTERM does.
    signal.signal(signal.SIGINT, worker.handle_exit)
    signal.siginterrupt(signal.SIGINT, False)
