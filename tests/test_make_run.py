"""`make run` serves as production does: the launcher it runs (hosen/serve.py) started on a free port with its own
database, secret key file and static files, then spoken to over real HTTP like a browser on this machine."""

import base64
import gzip
import hashlib
import hmac
import html
import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import struct
import subprocess
import sys
import time
from contextlib import closing
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import brotli
import pytest

from hosen.serve import ensure_secret_key
from hosen.tenancy.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make") or "/usr/bin/make"
DEMO_MANAGER = "manager@example.org"
FIRST_LOAD_BUDGET = 60 * 1024  # bytes on the wire: the page and every stylesheet, script and icon it names
# What the person running `make run` may have set for another purpose; the launcher's defaults are under test.
FOREIGN = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "HOSEN_DEBUG", "HOSEN_TLS", "SECRET_KEY", "SECRET_KEY_FILE",
           "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL", "REDIS_URL", "STATIC_ROOT", "SQLITE_PATH", "PORT",
           "DJANGO_SETTINGS_MODULE", "WEB_CONCURRENCY"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launcher_environment(tmp: Path, port: int, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN}
    env.update(PORT=str(port), SQLITE_PATH=str(tmp / "hosen.sqlite3"), SECRET_KEY_FILE=str(tmp / "secret-key"),
               STATIC_ROOT=str(tmp / "static"), WEB_CONCURRENCY="2", **extra)
    return env


