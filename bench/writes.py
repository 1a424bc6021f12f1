"""Hosen's write benchmark: many signed-in people writing at once, through gunicorn, over real HTTP.

    uv run python bench/writes.py                      # SQLite, bench/results/writes.sqlite3 (made afresh)
    uv run python bench/writes.py --postgres           # PostgreSQL, database hosen_writes_bench (made afresh)
    uv run python bench/writes.py --database-url URL   # any PostgreSQL database whose name says "bench"
    uv run python bench/writes.py --writers 50 --seconds 30

It makes a fresh database (migrate, the model content, skills, KPI templates and the demo), starts
`gunicorn hosen.wsgi` with 4 workers in production mode on a free loopback port, signs every writer in
through the real sign-in form (each writer from its own loopback address, as its own person), then for
`--seconds` every writer sends one write after the other through the real forms: new needs, status
changes of needs it made, and site status reports. A write is acknowledged when the answer is the
form's success redirect; anything else (another status, a redirect elsewhere, a timeout) is an error.
At the end it stops the server and checks the database: every acknowledged write is stored exactly once
and every acknowledged status change is the need's final status. It prints a table and writes
bench/results/writes-<backend>.json; it exits 1 when a write was lost or duplicated. See bench/README.md.
"""

import argparse
import base64
import http.client
import json
import math
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
import zlib
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/hosen_writes_bench"
SQLITE_FILE = RESULTS / "writes.sqlite3"
VENV_BIN = ROOT / ".venv" / "bin"

# The demo authority with an open emergency, and its two people who may change its registers.
SLUG = "neve-hadgama"
ACCOUNTS = ["manager@example.org", "team@example.org"]
PASSWORD = "hosen-demo"
GOALS = {"sqlite": {"writes_per_s": 150, "p99_ms": 1000}, "postgresql": {"writes_per_s": 300, "p99_ms": 500}}

AUDIENCES = ["students", "teams", "parents", "community", "site"]
CATEGORIES = ["equipment", "learning", "emotional", "staff", "space", "food", "transport", "other"]
NEED_STATUSES = ["open", "in_progress", "met", "cannot"]
SITE_STATES = ["open", "partial", "remote", "closed", "damaged", "hosting"]
WORDS = ("מחשבים ניידים לתלמידי כיתה ח׳", "ליווי רגשי לצוות ההוראה", "הסעה למרכז הלמידה החלופי",
         "ערכות ניסויים למרחב המוגן", "חבילות מזון למשפחות המפונות", "מתנדבים לשיעורי תגבור במתמטיקה")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                       help="PostgreSQL database to run on, dropped and made afresh: its name must say 'bench' "
                            "(default: $DATABASE_URL, else SQLite under bench/results/)")
    where.add_argument("--postgres", action="store_true", help=f"shortcut for --database-url {POSTGRES_URL}")
    parser.add_argument("--writers", type=int, default=50, help="concurrent writers, each signed in (default 50)")
    parser.add_argument("--seconds", type=float, default=30, help="how long the writers write (default 30)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker; above 1 the gthread worker class (default 1: sync)")
    parser.add_argument("--status-share", type=float, default=0.15,
                        help="share of writes that change the status of a need the writer made (default 0.15)")
    parser.add_argument("--site-share", type=float, default=0.10,
                        help="share of writes that report a site's status (default 0.10)")
    parser.add_argument("--timeout", type=float, default=30, help="client timeout of one request in s (default 30)")
    parser.add_argument("--without-submission-key", action="store_true",
                        help="send the create forms without their submission key, as a page from before the "
                             "write-once ledger would: to measure what the ledger costs")
    parser.add_argument("--seed", type=int, default=1, help="seed of the writers' choices (default 1)")
    parser.add_argument("--output", help="JSON file (default bench/results/writes-<backend>.json)")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the server, e.g. DB_CONN_MAX_AGE=0 (repeatable)")
    parser.add_argument("--nice", type=int, default=0, metavar="N",
                        help="on a machine shared with other work: put the server and this client N steps ahead "
                             "of it in the scheduler (Linux, root, run under setsid; PostgreSQL keeps its own)")
    parser.add_argument("--profile", action="store_true",
                        help="after the run, profile one need creation in-process with pyinstrument (if installed)")
    args = parser.parse_args()
    if args.postgres:
        args.database_url = POSTGRES_URL
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a PostgreSQL URL; SQLite runs need no URL")
    if args.status_share + args.site_share >= 1:
        parser.error("--status-share and --site-share must leave room for new needs")
    return args


