"""A morning of sign-ins: managers sign in through the form and get to work; field reporters send quick reports.

Started by bench/signin.py, which makes the data and the server; to run it by hand against a server whose
database bench/signin_data.py prepared:

    HOSEN_SIGNIN_DATA=bench/results/signin-data-sqlite.json \
        .venv/bin/locust -f bench/locustfile.py --headless -u 200 -r 20 -t 60s --host http://127.0.0.1:8000

Two kinds of people, 9 to 1 (180 and 20 of 200):

- A manager (`Manager`) takes an account of her own (no two simulated managers share one: allauth refuses a
  two-step code used twice within its 30 s window). She signs in as a browser does: the sign-in form, its
  POST with the form's CSRF token, then — when her account has an authenticator app — the code page and the
  code of the moment; then her landing page. Then, with a pause to read each page (HOSEN_THINK, default 5–15 s),
  she browses the authority's pages (home, the authority's home, needs, a need, the sites board, the
  checklist) and adds needs through the new-need form (its hidden fields, the submission key among them, sent
  back as the browser sends them, after 10–30 s of typing), then follows the redirect to the needs list.
  Managers of an authority without an open emergency browse only.
- A field reporter (`Reporter`) opens her quick-report link, fills it in (20–40 s), sends it and reads the
  thank-you page; then waits 30–90 s before the next report.

As behind the README's TLS proxy: every request says X-Forwarded-Proto: https (so the Secure session and CSRF
cookies are sent, and POSTs carry Origin and Referer for Django's HTTPS CSRF check), and the server reads the
client's address from X-Forwarded-For (bench/signin.py sets CLIENT_IP_HEADER). HOSEN_MANAGER_ADDRESSES says
what the managers send: "one" (default: the whole country behind one address — sign-in must not be refused
for it), "authority" (one per authority, a municipal office), or "own". Reporters each have their own (phones).

Every sample (name, ms, failed, start) is kept and written at the end to HOSEN_SAMPLES (one file per locust process),
so that bench/signin.py computes exact percentiles — locust's own round times above 100 ms to 10 ms — and the
whole sign-in (form to landing page) as one figure, without counting it twice in the totals.
"""