def totp_code(secret: str) -> str:
    """An authenticator app's code now (RFC 6238: SHA-1, 6 digits, 30 s)."""
    counter = int(time.time()) // 30
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Server:
    def __init__(self, tmp: Path, port: int):
        self.tmp, self.port = tmp, port
        self.log_path = tmp / "server.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115  closed in stop()
        self.process = subprocess.Popen(  # noqa: S603  what `make run` runs
            [sys.executable, "-m", "hosen.serve"], cwd=ROOT, env=launcher_environment(tmp, port),
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_until_up(self, seconds=240):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("make run's server stopped while starting:\n" + self.output())
            try:
                if Browser(self.port).get("/accounts/login/").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError("make run's server did not answer:\n" + self.output())

    def interrupt(self):
        # Ctrl-C: the terminal sends SIGINT to the whole foreground group.
        os.killpg(self.process.pid, signal.SIGINT)

    def stop(self) -> int:
        self.interrupt()
        return self.wait()

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            return -1
        finally:
            self.log.close()

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")


class Response:
    def __init__(self, raw: http.client.HTTPResponse):
        self.status = raw.status
        self.headers = raw.headers
        self.wire = raw.read()  # the body as it crossed the network, compressed or not
        encoding = raw.headers.get("Content-Encoding", "")
        body = {"gzip": gzip.decompress, "br": brotli.decompress}.get(encoding, bytes)(self.wire)
        self.text = body.decode("utf-8", errors="replace")


class Browser:
    """A browser on this machine: keeps cookies, asks for compressed answers, counts what crosses the wire."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method, path, body=None, headers=None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Accept-Encoding": "gzip, br", "Accept-Language": "en"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            response = Response(conn.getresponse())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path, **headers) -> Response:
        return self.request("GET", path, headers=headers)

    def follow(self, path) -> tuple[str, Response]:
        for _ in range(5):
            response = self.get(path)
            if response.status not in (301, 302, 303):
                return path, response
            path = urlsplit(response.headers["Location"]).path
        raise AssertionError(f"too many redirects at {path}")

    def post(self, path, fields: dict) -> Response:
        return self.request("POST", path, body=urlencode(fields), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{self.port}", "Referer": f"http://127.0.0.1:{self.port}{path}"})

    def sign_in(self, email, password) -> Response:
        page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.post("/accounts/login/", {"csrfmiddlewaretoken": token, "login": email, "password": password})

    def second_step(self, path, page) -> tuple[str, Response]:
        """The demo's authenticator app (its key is published with the demo sign-ins). A code counts once: when
        this account has just used this window's code, the next window's is waited for."""
        for _ in range(2):
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            answer = self.post(path, {"csrfmiddlewaretoken": token, "code": totp_code(DEMO_TOTP_SECRET)})
            if answer.status == 302:
                return self.follow(urlsplit(answer.headers["Location"]).path)
            time.sleep(30 - time.time() % 30 + 1)
            page = answer
        raise AssertionError("the demo's authenticator code was refused:\n" + answer.text[:2000])

    def sign_in_and_land(self, email, password) -> tuple[str, Response]:
        """Signed in and on the first page of work: a manager without two-step sign-in is asked to set it up,
        and during the grace period answers "Later" (what a person trying Hosen out does)."""
        answer = self.sign_in(email, password)
        assert answer.status == 302, answer.text[:2000]
        path, page = self.follow(urlsplit(answer.headers["Location"]).path)
        if path == "/accounts/2fa/authenticate/":
            path, page = self.second_step(path, page)
        later = re.search(r'<form method="post"[^>]*>((?:(?!</form>).)*name="later"(?:(?!</form>).)*)</form>',
                          page.text, re.S)
        if later:
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', later.group(1)))
            postponed = self.post(path, {**{k: html.unescape(v) for k, v in fields.items()}, "later": "1"})
            assert postponed.status == 302, postponed.text[:2000]
            path, page = self.follow(urlsplit(postponed.headers["Location"]).path)
        return path, page


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("make-run")
    server = Server(tmp, free_port())
    try:
        server.wait_until_up()
        yield server
    finally:
        if server.process.poll() is None:
            server.stopped_with = server.stop()


def make_dry_run(target):
    """What `make <target>` would run. --no-print-directory: under `make test` (CI) this make is a sub-make,
    which otherwise ends its output with "Leaving directory"."""
    return subprocess.run([MAKE, "--no-print-directory", "-n", target, "PORT=8123"], cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, check=True)


def test_make_run_runs_the_production_launcher_and_make_dev_the_debug_server():
    run = make_dry_run("run")
    assert re.fullmatch(r"PORT=8123 .*\brun python -m hosen\.serve", run.stdout.strip().splitlines()[-1])
    assert "runserver" not in run.stdout
    dev = make_dry_run("dev")
    assert dev.stdout.strip().splitlines()[-1].endswith("manage.py runserver 127.0.0.1:8123")


def test_a_wrong_address_answers_hosens_plain_not_found_page(served):
    response = Browser(served.port).get("/no-such-page/")
    assert response.status == 404
    assert "This page is not here" in response.text
    assert re.search(r'<link rel="stylesheet" href="/static/hosen/hosen\.[0-9a-f]{12}\.css">', response.text)
    for debug_page in ("URLconf", "URL patterns", "DEBUG = True", "a/&lt;slug:authority_slug&gt;/", "admin/"):
        assert debug_page not in response.text
    assert response.headers["Server"].startswith("gunicorn")


def test_static_files_go_out_hashed_and_compressed(served):
    page = Browser(served.port).get("/accounts/login/")
    stylesheet = re.search(r'href="(/static/hosen/hosen\.[0-9a-f]{12}\.css)"', page.text).group(1)
    script = re.search(r'src="(/static/hosen/hosen\.[0-9a-f]{12}\.js)"', page.text).group(1)
    for path in (stylesheet, script):
        for asked, answered in (("gzip", "gzip"), ("gzip, br", "br")):
            response = Browser(served.port).get(path, **{"Accept-Encoding": asked})
            assert response.status == 200
            assert response.headers["Content-Encoding"] == answered
            assert "immutable" in response.headers["Cache-Control"]
            assert len(response.wire) < len(response.text.encode()) / 2


def test_sign_in_works_over_plain_http_on_this_machine(served):
    browser = Browser(served.port)
    # The cluster coordinator: password and authenticator code (the manager signs in below, and a code counts once).
    path, landing = browser.sign_in_and_land("coordinator@example.org", DEMO_PASSWORD)
    assert landing.status == 200, path
    assert path not in ("/accounts/login/", "/accounts/2fa/authenticate/", "/two-step/"), path
    assert "coordinator@example.org" in landing.text or "Sign out" in landing.text
    session = [h for h in browser.set_cookie_headers if h.startswith("sessionid=")]
    csrf = [h for h in browser.set_cookie_headers if h.startswith("csrftoken=")]
    assert session and csrf
    for header in session + csrf:
        assert "secure" not in header.lower()  # a browser on http:// would never send a Secure cookie back
    assert "httponly" in session[-1].lower()
    assert "Strict-Transport-Security" not in landing.headers


def test_the_counters_live_in_the_database_every_worker_shares(served):
    # Sign-in limits and the record of authenticator codes already used count in the cache; in each worker's own
    # memory a limit would count per worker and a used code would pass again at another worker.
    with closing(sqlite3.connect(served.tmp / "hosen.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM hosen_cache").fetchone()[0] > 0


def page_links(html: str) -> set[str]:
    return {href for href in re.findall(r'href="(/[^"#?]*)"', html)
            if not href.startswith(("/static/", "/accounts/", "/admin/", "/language/"))}


def first_load(port: int, cookies: dict, path: str) -> tuple[int, int, str]:
    """Bytes on the wire for a first visit to `path`: its HTML and each stylesheet, script and icon it names,
    none of them cached yet. Returns (bytes, status, content type)."""
    browser = Browser(port)
    browser.cookies = dict(cookies)
    page = browser.get(path)
    total = len(page.wire)
    kind = page.headers.get("Content-Type", "")
    if page.status == 200 and kind.startswith("text/html"):
        for asset in set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)):
            fetched = browser.get(asset)
            assert fetched.status == 200, asset
            total += len(fetched.wire)
    return total, page.status, kind


@pytest.mark.parametrize(("email", "landing", "at_least"),
                         [(DEMO_MANAGER, "/a/", 100), ("network@example.org", "/network/", 8)])
def test_the_first_load_of_every_page_is_within_60_kb(served, email, landing, at_least):
    browser = Browser(served.port)
    home_path, home = browser.sign_in_and_land(email, DEMO_PASSWORD)
    assert home.status == 200 and home_path.startswith(landing), home_path
    pages = {home_path, *page_links(home.text)}
    # And one step further: every page that the pages of her own area (her authority, the network) link to.
    for path in sorted(pages - {"/"}):
        if path.startswith(home_path):
            pages |= page_links(browser.get(path).text)
    measured = {"/accounts/login/": first_load(served.port, {}, "/accounts/login/")[0]}
    for path in sorted(pages):
        size, status, kind = first_load(served.port, browser.cookies, path)
        if status == 200 and kind.startswith("text/html"):
            measured[path] = size
    assert len(measured) >= at_least, sorted(measured)
    heaviest = sorted(measured.items(), key=lambda item: -item[1])[:5]
    print(f"first loads of {len(measured)} pages (bytes on the wire), heaviest:", heaviest)
    over = {path: size for path, size in measured.items() if size > FIRST_LOAD_BUDGET}
    assert not over, over


def test_the_secret_key_file_is_made_once_readable_by_its_owner_only(served):
    key_file = served.tmp / "secret-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 50
    assert "Made a new secret key" in served.output()
    assert not ensure_secret_key(key_file)  # the next `make run` keeps it
    assert key_file.read_text().strip() == key
    # The server signs with that key: what settings read from the file is the file's key.
    read = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.SECRET_KEY)"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**launcher_environment(served.tmp, served.port), "DJANGO_SETTINGS_MODULE": "hosen.settings",
             "HOSEN_DEBUG": "false", "HOSEN_TLS": "false", "ALLOWED_HOSTS": "127.0.0.1"})
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == key


def test_a_key_file_made_by_hand_is_closed_to_others_and_kept(tmp_path):
    made = tmp_path / "nested" / "key"
    assert ensure_secret_key(made)
    first = made.read_text()
    assert not ensure_secret_key(made) and made.read_text() == first
    made.chmod(0o644)
    assert not ensure_secret_key(made)
    assert stat.S_IMODE(made.stat().st_mode) == 0o600 and made.read_text() == first
    assert [p.name for p in made.parent.iterdir()] == ["key"]  # no temporary file left behind


def test_with_a_tls_host_name_the_demo_password_is_refused(served):
    env = launcher_environment(served.tmp, served.port, SITE_URL="https://hosen.example.org")
    done = subprocess.run([sys.executable, "-m", "hosen.serve"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode != 0
    assert "demo sign-ins still have the demo password" in done.stderr
    assert "manager@example.org" in done.stderr
    assert "Listening at" not in done.stdout + done.stderr


def test_ctrl_c_lets_the_request_in_hand_finish_and_stops_cleanly(served):
    # A request half sent when Ctrl-C comes: its worker finishes it before everything stops.
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(1)  # taken by a worker, which now waits for the rest
        served.interrupt()
        time.sleep(1)
        conn.sendall(b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 OK") and answer.endswith(b"\r\n\r\nok"), answer
    code = served.wait()
    output = served.output()
    assert code == 0, output[-3000:]
    assert "Shutting down" in output
    assert "Traceback" not in output
    with pytest.raises(OSError):
        Browser(served.port).get("/accounts/login/")