# ---- the database and the server -------------------------------------------------------------------


def fresh_postgres(url: str):
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(url).get("dbname") or ""
    if "bench" not in name:
        raise SystemExit(f"The benchmark drops its database; refusing for {name!r}, whose name does not say 'bench'")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_name(url: str) -> str | None:
    if not url:
        return None
    from psycopg.conninfo import conninfo_to_dict

    return conninfo_to_dict(url).get("dbname")


def server_env(args) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "hosen.settings",
        "HOSEN_DEBUG": "false",
        "SECRET_KEY": "writes-benchmark-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "RATELIMIT_PUBLIC_GET": "100000/m",
        "RATELIMIT_PUBLIC_POST_IP": "100000/m",
        "RATELIMIT_PUBLIC_POST_TOKEN": "100000/m",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env["SQLITE_PATH"] = str(SQLITE_FILE)
    for item in args.server_env:
        name, _sep, value = item.partition("=")
        env[name] = value
    return env


def prepare_database(args, env):
    """A fresh database with the model content and the demo network."""
    started = time.perf_counter()
    if args.database_url:
        fresh_postgres(args.database_url)
    else:
        RESULTS.mkdir(parents=True, exist_ok=True)
        for leftover in RESULTS.glob(SQLITE_FILE.name + "*"):
            leftover.unlink()
    python = str(VENV_BIN / "python")
    for command in (["migrate", "--noinput"], ["load_model_content"], ["load_skills"], ["load_kpi_templates"],
                    ["load_demo"], ["collectstatic", "--noinput"]):
        # collectstatic: production mode serves the hashed static files of the manifest.
        done = subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env,  # noqa: S603
                              capture_output=True, text=True)
        if done.returncode:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"manage.py {command[0]} failed")
    try:
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # the benchmark's own Redis database: fresh counters
    except Exception as problem:  # noqa: BLE001
        print(f"  note: could not empty the benchmark's Redis database ({problem})")
    print(f"Prepared a fresh database in {time.perf_counter() - started:.1f} s.")


