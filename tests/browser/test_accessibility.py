"""Every page of the demo, in Hebrew, Arabic and English, through the two checks that judge it from outside.

axe-core (from npm, node_modules/axe-core) runs inside Chromium on each page as it is drawn on a phone: no
critical and no serious violation. The Nu Html Checker (npm's vnu-jar, run by Java) reads the same pages' HTML
as the server sent it, all in one batch: no error.

The pages are those of the permission matrix (tests/test_permissions.py), pointed at the demo authority with
every register filled, as test_escaping.py points them: every register's list, detail and form, the checklist,
the stages, the network's pages, the two-step and address pages, and the public token pages (quick report,
pulse, volunteer sign-up, the donors' list), each opened by whoever sees the most of it; and the main pages of an
authority without an open emergency. Exports and the parts of pages htmx swaps in are left out. The HTML checker
also reads the page each staff form comes back to when sent empty.

Without node_modules (make install runs npm ci) or Java the checks are skipped on a developer's machine; in CI
(CI=true) they fail instead, like every browser test.
"""

import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests import test_permissions as matrix
from tests.browser.conftest import IN_CI, PHONE, REPO, Watch
from tests.test_escaping import demo_cast

NODE_MODULES = REPO / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = os.environ.get("JAVA", shutil.which("java") or "/usr/bin/java")
LANGUAGES = ("he", "ar", "en")
SERIOUS = ("critical", "serious")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the public forms' limits count per address in this process's cache, which the live server shares
    yield
    cache.clear()


def _missing() -> list[str]:
    missing = [f"{path.relative_to(REPO)} (make install runs npm ci)" for path in (AXE, VNU) if not path.is_file()]
    if not (os.path.isfile(JAVA) and os.access(JAVA, os.X_OK)):
        missing.append(f"Java at {JAVA} (apt-get install default-jre-headless)")
    return missing


@pytest.fixture(scope="module")
def checkers():
    missing = _missing()
    if missing and IN_CI:
        pytest.fail(f"CI=true but the page checkers are missing: {', '.join(missing)}", pytrace=False)
    if missing:
        pytest.skip(f"page checkers missing: {', '.join(missing)}")


def load_demo():
    for command in ["load_model_content", "load_skills", "load_kpi_templates", "load_demo"]:
        call_command(command, verbosity=0)
    with scopes_disabled():
        cast = demo_cast()
        matrix._kwargs(cast, "home")  # the objects the matrix's URLs point at, in the demo authority
    return cast


def candidate_urls(cast):
    """(name, url, roles to try in order) for every page the matrix knows, exports and POST-only ones left out."""
    public = {name for name, rules in matrix.OTHER_PAGES.items() if rules.get("anonymous", rules["*"]) == 200}
    groups = [(matrix.AUTHORITY_PAGES, ("manager", "network_admin")),
              (matrix.OTHER_PAGES, ("anonymous", "manager", "network_admin")),
              (dict.fromkeys(matrix.ALLAUTH_PUBLIC), ("anonymous", "manager"))]
    seen = set()
    for names, roles in groups:
        for name in sorted(names):
            if name.startswith("api-v1:"):
                continue  # the API: JSON, and its reference page is Swagger UI's own
            kwargs = matrix._kwargs(cast, name)
            if "fmt" in kwargs:
                continue
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            if url not in seen:
                seen.add(url)
                yield name, url, roles if name not in public else ("anonymous",)


# Pages that read otherwise without an open emergency: seen by the manager of the demo's other authority, whose
# emergency is over.
WITHOUT_EMERGENCY = ["workmodel:home", "workmodel:emergency_new", "workmodel:checklist", "workmodel:rounds",
                     "situation:room", "field:needs", "field:sites", "plan:activities", "resources:matching",
                     "resources:donors"]
ROLES = ("anonymous", "manager", "network_admin", "outsider")


def sessions(cast):
    """A signed-in session cookie for each role that opens pages here."""
    cookies = {}
    for role in ROLES[1:]:
        client = Client()
        client.force_login(cast.user(role))
        cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def pages_to_check(cast, cookies):
    """[(role, name, url)]: each page with the first role that is shown it (200, HTML)."""
    pages, left_out = [], []
    for name, url, roles in candidate_urls(cast):
        for role in roles:
            client = Client()
            if role != "anonymous":
                client.cookies[settings.SESSION_COOKIE_NAME] = cookies[role]
            response = client.get(url)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                # A GET that answers a part of a page (what htmx swaps in) is checked as part of its page.
                if response.content.lstrip()[:15].lower() == b"<!doctype html>":
                    pages.append((role, name, url))
                else:
                    left_out.append(f"{name} (a part of a page)")
                break
        else:
            left_out.append(name)
    for name in WITHOUT_EMERGENCY:
        pages.append(("outsider", name, reverse(name, kwargs={"authority_slug": cast.other_authority.slug})))
    return pages, left_out


RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary, html: n.html.slice(0, 200)}))}));
}"""


def forms_sent_empty(pages, cookies, folder: Path, sources: dict) -> int:
    """The pages a form sent empty comes back to (its errors, or the conflict view of an edit that carries no
    version), in English, kept for the HTML checker with the rest; how many."""
    sent = 0
    for role, name, url in pages:
        if role == "anonymous" or matrix.AUTHORITY_PAGES.get(name, (None, None))[1] is None or any(
                word in name for word in ("close", "revoke", "release")):  # these act on an empty send
            continue
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[role]
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.post(url, {})
        if response.get("Content-Type", "").startswith("text/html") and response.content.lstrip()[:15].lower() == \
                b"<!doctype html>":
            file = folder / f"{len(sources):03d}.html"
            file.write_bytes(response.content)
            sources[file.name] = f"{url} sent empty ({response.status_code})"
            sent += 1
    return sent


# A document the checker must find fault with: proof that it read the folder, so that "no error" means something.
SENTINEL = ("sentinel.html", '<!doctype html><html lang="en"><title>x</title><p hx-get="/">x</p></html>')


def vnu_errors(folder: Path) -> list[dict]:
    """The Nu Html Checker's errors over every .html file in `folder`, in one run of Java."""
    (folder / SENTINEL[0]).write_text(SENTINEL[1], encoding="utf-8")
    done = subprocess.run(  # noqa: S603 (our own command line: Java, the pinned jar and a temporary folder)
        [JAVA, "-Xss8m", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always",
         "--skip-non-html", str(folder)], capture_output=True, text=True, timeout=300)
    try:
        messages = json.loads(done.stderr or done.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"the Nu Html Checker gave no report: {done.returncode} {done.stderr[-2000:]}", pytrace=False)
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    caught = [m for m in errors if Path(m.get("url", "")).name == SENTINEL[0]]
    assert caught and "hx-get" in caught[0].get("message", ""), f"the checker missed the planted error: {messages[:3]}"
    return [m for m in errors if m not in caught]


@pytest.mark.django_db(transaction=True)
def test_every_page_has_no_serious_axe_violation_and_valid_html(checkers, live_server, browser, tmp_path):
    started = time.monotonic()
    cast = load_demo()
    cookies = sessions(cast)
    pages, left_out = pages_to_check(cast, cookies)
    assert len(pages) > 100, f"only {len(pages)} pages to check; left out: {left_out}"
    listed = time.monotonic()

    # One browser; a context per language and role, each page opened once, checked by axe as drawn and kept as sent.
    watch = Watch()
    violations = []  # (language, url, violation)
    sources = {}  # file name -> what it is
    for language in LANGUAGES:
        for role in ROLES:
            context = watch.attach(browser.new_context(viewport=PHONE, locale="he-IL", timezone_id="Asia/Jerusalem"))
            context.set_default_timeout(15_000)
            context.add_init_script(path=str(AXE))  # init scripts run outside the page's CSP
            jar = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            if role != "anonymous":
                jar.append({"name": settings.SESSION_COOKIE_NAME, "value": cookies[role], "url": live_server.url})
            context.add_cookies(jar)
            page = context.new_page()
            for url in (url for who, _name, url in pages if who == role):
                response = page.goto(live_server.url + url)
                assert response.status == 200, f"{url} as {role} in {language}: {response.status}"
                file = tmp_path / f"{len(sources):03d}.html"
                file.write_text(response.text(), encoding="utf-8")
                sources[file.name] = f"{url} ({language}, {role})"
                violations += [(language, url, violation) for violation in page.evaluate(RUN_AXE)]
            context.close()
    sent = forms_sent_empty(pages, cookies, tmp_path, sources)
    browsed = time.monotonic()
    errors = vnu_errors(tmp_path)
    checked = time.monotonic()

    serious = [(language, url, v) for language, url, v in violations if v["impact"] in SERIOUS]
    by_rule = Counter()
    report = []
    for language, url, violation in serious:
        by_rule[violation["id"]] += len(violation["nodes"])
        report += [f"axe {violation['impact']} {violation['id']} {url} ({language}): {node['target']}: "
                   f"{node['summary']}" for node in violation["nodes"][:3]]
    by_message = defaultdict(list)
    for error in errors:
        by_message[error.get("message", "")].append(sources.get(Path(error.get("url", "")).name, error.get("url")))
    for message, where in sorted(by_message.items(), key=lambda pair: -len(pair[1])):
        report.append(f"vnu ×{len(where)}: {message} — e.g. {where[0]}")
    print(f"\n{len(pages)} pages × {len(LANGUAGES)} languages and {sent} forms sent empty; not checked: {left_out}\n"
          f"axe: {sum(by_rule.values())} critical or serious elements on {len({(s[0], s[1]) for s in serious})} "
          f"pages {dict(by_rule)}, {len(violations) - len(serious)} moderate or minor findings\n"
          f"vnu: {len(errors)} errors\n"
          f"time: listing {listed - started:.0f}s, browser {browsed - listed:.0f}s, vnu {checked - browsed:.0f}s")
    watch.assert_clean()
    assert not report, "\n".join(report)