import itertools
import json
import os
import random
import re
import sys
import time
import zlib
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, between, events, task
from locust.runners import MasterRunner, WorkerRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from signin_forms import (  # noqa: E402  the pages' forms, read and filled as a browser and a person would
    CODE_ACCEPTED,
    PASSWORD_ACCEPTED,
    REPORT_SENT,
    SUBMISSION,
    form_fields,
    need_added,
    need_links,
    new_need,
    page_name,
    quick_report,
    totp_code,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = json.loads(Path(os.environ.get("HOSEN_SIGNIN_DATA", ROOT / "bench/results/signin-data-sqlite.json"))
                  .read_text())


def _span(name, default):
    low, high = (float(part) for part in os.environ.get(name, default).split(","))
    return low, high


THINK = _span("HOSEN_THINK", "5,15")  # reading a page before the next click
SIGN_IN_TYPING = _span("HOSEN_SIGN_IN_TYPING", "2,5")  # e-mail address and password
CODE_TYPING = _span("HOSEN_CODE_TYPING", "3,6")  # the authenticator's code
TYPING = _span("HOSEN_TYPING", "10,30")  # filling in the new-need form
REPORT_FILLING = _span("HOSEN_REPORT_FILLING", "20,40")  # filling in the quick report
REPORT_PAUSE = _span("HOSEN_REPORT_PAUSE", "30,90")  # between one quick report and the next
MANAGER_ADDRESSES = os.environ.get("HOSEN_MANAGER_ADDRESSES", "one")
SAMPLES = os.environ.get("HOSEN_SAMPLES", "")
# Warming up: the warm-up accounts, so that the morning's own accounts sign in for the first time when measured.
WARMUP = os.environ.get("HOSEN_WARMUP", "") == "1"

# ---- shared between the users of this process -------------------------------------------------------

_next_manager = itertools.count()
_next_reporter = itertools.count()
_samples = []  # (name, ms, failed)
_failures = {}  # "name: what" -> count
_process = {"index": 0, "count": int(os.environ.get("HOSEN_LOCUST_PROCESSES", "1"))}


@events.init.add_listener
def _on_init(environment, **_kwargs):
    if isinstance(environment.runner, WorkerRunner):
        _process["index"] = environment.runner.worker_index


@events.request.add_listener
def _on_request(name, response_time, exception, start_time=None, **_kwargs):
    # With when it started (unix time), so that the sign-in burst and the steady morning can be told apart.
    _samples.append((name, round(response_time, 2), exception is not None, round(start_time or time.time(), 3)))
    if exception is not None:
        key = f"{name}: {str(exception)[:100]}"
        _failures[key] = _failures.get(key, 0) + 1


@events.quitting.add_listener
def _on_quitting(environment, **_kwargs):
    if SAMPLES and not isinstance(environment.runner, MasterRunner):  # the master of --processes has no people
        path = Path(SAMPLES)
        if _process["count"] > 1:
            path = path.with_name(f"{path.stem}-{_process['index']}{path.suffix}")
        path.write_text(json.dumps({"samples": _samples, "sign_ins": Manager.sign_ins, "failures": _failures}))


def manager_address(account) -> str:
    """The address the proxy would see for this manager (HOSEN_MANAGER_ADDRESSES)."""
    if MANAGER_ADDRESSES == "one":
        return "10.100.0.1"
    key = zlib.crc32((account["slug"] if MANAGER_ADDRESSES == "authority" else account["email"]).encode())
    return f"10.{101 + key % 100}.{key // 100 % 250}.{1 + key // 25000 % 250}"


def _take(counter, items):
    """The next item for this process: with several locust processes each takes every count-th one."""
    return items[(next(counter) * _process["count"] + _process["index"]) % len(items)]


class BehindTheProxy(DefaultCookiePolicy):
    """Send the Secure cookies (session, CSRF) over this plain connection: in production the browser's connection
    is TLS to the proxy, which passes requests on in plain HTTP with X-Forwarded-Proto: https — as this client does."""

    def return_ok_secure(self, cookie, request):
        return True


class Person(FastHttpUser):
    abstract = True
    # One connection per person, as a phone's browser mostly has to one server.
    concurrency = 1

    def on_start(self):
        self.client.cookiejar.set_policy(BehindTheProxy())
        self.origin = "https://" + urlsplit(self.host).netloc
        self.headers = {"Accept-Language": "he", "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address()}

    def fetch(self, method, path, name, expect=(200,), data=None, redirect_to=None):
        """One request; a status outside `expect` (or a redirect elsewhere than `redirect_to`, a pattern) is a
        failure. Returns (status, location, html); status 0 for a redirect elsewhere."""
        headers = self.headers
        if data is not None:
            data = urlencode(data)
            # A browser's POST names its origin and the page it came from; Django's CSRF check over HTTPS asks.
            headers = {**headers, "Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                       "Referer": self.origin + path}
        with self.client.request(method, path, name=name, allow_redirects=False, catch_response=True,
                                 headers=headers, data=data) as response:
            status = response.status_code
            html = response.text or "" if status == 200 else ""
            location = response.headers.get("Location", "") if response.headers else ""
            if status not in expect:
                response.failure(f"{status} {location}"[:120])
            elif status == 302 and redirect_to and not re.search(redirect_to, location):
                # A form sent back to itself, or on to the sign-in, has not done what was asked.
                response.failure(f"302 to {location}"[:120])
                status = 0
            else:
                response.success()
        return status, location, html

    def post(self, path, name, fields, redirect_to):
        """A form sent; it succeeded when the answer is a redirect to a URL matching `redirect_to`."""
        return self.fetch("POST", path, name, expect=(302,), data=fields, redirect_to=redirect_to)


class Manager(Person):
    weight = 9
    wait_time = between(*THINK)
    sign_ins = []  # (seconds from the form to the landing page, succeeded), this process's managers

    def on_start(self):
        self.account = _take(_next_manager, DATA["warmup_managers" if WARMUP else "managers"])
        self.base = f"/a/{self.account['slug']}/"
        super().on_start()
        self.needs = []
        self.signed_in = self.sign_in()

    def address(self):
        return manager_address(self.account)

    def sign_in(self) -> bool:
        began = time.monotonic()
        ok = self._sign_in()
        Manager.sign_ins.append((round(time.monotonic() - began, 3), ok))
        return ok

    def _sign_in(self) -> bool:
        status, location, html = self.fetch("GET", "/accounts/login/", "sign-in: form", expect=(200, 302))
        if status == 302 and "/2fa/authenticate" in location:
            return self._code(location)  # back after a refused code: the sign-in still waits for one
        fields = form_fields(html)
        if status != 200 or "csrfmiddlewaretoken" not in fields:
            return False
        gevent.sleep(random.uniform(*SIGN_IN_TYPING))  # typing the e-mail address and the password
        credentials = {"login": self.account["email"], "password": DATA["password"]}
        status, location, _html = self.post("/accounts/login/", "sign-in: password", {**fields, **credentials},
                                            redirect_to=PASSWORD_ACCEPTED)
        if status != 302:
            return False
        if "/2fa/authenticate" in location:
            return self._code(location)
        return self._land(location)

    def _code(self, page) -> bool:
        status, _location, html = self.fetch("GET", page, "sign-in: code form")
        fields = form_fields(html)
        if status != 200 or not self.account.get("secret"):
            return False
        gevent.sleep(random.uniform(*CODE_TYPING))  # opening the authenticator app, typing its code
        # Like a person watching the app's countdown, she waits for the next code when this one has under
        # 3 s left: Hosen accepts only the code of the moment (allauth's MFA_TOTP_TOLERANCE is 0).
        left = 30 - time.time() % 30
        if left < 3:
            gevent.sleep(left + 0.2)
        code = totp_code(self.account["secret"])
        status, location, _html = self.post(page, "sign-in: code", {**fields, "code": code},
                                            redirect_to=CODE_ACCEPTED)
        return status == 302 and self._land(location)

    def _land(self, location) -> bool:
        """The landing page, as the browser follows the redirect: "/" sends a manager on to her authority's home
        (or, without two-step sign-in, to the request to set it up)."""
        return self.visit(location) is not None

    # -- browsing --

    def visit(self, path, name=None):
        """A page as the browser shows it: redirects within the site followed, each hop a request of its own,
        named by its page. The page's HTML, or None when the site sent her to sign in or answered an error."""
        for _hop in range(4):
            status, location, html = self.fetch("GET", path, name or page_name(path, self.base), expect=(200, 302))
            if status != 302:
                return html if status == 200 else None
            if "/accounts/login/" in location:
                self.signed_in = False
                return None
            path, name = location, None
        return None

    def on_page(self, path, name):
        if not self.signed_in:
            # A refused sign-in already counted as a failure; she tries again after a pause.
            self.signed_in = self.sign_in()
            return None
        return self.visit(path, name)

    @task(1)
    def home(self):
        self.on_page("/", "home")

    @task(3)
    def authority_home(self):
        self.on_page(self.base, "authority home")

    @task(3)
    def needs_list(self):
        html = self.on_page(f"{self.base}needs/", "needs list")
        if html:
            self.needs = need_links(html, self.base)[:50] or self.needs

    @task(3)
    def a_need(self):
        if not self.needs:
            return self.needs_list()
        self.on_page(f"{self.base}needs/{random.choice(self.needs)}/", "a need")

    @task(2)
    def sites_board(self):
        self.on_page(f"{self.base}sites/", "sites board")

    @task(2)
    def checklist(self):
        self.on_page(f"{self.base}checklist/", "checklist")

    @task(2)
    def add_need(self):
        if not self.account["open_emergency"]:
            return self.authority_home()
        html = self.on_page(f"{self.base}needs/new/", "new need: form")
        if not form_fields(html or "", SUBMISSION):
            return None
        gevent.sleep(random.uniform(*TYPING))
        status, location, _html = self.post(f"{self.base}needs/new/", "new need: send", new_need(html, random),
                                            redirect_to=need_added(self.base))
        if status == 302 and "#need-" in location:
            self.on_page(location.split("#", 1)[0], "needs list")


class Reporter(Person):
    weight = 1
    wait_time = between(*REPORT_PAUSE)

    def on_start(self):
        self.number = next(_next_reporter) * _process["count"] + _process["index"]
        self.link = DATA["links"][self.number % len(DATA["links"])]
        super().on_start()

    def address(self):
        return f"10.{204 if WARMUP else 203}.{self.number // 250}.{1 + self.number % 250}"

    @task
    def quick_report(self):
        path = f"/r/{self.link['token']}/"
        status, _location, html = self.fetch("GET", path, "quick link: form")
        if status != 200 or not form_fields(html, SUBMISSION):
            return
        gevent.sleep(random.uniform(*REPORT_FILLING))
        status, location, _html = self.post(path, "quick link: send", quick_report(html, random),
                                            redirect_to=REPORT_SENT)
        if status == 302 and "sent=" in location:
            self.fetch("GET", location, "quick link: thanks")