def ahead(steps: int):
    """Give this run's session more of the CPU than other sessions' work. Linux schedules sessions (autogroups)
    against each other before processes inside them, so a plain nice would only weigh against our own; the
    session's own nice value does it, and it ends with the session: hence setsid."""
    if os.getsid(0) != os.getpid():
        raise SystemExit("--nice changes the priority of this run's whole session: start it as "
                         "`setsid .venv/bin/python bench/writes.py --nice N ...`")
    Path("/proc/self/autogroup").write_text(str(-steps))
    os.nice(-steps)  # and gunicorn, started next, inherits both


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(args, env, port, log_name="writes-gunicorn.log"):
    """gunicorn with args.workers workers (and args.threads threads, where the bench has them) on loopback,
    its output in bench/results/<log_name>; returns once the sign-in page answers."""
    command = [str(VENV_BIN / "gunicorn"), "hosen.wsgi", "--workers", str(args.workers),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    if getattr(args, "threads", 1) > 1:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    log = open(RESULTS / log_name, "w")  # noqa: SIM115  closed in stop_server
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    server.log = log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped while starting: see bench/results/{log_name}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    server.log.close()


# ---- CPU accounting ------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK  # ppid, utime + stime in s


def process_cpu(root_pid: int | None = None, database: str | None = None) -> dict[int, float]:
    """CPU seconds used so far, by pid: a process and its children (root_pid), or the PostgreSQL backends
    serving one database (their title is "postgres: [cluster:] user database host state")."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        if database is not None:
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
            except OSError:
                continue
            if title[:1] != ["postgres:"] or database not in title[1:5]:
                continue
        stat = _stat(pid)
        if stat and (database is not None or pid == root_pid or stat[0] == root_pid):
            found[pid] = stat[1]
    return found


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two snapshots, over the processes alive at the end (new ones count whole)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


# ---- one writer: a signed-in person with a browser's cookies -----------------------------------------

SUCCESS, WARNING = 25, 30  # django.contrib.messages levels


def message_levels(cookie: str) -> list[int]:
    """The levels of the messages in a `messages` cookie. Django signs the cookie but does not encrypt it:
    it is `payload:timestamp:signature`, the payload base64 JSON (zlib-compressed when it starts with a dot)."""
    payload = cookie.strip('"').split(":", 1)[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    try:
        found = json.loads(zlib.decompress(raw) if compressed else raw)
    except (ValueError, zlib.error):
        return []
    return [item[2] for item in found if isinstance(item, list) and len(item) > 3 and item[0] == "__json_message"]


class Writer:
    def __init__(self, index, port, account, timeout, seed):
        self.index = index
        # Its own loopback address: the server sees 50 people, as the per-IP limits of sign-in expect.
        self.source = f"127.0.0.{2 + index % 250}"
        self.port = port
        self.account = account
        self.timeout = timeout
        self.random = random.Random(seed * 100_003 + index)
        self.cookies = {}
        self.conn = None
        self.csrf = ""
        self.sites = []
        self.results = []  # (kind, start, seconds, acknowledged, detail)
        self.created = {}  # description -> pk (acknowledged creations)
        self.attempted = {}  # description -> None, creations sent but not acknowledged
        self.status_last = {}  # need pk -> (status, acknowledged) of the last change sent
        self.notes = {}  # site report note -> acknowledged
        self.reads = []  # (start, seconds, ok): the card read before a status change
        self.write_began = 0.0
        self.with_key = True

    def _connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                               source_address=(self.source, 0))

    def request(self, method, path, fields=None):
        if self.conn is None:
            self._connect()
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept-Language": "he"}
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            reused = self.conn.sock is not None
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                # A kept-alive connection the server had just closed: sent again on a new one, as a browser
                # does (only then, and once).
                self.conn.close()
                if not reused or attempt == 2:
                    self.conn = None
                    raise
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                raise
        self.levels = []
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                value = rest.split(";", 1)[0]
                # The messages cookie is read and emptied by the page a browser goes to next; this writer
                # does not follow the redirect, so it only reads what the answer says and does not keep it.
                if name == "messages":
                    self.levels = message_levels(value) if value else []
                elif name in ("sessionid", "csrftoken"):
                    self.cookies[name] = value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()  # sync gunicorn workers answer one request per connection
        return response.status, response.getheader("Location", ""), data.decode("utf-8", "replace")

    def succeeded(self, status, location, expected) -> bool:
        """The form's success: its redirect, with a success message and no warning or error."""
        return (status == 302 and re.fullmatch(expected, location) is not None
                and SUCCESS in self.levels and max(self.levels) < WARNING)

    def _token(self, html):
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not found:
            raise RuntimeError(f"writer {self.index}: no CSRF token on the page")
        self.csrf = found.group(1)

    def sign_in(self):
        status, _location, html = self.request("GET", "/accounts/login/")
        self._token(html)
        status, location, _html = self.request("POST", "/accounts/login/", {
            "csrfmiddlewaretoken": self.csrf, "login": self.account, "password": PASSWORD})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"writer {self.index}: sign-in of {self.account} answered {status} {location}")
        # Signing in rotates the CSRF token: take the new one from the form this writer will send.
        status, _location, html = self.request("GET", f"/a/{SLUG}/needs/new/")
        if status != 200:
            raise RuntimeError(f"writer {self.index}: the new-need form answered {status}")
        self._token(html)
        select = re.search(r'<select name="site".*?</select>', html, re.S)
        self.sites = [int(pk) for pk in re.findall(r'<option value="(\d+)"', select.group(0))] if select else []
        names = set(re.findall(r'name="([a-z_]+)"', html))
        missing = {"audience", "category", "description", "quantity", "urgency", "source"} - names
        if missing:
            raise RuntimeError(f"the new-need form has no field {sorted(missing)}: update the benchmark")

    # -- the writes --

    def new_need(self, tag):
        rnd = self.random
        description = f"{rnd.choice(WORDS)} — {tag}-{self.index}-{len(self.results)}"
        audience = rnd.choice(AUDIENCES) if self.sites else rnd.choice(AUDIENCES[:-1])
        fields = {
            "csrfmiddlewaretoken": self.csrf, "submission": str(uuid.uuid4()),
            "audience": audience, "site": str(rnd.choice(self.sites)) if audience == "site" else "",
            "category": rnd.choice(CATEGORIES), "description": description,
            "quantity": str(rnd.randint(1, 400)) if rnd.random() < 0.7 else "",
            "urgency": str(rnd.randint(1, 4)), "source": "מנהלת בית הספר",
        }
        if rnd.random() < 0.3:
            fields["is_emerging"] = "on"
        if not self.with_key:
            del fields["submission"]
        self.attempted[description] = None
        status, location, _html = self.request("POST", f"/a/{SLUG}/needs/new/", fields)
        if self.succeeded(status, location, rf"/a/{SLUG}/needs/#need-\d+"):
            self.created[description] = int(location.rsplit("-", 1)[1])
            return True, ""
        return False, self.problem(status, location)

    def problem(self, status, location) -> str:
        if status == 302 and self.levels and max(self.levels) >= WARNING:
            return f"302 with message level {max(self.levels)}"
        return f"{status} {location}"[:80]

    def change_status(self):
        """Read the need's card, as on the list, then press one of its status buttons: the card's form
        carries what the page knew (the need's version), so a change made meanwhile is not overwritten."""
        pk = self.random.choice(list(self.created.values()))
        began = time.monotonic()
        answer, _location, html = self.request("GET", f"/a/{SLUG}/needs/{pk}/status/")
        self.reads.append((began, time.monotonic() - began, answer == 200))
        form = re.search(r'<form method="post"[^>]*action="[^"]*/status/".*?</form>', html, re.S)
        if answer != 200 or not form:
            return False, f"card read {answer}"
        fields = {name: unescape(value) for name, value in
                  re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0))}
        offered = re.findall(r'<button type="submit" name="status" value="([^"]+)"', form.group(0))
        status = self.random.choice(offered)
        self.status_last[pk] = (status, False)
        self.write_began = time.monotonic()  # the write is the POST; the read before it is counted apart
        answer, location, _html = self.request("POST", f"/a/{SLUG}/needs/{pk}/status/", fields | {"status": status})
        if self.succeeded(answer, location, rf"/a/{SLUG}/needs/#need-{pk}"):
            self.status_last[pk] = (status, True)
            return True, ""
        return False, self.problem(answer, location)

    def site_report(self, tag):
        rnd = self.random
        pk = rnd.choice(self.sites)
        note = f"{tag}-site-{self.index}-{len(self.results)}"
        self.notes[note] = False
        fields = {"csrfmiddlewaretoken": self.csrf, "submission": str(uuid.uuid4()), "status": rnd.choice(SITE_STATES),
                  "present": str(rnd.randint(0, 600)), "evacuated": str(rnd.randint(0, 50)), "hosted": "",
                  "protected_space_available": rnd.choice(["yes", "no", "unknown"]), "note": note}
        if not self.with_key:
            del fields["submission"]
        answer, location, _html = self.request("POST", f"/a/{SLUG}/sites/{pk}/", fields)
        if self.succeeded(answer, location, f"/a/{SLUG}/sites/{pk}/"):
            self.notes[note] = True
            return True, ""
        return False, self.problem(answer, location)

    def run(self, tag, start_at, stop_at, status_share, site_share):
        delay = start_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        while time.monotonic() < stop_at:
            draw = self.random.random()
            if draw < status_share and self.created:
                kind, action = "status", self.change_status
            elif draw < status_share + site_share and self.sites:
                kind, action = "site", lambda: self.site_report(tag)
            else:
                kind, action = "need", lambda: self.new_need(tag)
            self.write_began = time.monotonic()
            try:
                acknowledged, detail = action()
            except TimeoutError:
                acknowledged, detail = False, "timeout"
            except (OSError, http.client.HTTPException) as problem:
                acknowledged, detail = False, type(problem).__name__
            self.results.append((kind, self.write_began, time.monotonic() - self.write_began, acknowledged, detail))