# ---- What the sweep cannot see: states after a send, where the focus goes, how carried answers and the focus ring
# look. These use the standing cast (conftest.py) and the watched contexts of tests/browser/conftest.py.

CONTRAST = """
const channels = (css) => {
  const m = css && css.match(/rgba?\\(([^)]+)\\)/);
  if (!m) { return null; }
  const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
};
const luminance = (c) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
};
const ratio = (a, b) => {
  const [dark, light] = [luminance(a), luminance(b)].sort((x, y) => x - y);
  return (light + 0.05) / (dark + 0.05);
};
const backgroundOf = (node) => {
  for (let n = node; n; n = n.parentElement) {
    const c = channels(getComputedStyle(n).backgroundColor);
    if (c && c.a > 0.5) { return c; }
  }
  return {r: 255, g: 255, b: 255, a: 1};
};
const hex = (c) => "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
"""

# The focused element's ring (on it, or on the tile around a hidden radio) against what is around it: the outline,
# and the light ring inside it (a box-shadow), each measured against the background the ring is drawn on.
FOCUS_RING = "(el) => {" + CONTRAST + """
  let ringed = el;
  while (ringed && getComputedStyle(ringed).outlineStyle === "none") { ringed = ringed.parentElement; }
  if (!ringed) { return {what: el.outerHTML.slice(0, 120), width: 0, best: 0}; }
  const style = getComputedStyle(ringed);
  const behind = backgroundOf(ringed.parentElement);
  const outline = ratio(channels(style.outlineColor), behind);
  const shadow = channels(style.boxShadow);
  const halo = shadow && shadow.a > 0.5 ? ratio(shadow, behind) : 0;
  return {what: ringed.outerHTML.slice(0, 120), width: parseFloat(style.outlineWidth), behind: hex(behind),
          outline: outline, halo: halo, best: Math.max(outline, halo)};
}"""

CARRIED = "(el) => {" + CONTRAST + """
  const style = getComputedStyle(el);
  return {text: ratio(channels(style.color), backgroundOf(el)), border: style.borderTopStyle,
          opacity: parseFloat(style.opacity), color: style.color};
}"""


