"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright never downloads a browser here: it launches /usr/bin/chromium (or $PW_CHROMIUM). Without
that browser the tests are skipped on a developer's machine, but in CI (CI=true) they fail: a browser
test must never be skipped silently where it is supposed to guard a release.

Every test gets a fresh, flushed database (live_server is transactional), so each one asks for the
`cast` fixture, which loads the working model's content and the standing cast of users again.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from conftest import PASSWORD

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CHROMIUM = os.environ.get("PW_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").strip().lower() == "true"
PHONE = {"width": 360, "height": 740}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _chromium_missing() -> bool:
    return not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK))


def pytest_collection_modifyitems(config, items):
    missing = _chromium_missing()
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if missing and not IN_CI:
            item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (set PW_CHROMIUM)"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if _chromium_missing():
        pytest.fail(f"CI=true but there is no executable Chromium at {CHROMIUM}: browser tests must run in CI. "
                    "Install Debian's chromium or set PW_CHROMIUM.", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A phone in Israel: 360 px wide, a Hebrew browser (the Accept-Language header LocaleMiddleware reads).
    return {**browser_context_args, "viewport": PHONE, "locale": "he-IL", "timezone_id": "Asia/Jerusalem"}


@pytest.fixture(scope="session")
def screenshot_dir():
    folder = Path(os.environ.get("HOSEN_SCREENSHOTS") or REPO / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Chromium already reports CSP violations on the console; this makes sure each one is an error
# even if that wording changes. Init scripts run outside the page's CSP.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
                ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


# App bugs reported and not fixed yet: each is tolerated by the journeys, so that they keep guarding
# everything else, and demanded by a strict-xfail test that starts to XPASS, and so fails, the day the
# app is fixed: then delete the entry here and that test's xfail mark.
# Console messages of known, reported app bugs that a test run tolerates: {name: matcher(text, source)}.
KNOWN_APP_BUGS: dict = {}


class Watch:
    """Console errors, uncaught exceptions, CSP violations and 5xx answers of every page it watches."""

    def __init__(self):
        self.problems: list[str] = []
        self.known: list[str] = []
        self.expected_status: dict[str, set[int]] = {}

    def expect_status(self, url: str, *statuses: int):
        """A navigation to `url` that is meant to answer with one of `statuses` (403, 404...)."""
        self.expected_status[url] = set(statuses)

    def attach(self, context):
        context.add_init_script(_CSP_LISTENER)
        context.on("page", self._watch)
        return context

    def _watch(self, page):
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))
        page.on("response", self._response)

    def _console(self, page, message):
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        status = re.search(r"status of (\d{3})", message.text)
        if status and int(status.group(1)) in self.expected_status.get(source, ()):
            return
        report = f"{page.url}: console error: {message.text} ({source})"
        known = [name for name, matches in KNOWN_APP_BUGS.items() if matches(message.text, source)]
        (self.known if known else self.problems).append(f"[known: {known[0]}] {report}" if known else report)

    def _response(self, response):
        if response.status >= 500:
            self.problems.append(f"{response.url}: HTTP {response.status}")

    def assert_clean(self):
        found, self.problems = self.problems, []
        assert not found, "Problems in the browser:\n" + "\n".join(found)


class Site:
    """The live server, seen through phone-sized browser contexts that are watched for errors."""

    def __init__(self, base_url, new_context, watch, cast):
        self.base_url = base_url.rstrip("/")
        self._new_context = new_context
        self.watch = watch
        self.cast = cast

    def url(self, path: str) -> str:
        return self.base_url + path

    def context(self, language: str | None = None):
        """A fresh browser context (no cookies); with `language`, its language cookie is set."""
        context = self.watch.attach(self._new_context())
        context.set_default_timeout(10_000)  # a local server: anything slower is a failure, fail it soon
        if language:
            context.add_cookies([{"name": "django_language", "value": language, "url": self.base_url}])
        return context

    def sign_in(self, context_or_page, user, expect_path: str | None = None):
        """Sign in through the real login form; returns the page, on the page sign-in led to."""
        page = context_or_page if hasattr(context_or_page, "goto") else context_or_page.new_page()
        page.goto(self.url("/accounts/login/"))
        form = page.locator("form:has(input[name=login])")
        form.locator("input[name=login]").fill(user.email)
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("button[type=submit]").click()
        try:
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        except PlaywrightTimeoutError:
            errors = page.locator("main .errorlist, main [role=alert]").all_inner_texts()
            raise AssertionError(f"{user.email} could not sign in: {errors or page.url}") from None
        if "/two-step/" in page.url and page.locator("button[name=later]").count():
            # Managers and overseers without two-step sign-in are asked to set it up (test_mfa.py does): later.
            page.locator("button[name=later]").click()
            page.wait_for_url(lambda url: "/two-step/" not in url)
        if expect_path:
            assert page.url == self.url(expect_path), f"{user.email} signed in and landed on {page.url}"
        return page

    def sign_out(self, page):
        page.locator("form.signout button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" in url)

    def assert_clean(self):
        """No console error, uncaught exception, CSP violation or 5xx so far (known app bugs aside)."""
        self.watch.assert_clean()

    def html_lang_dir(self, page):
        html = page.locator("html")
        return html.get_attribute("lang"), html.get_attribute("dir")


@pytest.fixture
def site(live_server, cast, new_context):
    """The app on a live server with the standing cast, and a way to open watched browser contexts.

    Tests call `site.assert_clean()` at their end; whatever is left is checked again at teardown."""
    watch = Watch()
    yield Site(live_server.url, new_context, watch, cast)
    watch.assert_clean()