def sign_in_all(writers):
    """Sign every writer in through the form, four at a time (password hashing is the slow part)."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda w: w.sign_in(), writers))
    print(f"Signed in {len(writers)} writers through /accounts/login/ in {time.perf_counter() - started:.1f} s.")


# ---- checking the database -------------------------------------------------------------------------------


def check_stored(args, env, writers, tag) -> dict:
    """Every acknowledged write is in the database once; every acknowledged last status is the need's status."""
    for key in ("DATABASE_URL", "SQLITE_PATH", "HOSEN_DEBUG", "SECRET_KEY", "REDIS_URL"):
        if key in env:
            os.environ[key] = env[key]
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "hosen.settings"
    import django

    django.setup()
    from django_scopes import scopes_disabled

    from hosen.field.models import Need, SiteStatus

    with scopes_disabled():
        stored = {}
        for description, pk, status in Need.objects.filter(description__contains=f"— {tag}-").values_list(
                "description", "pk", "status"):
            stored.setdefault(description, []).append((pk, status))
        notes = {}
        for note in SiteStatus.objects.filter(note__startswith=f"{tag}-site-").values_list("note", flat=True):
            notes[note] = notes.get(note, 0) + 1

    acked = {d: pk for w in writers for d, pk in w.created.items()}
    sent = {d for w in writers for d in w.attempted}
    missing = sorted(d for d in acked if d not in stored)
    wrong_pk = sorted(d for d, pk in acked.items() if d in stored and stored[d][0][0] != pk)
    duplicated = sorted(d for d, rows in stored.items() if len(rows) > 1)
    strangers = sorted(set(stored) - sent)
    unacked_stored = sorted(d for d in sent - set(acked) if d in stored)
    final = {pk: status for rows in stored.values() for pk, status in rows}
    status_checked = status_wrong = 0
    for w in writers:
        for pk, (status, acknowledged) in w.status_last.items():
            if acknowledged:
                status_checked += 1
                status_wrong += final.get(pk) != status
    acked_notes = {n for w in writers for n, ok in w.notes.items() if ok}
    notes_missing = sum(1 for n in acked_notes if n not in notes)
    notes_duplicated = sum(1 for count in notes.values() if count > 1)
    return {
        "needs_acknowledged": len(acked), "needs_stored": len(stored), "needs_missing": len(missing),
        "needs_wrong_pk": len(wrong_pk), "needs_duplicated": len(duplicated), "needs_never_sent": len(strangers),
        "needs_stored_unacknowledged": len(unacked_stored),
        "status_changes_checked": status_checked, "status_wrong": status_wrong,
        "site_reports_acknowledged": len(acked_notes), "site_reports_stored": len(notes),
        "site_reports_missing": notes_missing, "site_reports_duplicated": notes_duplicated,
        "examples": (missing + wrong_pk + duplicated)[:5],
        "ok": not (missing or wrong_pk or duplicated or strangers or status_wrong or notes_missing or notes_duplicated),
    }