def run_axe(page) -> list[str]:
    """axe-core's critical and serious findings on the page as it is now. Evaluated through the browser's debugging
    channel, which the page's CSP does not govern (a <script> tag it would refuse)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return [f"{v['impact']} {v['id']}: {n['target']}: {n['summary']}"
            for v in page.evaluate(RUN_AXE) if v["impact"] in SERIOUS for n in v["nodes"]]


@pytest.fixture
def carried(site):
    """Four answers of the first round, carried into a second one, and one answered again in it."""
    from hosen.workmodel import services
    from hosen.workmodel.models import Answer, AnswerStatus, ChecklistItem

    cast = site.cast
    with scopes_disabled():
        items = {i.number: i for i in ChecklistItem.objects.filter(number__in=[2, 3, 4, 5, 6])}
        for number, status in [(2, AnswerStatus.DONE), (3, AnswerStatus.PARTLY), (4, AnswerStatus.NOT_YET),
                               (5, AnswerStatus.NOT_RELEVANT), (6, AnswerStatus.DONE)]:
            Answer.objects.create(authority=cast.authority, round=cast.round, item=items[number], status=status,
                                  answered_by=cast.manager, answered_at=cast.round.started_at)
        second = services.start_round(cast.emergency, cast.manager, label="2")
        Answer.objects.filter(round=second, item=items[6]).update(carried_over=False)
    return cast


PREVIOUS_ROUND = {"he": "מהסבב הקודם", "ar": "من الجولة السابقة", "en": "from the previous round"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_carried_answer_reads_at_4_5_to_1_and_is_marked_carried_in_another_way(site, carried, screenshot_dir,
                                                                                  language):
    page = site.sign_in(site.context(language), carried.team)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site.url(f"/a/{carried.authority.slug}/checklist/"))
    chips = page.locator(".item.carried .status")
    expect(chips).to_have_count(4)
    for chip in chips.all():
        looks = chip.evaluate(CARRIED)
        assert looks["text"] >= 4.5, f"{chip.inner_text()}: {looks}"
        assert looks["opacity"] == 1 and looks["border"] == "dashed", looks
    # Beside it, in words: carried from the previous round; an answer given in this round is not marked so.
    for number in (2, 3, 4, 5):
        expect(page.locator(f"#item-{number} .who")).to_contain_text(PREVIOUS_ROUND[language])
    fresh = page.locator("#item-6")
    expect(fresh).not_to_have_class(re.compile(r"\bcarried\b"))
    assert fresh.locator(".status").evaluate(CARRIED)["border"] != "dashed"
    expect(fresh.locator(".who")).not_to_contain_text(PREVIOUS_ROUND[language])
    page.locator("#item-2").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -60)")
    page.screenshot(path=str(screenshot_dir / f"a11y_carried_{language}.png"))
    site.assert_clean()


def tab_through(page, stops: int) -> list[dict]:
    """The focus ring of each of the first `stops` places Tab reaches."""
    page.locator("body").evaluate("body => body.focus()")
    rings = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        if page.evaluate("el => el === document.body", focused):
            break
        rings.append(page.evaluate(FOCUS_RING, focused))
    return rings


def public_urls(cast) -> dict[str, str]:
    """The public token pages, at links the permission matrix makes (a quick report, a pulse, a volunteer sign-up,
    the donors' list)."""
    return {name: reverse(name, kwargs=matrix._kwargs(cast, name)) for name in (
        "field_public:report", "field_public:pulse", "resources_public:volunteer", "resources_public:donors")}


def test_the_focus_ring_stands_out_3_to_1_on_every_background(site, carried, screenshot_dir):
    """Tab through the checklist (the dark bar, the tabs, the page, white cards, coloured buttons) and a quick report
    (its tiles): at every stop the outline or the light ring inside it stands out at least 3:1 from what is around."""
    rings = []
    for language in ("he", "ar"):
        page = site.sign_in(site.context(language), carried.team)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(site.url(f"/a/{carried.authority.slug}/checklist/"))
        page.locator("#item-3 details.answer-form").evaluate("d => d.open = true")
        rings += tab_through(page, 40)
        page.locator("#item-3 summary").focus()
        page.keyboard.press("Tab")  # the first status of the open answer form, on a white card
        page.locator("#item-3").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"a11y_focus_checklist_{language}.png"))
        page.locator("header a.brand").focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # by keyboard, so that :focus-visible holds
        page.screenshot(path=str(screenshot_dir / f"a11y_focus_topbar_{language}.png"), clip={
            "x": 0, "y": 0, "width": 390, "height": 120})
    phone = site.context("he").new_page()
    phone.goto(site.url(public_urls(carried)["field_public:report"]))
    rings += tab_through(phone, 25)
    phone.locator("input[name=status]").first.focus()
    phone.keyboard.press("ArrowDown")
    phone.locator("fieldset.big-choices").scroll_into_view_if_needed()
    phone.screenshot(path=str(screenshot_dir / "a11y_focus_tile_he.png"))

    weak = [ring for ring in rings if ring["best"] < 3 or ring["width"] < 2]
    assert not weak, "focus rings under 3:1 or thinner than 2px:\n" + "\n".join(map(str, weak))
    behind = {ring["behind"] for ring in rings}
    # The backgrounds this was meant to cover were all reached: the dark bar, the page, a white card, the tabs.
    assert {"#0b5d66", "#f6f5f1", "#ffffff", "#e9eeec"} <= behind, behind
    site.assert_clean()


def focused(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : ''")


def described_by(page, locator) -> str:
    """The text of what `locator`'s aria-describedby points at, all of it (every id must be on the page)."""
    ids = (locator.get_attribute("aria-describedby") or "").split()
    assert ids, f"no aria-describedby on {locator.evaluate('el => el.outerHTML.slice(0, 120)')}"
    texts = [page.locator(f"[id='{i}']").inner_text() for i in ids]
    return " ".join(texts)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wrong_password_is_announced_and_focused(checkers, site, screenshot_dir, language):
    page = site.context(language).new_page()
    page.goto(site.url("/accounts/login/"))
    page.fill("input[name=login]", site.cast.team.email)
    page.fill("input[name=password]", "not the password")
    page.locator("form:has(input[name=login]) button[type=submit]").click()
    summary = page.locator("main .error-summary[role=alert]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert summary.inner_text().strip()
    assert page.locator("main .errorlist.nonfield").count() == 0  # said once, in the summary
    page.screenshot(path=str(screenshot_dir / f"a11y_errors_signin_{language}.png"))
    # Sent empty: each field's error is listed, linked to its field, and tied to it.
    page.fill("input[name=login]", "")
    page.fill("input[name=password]", "")
    page.locator("form:has(input[name=login]) button[type=submit]").click()
    expect(page.locator("main .error-summary a")).to_have_count(2)
    page.locator("main .error-summary a").first.click()
    expect(page.locator("input[name=login]")).to_be_focused()
    login = page.locator("input[name=login]")
    assert login.get_attribute("aria-invalid") == "true" and described_by(page, login)
    assert run_axe(page) == []
    site.assert_clean()


PUBLIC_FORMS = {
    "field_public:report": ("status", "button.send"),
    "field_public:pulse": ("availability", "button.send"),
    "resources_public:volunteer": ("availability", "button.send"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_public_form_sent_with_errors_announces_them_and_ties_each_radio_group_to_its_error(
        checkers, site, screenshot_dir, language):
    urls = public_urls(site.cast)
    for name, (group, send) in PUBLIC_FORMS.items():
        page = site.context(language).new_page()
        page.goto(site.url(urls[name]))
        site.watch.expect_status(site.url(urls[name]), 422)
        page.locator(send).click()
        summary = page.locator("main .error-summary[role=alert]")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        page.screenshot(path=str(screenshot_dir / f"a11y_errors_{name.split(':')[1]}_{language}.png"))
        legend = page.locator(f"fieldset:has(input[name={group}]) legend").inner_text()
        link = summary.locator("a", has_text=legend)
        expect(link).to_have_count(1)
        error = described_by(page, page.locator(f"fieldset:has(input[name={group}])"))
        assert error and error in summary.inner_text(), (name, error)
        link.click()
        expect(page.locator(f"input[name={group}]").first).to_be_focused()
        assert run_axe(page) == [], name
        page.close()
    site.assert_clean()


def test_after_an_htmx_save_on_the_checklist_the_focus_is_back_on_the_items_control(site, carried):
    page = site.sign_in(site.context("he"), carried.team)
    page.goto(site.url(f"/a/{carried.authority.slug}/checklist/"))
    item = page.locator("#item-7")
    item.locator("summary").click()
    site.watch.expect_status(site.url(f"/a/{carried.authority.slug}/checklist/7/"), 422)
    # Sent without a status: the answer comes back in place with the error, and the focus on the status to choose.
    item.locator("button[type=submit]").click()
    expect(item.locator(".errorlist")).to_be_visible()
    expect(item.locator("input[type=radio]").first).to_be_focused()
    assert described_by(page, item.locator("fieldset")) == item.locator(".errorlist").first.inner_text()
    item.locator("input[type=radio][value=partly]").check()
    item.locator("button[type=submit]").click()
    expect(item.locator(".saved[role=status]")).to_be_visible()
    expect(item.locator("summary")).to_be_focused()
    assert item.locator("details.answer-form").get_attribute("open") is None
    # Keyboard only from here: Enter opens the answer again, as it was.
    page.keyboard.press("Enter")
    expect(item.locator("input[type=radio][value=partly]")).to_be_checked()
    site.assert_clean()


def test_the_public_token_pages_have_the_skip_link(site):
    for name, url in public_urls(site.cast).items():
        page = site.context("ar").new_page()
        page.goto(site.url(url))
        page.keyboard.press("Tab")
        skip = page.locator("a.skip")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()
        assert page.url.endswith("#main"), name
        page.close()
    site.assert_clean()