def profile_one(env):
    """Profile one need creation in this process (django.test.Client, whole middleware stack)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed: no profile.")
        return
    from django.test import Client
    from django_scopes import scopes_disabled

    from hosen.accounts.models import User

    client = Client()
    with scopes_disabled():
        client.force_login(User.objects.get(email=ACCOUNTS[0]))

    def post(i):
        return client.post(f"/a/{SLUG}/needs/new/", {
            "audience": "students", "category": "food", "description": f"profile {i}", "urgency": "2",
            "source": "", "quantity": "", "submission": str(uuid.uuid4())}, HTTP_HOST="127.0.0.1")

    for i in range(20):
        post(i)
    cpu = time.process_time()
    for i in range(200):
        post(100 + i)
    print(f"In-process need creation: {(time.process_time() - cpu) / 200 * 1000:.1f} ms CPU per request.")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for i in range(100):
        post(1000 + i)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


# ---- figures ---------------------------------------------------------------------------------------------


def percentile(values, share):
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def latency(values) -> dict:
    ms = [v * 1000 for v in values]
    return {"n": len(ms), "p50_ms": percentile(ms, 0.5), "p95_ms": percentile(ms, 0.95),
            "p99_ms": percentile(ms, 0.99), "max_ms": max(ms) if ms else None}


def git_state() -> dict:
    def run(*command):
        return subprocess.run(["git", *command], cwd=ROOT,  # noqa: S603, S607
                              capture_output=True, text=True).stdout.strip()

    return {"commit": run("rev-parse", "--short", "HEAD"), "changed_files": run("status", "--short").splitlines()}


def main():
    args = parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    env = server_env(args)
    print(f"Write benchmark on {backend}: {args.writers} writers for {args.seconds:g} s, gunicorn "
          f"{args.workers} workers" + (f" x {args.threads} threads" if args.threads > 1 else "") + ".")
    prepare_database(args, env)
    if args.nice:
        ahead(args.nice)
    database = database_name(args.database_url)
    port = free_port()
    server = start_server(args, env, port)
    try:
        writers = [Writer(i, port, ACCOUNTS[i % len(ACCOUNTS)], args.timeout, args.seed) for i in range(args.writers)]
        for writer in writers:
            writer.with_key = not args.without_submission_key
        sign_in_all(writers)
        tag = uuid.uuid4().hex[:8]
        # Fifty threads share one interpreter: hand it over within 0.5 ms instead of 5, so a writer reads its
        # answer and closes the connection at once (a sync worker waits for that close before its next request).
        sys.setswitchinterval(0.0005)
        start_at = time.monotonic() + 0.5
        stop_at = start_at + args.seconds
        threads = [threading.Thread(target=w.run, args=(tag, start_at, stop_at, args.status_share, args.site_share),
                                    daemon=True) for w in writers]
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, start_at - time.monotonic()))
        cpu_before = {"server": process_cpu(server.pid), "postgres": process_cpu(database=database),
                      "client": time.process_time(), "machine": machine_busy()}
        for thread in threads:
            thread.join()
        ended = time.monotonic()
        cpu_after = {"server": process_cpu(server.pid), "postgres": process_cpu(database=database),
                     "client": time.process_time(), "machine": machine_busy()}
        load = os.getloadavg()
        wal = Path(f"{SQLITE_FILE}-wal")
        wal_kb = wal.stat().st_size // 1024 if backend == "sqlite" and wal.exists() else None
    finally:
        stop_server(server)

    results = [r for w in writers for r in w.results]
    elapsed = ended - start_at
    acked = [r for r in results if r[3]]
    errors = [r for r in results if not r[3]]
    error_kinds = {}
    for r in errors:
        error_kinds[f"{r[0]}: {r[4]}"] = error_kinds.get(f"{r[0]}: {r[4]}", 0) + 1
    by_kind = {kind: {"acknowledged": sum(1 for r in acked if r[0] == kind),
                      "errors": sum(1 for r in errors if r[0] == kind),
                      **latency([r[2] for r in results if r[0] == kind])} for kind in ("need", "status", "site")}
    reads = [r for w in writers for r in w.reads]
    cpu = {key: cpu_used(cpu_before[key], cpu_after[key]) for key in ("server", "postgres")}
    cpu["client"] = cpu_after["client"] - cpu_before["client"]
    busy = cpu_after["machine"][0] - cpu_before["machine"][0]
    total = cpu_after["machine"][1] - cpu_before["machine"][1]
    stored = check_stored(args, env, writers, tag)
    log_lines = (RESULTS / "writes-gunicorn.log").read_text().splitlines()

    overall = latency([r[2] for r in results])
    figures = {
        "backend": backend, "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "writers": args.writers, "seconds": round(elapsed, 2), "workers": args.workers, "threads": args.threads,
        "requests": len(results), "acknowledged": len(acked), "errors": len(errors), "error_kinds": error_kinds,
        "writes_per_s": round(len(acked) / elapsed, 1), **overall, "by_kind": by_kind,
        "card_reads": {"failed": sum(1 for r in reads if not r[2]), **latency([r[1] for r in reads])},
        # Per HTTP request (writes and the card reads before status changes).
        "cpu_ms_per_request": {key: round(value * 1000 / max(1, len(results) + len(reads)), 2)
                               for key, value in cpu.items()},
        "cpu_other_share": round(max(0.0, busy - sum(cpu.values())) / total, 3) if total else None,
        "machine_cpu_busy_share": round(busy / total, 3) if total else None,
        "load_average": [round(x, 2) for x in load], "cpus": os.cpu_count(),
        "stored": stored, "goal": GOALS[backend], "server_log_lines": len(log_lines), "sqlite_wal_kb": wal_kb,
        "server_env": args.server_env, "nice": -args.nice, "submission_keys": not args.without_submission_key,
        "machine": {"python": platform.python_version(), "system": platform.platform()},
        "git": git_state(),
    }
    if backend == "sqlite":
        import sqlite3

        figures["sqlite_version"] = sqlite3.sqlite_version
    figures["met_goal"] = (figures["writes_per_s"] >= GOALS[backend]["writes_per_s"]
                           and (overall["p99_ms"] or 1e9) < GOALS[backend]["p99_ms"]
                           and not errors and stored["ok"])

    print()
    print(f"{'write':<8}{'acked':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, row in [*by_kind.items(), ("all", {"acknowledged": len(acked), "errors": len(errors), **overall})]:
        cells = [f"{row[k]:>9.0f}" if row[k] is not None else f"{'—':>9}" for k in ("p50_ms", "p95_ms", "p99_ms",
                                                                                     "max_ms")]
        print(f"{kind:<8}{row['acknowledged']:>7}{row['errors']:>8}{''.join(cells)}")
    goal = GOALS[backend]
    print(f"\n{figures['writes_per_s']} writes/s acknowledged over {elapsed:.1f} s "
          f"(goal ≥ {goal['writes_per_s']}/s, p99 < {goal['p99_ms']} ms, no errors): "
          f"{'met' if figures['met_goal'] else 'NOT met'}.")
    per = figures["cpu_ms_per_request"]
    print(f"{len(reads)} card reads before status changes: p50 {figures['card_reads']['p50_ms'] or 0:.0f} ms, "
          f"{figures['card_reads']['failed']} failed.")
    print(f"CPU per request: gunicorn {per['server']} ms, PostgreSQL backends {per['postgres']} ms, this client "
          f"{per['client']} ms; the machine was {100 * (figures['machine_cpu_busy_share'] or 0):.0f} % busy "
          f"({os.cpu_count()} CPUs), {100 * (figures['cpu_other_share'] or 0):.0f} % by other work; "
          f"load {load[0]:.1f}.")
    for kind, count in sorted(error_kinds.items(), key=lambda item: -item[1])[:8]:
        print(f"  error {kind}: {count}")
    print(f"Stored: {stored['needs_acknowledged']} needs acknowledged, {stored['needs_stored']} stored, "
          f"{stored['needs_missing']} missing, {stored['needs_duplicated']} duplicated, "
          f"{stored['needs_wrong_pk']} under another number, {stored['needs_stored_unacknowledged']} stored "
          f"without acknowledgement; {stored['status_changes_checked']} last status changes checked, "
          f"{stored['status_wrong']} wrong; {stored['site_reports_acknowledged']} site reports acknowledged, "
          f"{stored['site_reports_missing']} missing, {stored['site_reports_duplicated']} duplicated: "
          f"{'all good' if stored['ok'] else 'LOST OR DUPLICATED WRITES'}.")
    if log_lines:
        print(f"The server logged {len(log_lines)} lines: see bench/results/writes-gunicorn.log.")

    output = Path(args.output) if args.output else RESULTS / f"writes-{backend}.json"
    output.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"Wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}.")
    if args.profile:
        profile_one(env)
    return 0 if stored["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
