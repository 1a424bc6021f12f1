"""The main journeys through the real UI, on a phone-sized Chromium, in Hebrew, Arabic and English."""

import re
import uuid
from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from conftest import PASSWORD
from hosen.accounts.models import Membership, Role, User
from hosen.workmodel.models import Answer, ChecklistItem

PHONE_WIDTH = 360
LANGUAGES = ["he", "ar", "en"]


def no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE_WIDTH, width


def open_answer_form(page, number):
    item = page.locator(f"#item-{number}")
    if item.locator("details.answer-form[open]").count() == 0:
        item.locator("details.answer-form > summary").click()
    expect(item.locator(f"input[name=i{number}-status]").first).to_be_visible()
    return item


def answer(page, number, status, note):
    """Answer a checklist item in place (htmx) and wait for the swapped-in item's "saved" mark."""
    item = open_answer_form(page, number)
    item.locator(f"input[name=i{number}-status][value={status}]").check()
    item.locator(f"textarea[name=i{number}-note]").fill(note)
    with page.expect_response(lambda r: r.url.endswith(f"/checklist/{number}/") and r.request.method == "POST"):
        item.locator("button[type=submit]").click()
    expect(page.locator(f"#item-{number} .saved")).to_be_visible()
    return page.locator(f"#item-{number}")


def test_manager_journey(site):
    """Sign in, close the emergency with its lessons, open a new one, answer, start a round, see the change."""
    cast = site.cast
    page = site.sign_in(site.context(), cast.manager, expect_path="/a/alpha/")

    # a. The wheel page, in Hebrew, right to left.
    assert site.html_lang_dir(page) == ("he", "rtl")
    expect(page.locator("svg").first).to_be_visible()

    # b. Close the cast's emergency: no lessons, no closing.
    page.locator(f'main a[href="/a/alpha/emergencies/{cast.emergency.pk}/"]').click()
    page.wait_for_url(site.url(f"/a/alpha/emergencies/{cast.emergency.pk}/"))
    page.locator('main a[href$="/close/"]').click()
    close_url = site.url(f"/a/alpha/emergencies/{cast.emergency.pk}/close/")
    page.wait_for_url(close_url)
    site.watch.expect_status(close_url, 422)  # the refused form answers 422, as every refused form does
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == close_url
    expect(page.locator("main form .errorlist")).to_be_visible()
    cast.emergency.refresh_from_db()
    assert cast.emergency.is_open, "an empty lessons field closed the emergency"

    lessons = "להקים חמ\"ל קהילתי ביום הראשון. לתאם עם בתי הספר מוקדם יותר.\nלשמור רשימת מתנדבים מעודכנת."
    page.locator("textarea[name=lessons]").fill(lessons)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(site.url("/a/alpha/emergencies/"))
    cast.emergency.refresh_from_db()
    assert not cast.emergency.is_open
    assert cast.emergency.lessons.replace("\r\n", "\n") == lessons

    # ... then open a new one, with the lessons shown before it starts.
    page.goto(site.url("/a/alpha/"))
    page.locator('main a[href="/a/alpha/emergencies/new/"]').click()
    page.wait_for_url(site.url("/a/alpha/emergencies/new/"))
    expect(page.locator("main .lessons")).to_contain_text("להקים חמ\"ל קהילתי ביום הראשון")
    expect(page.locator("main .lessons")).to_contain_text("לשמור רשימת מתנדבים מעודכנת")
    name = "סופה בצפון"
    started = (timezone.localdate() - timedelta(days=1)).isoformat()
    form = page.locator("main form")
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=kind]").select_option("flood")
    form.locator("input[name=started_on]").fill(started)
    form.locator("input[name=area]").fill("שכונות המזרח")
    form.locator("select[name=severity]").select_option("2")
    form.locator("select[name=phase]").select_option("active")
    form.locator("button[type=submit]").click()
    page.wait_for_url(site.url("/a/alpha/"))
    expect(page.locator("main .emergency-card h1")).to_have_text(name)

    # c. Answer item 6 in place: htmx swaps the item, the page stays where it is.
    checklist_url = site.url("/a/alpha/checklist/")
    page.goto(checklist_url)
    page.evaluate("window.__sameDocument = true")
    # Saving without a status: the server answers 422 and htmx swaps the item in with the error, form open.
    site.watch.expect_status(site.url("/a/alpha/checklist/6/"), 422)
    item = open_answer_form(page, 6)
    with page.expect_response(lambda r: r.url.endswith("/checklist/6/") and r.request.method == "POST") as sent:
        item.locator("button[type=submit]").click()
    assert sent.value.status == 422
    expect(page.locator("#item-6 .errorlist")).to_be_visible()
    expect(page.locator("#item-6 details.answer-form")).to_have_attribute("open", "")
    expect(page.locator("#item-6 .saved")).to_have_count(0)

    note = "מיפינו את כל בתי הספר; שניים נפגעו קלות."
    item = answer(page, 6, "partly", note)
    assert page.url == checklist_url
    assert page.evaluate("window.__sameDocument === true"), "saving the answer reloaded the page"
    expect(item.locator(".status.status-partly")).to_be_visible()
    expect(item.locator(".note")).to_have_text(note)
    expect(item).to_have_class(re.compile(r"\bst-partly\b"))

    page.reload()
    item = page.locator("#item-6")
    expect(item.locator(".status.status-partly")).to_be_visible()
    expect(item.locator(".note")).to_have_text(note)
    expect(item.locator(".saved")).to_have_count(0)

    # d. A new round starts from the previous answers; a change shows on the round's page.
    page.goto(site.url("/a/alpha/rounds/"))
    page.locator("main form input[name=label]").fill("שבוע 2")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(checklist_url)
    item = page.locator("#item-6")
    expect(item).to_have_class(re.compile(r"\bcarried\b"))
    expect(item.locator(".note")).to_have_text(note)
    expect(item.locator(".status.status-partly")).to_be_visible()

    new_note = "כל בתי הספר מופו ותוקנו."
    item = answer(page, 6, "done", new_note)
    expect(item).not_to_have_class(re.compile(r"\bcarried\b"))
    expect(item.locator(".status.status-done")).to_be_visible()

    page.goto(site.url("/a/alpha/rounds/2/"))
    change = page.locator("main ol.changes > li").filter(has=page.locator(".item-num", has_text=re.compile(r"^6$")))
    expect(change).to_have_count(1)
    expect(change.locator(".status-partly")).to_be_visible()
    expect(change.locator(".status-done")).to_be_visible()
    expect(change.locator(".note")).to_have_text(new_note)
    expect(page.locator("main ol.changes > li")).to_have_count(1)
    site.assert_clean()


def test_language_switch_follows_the_account(site):
    cast = site.cast
    page = site.sign_in(site.context(), cast.manager, expect_path="/a/alpha/")
    assert site.html_lang_dir(page) == ("he", "rtl")

    page.goto(site.url("/a/alpha/checklist/"))
    page.locator("footer form.langs button[value=ar]").click()
    page.wait_for_url(site.url("/a/alpha/checklist/"))
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert site.html_lang_dir(page) == ("ar", "rtl")
    expect(page.locator("footer button[value=ar]")).to_have_attribute("aria-pressed", "true")

    page.locator("footer form.langs button[value=en]").click()
    page.wait_for_url(site.url("/a/alpha/checklist/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert site.html_lang_dir(page) == ("en", "ltr")

    page.goto(site.url("/a/alpha/"))
    assert site.html_lang_dir(page) == ("en", "ltr"), "the language did not persist to the next page"

    site.sign_out(page)
    cast.manager.refresh_from_db()
    assert cast.manager.language == "en"

    # A new phone: no cookies at all. The sign-in page is Hebrew; after signing in, her English is back.
    fresh = site.context()
    page = fresh.new_page()
    page.goto(site.url("/accounts/login/"))
    assert site.html_lang_dir(page) == ("he", "rtl")
    site.sign_in(page, cast.manager, expect_path="/a/alpha/")
    assert site.html_lang_dir(page) == ("en", "ltr")
    page.goto(site.url("/a/alpha/checklist/"))
    assert site.html_lang_dir(page) == ("en", "ltr")
    site.assert_clean()


def test_team_member_answers_and_viewer_only_reads(site):
    cast = site.cast
    page = site.sign_in(site.context(), cast.team, expect_path="/a/alpha/")
    page.goto(site.url("/a/alpha/checklist/"))
    note = "מיפוי ראשוני נעשה עם מנהלי בתי הספר."
    item = answer(page, 6, "not_yet", note)
    expect(item.locator(".status.status-not_yet")).to_be_visible()
    expect(item.locator(".note")).to_have_text(note)

    page = site.sign_in(site.context(), cast.viewer, expect_path="/a/alpha/")
    page.goto(site.url("/a/alpha/checklist/"))
    expect(page.locator("#item-6 .note")).to_have_text(note)
    expect(page.locator("ol.items > li.item")).to_have_count(41)
    expect(page.locator("details.answer-form")).to_have_count(0)
    expect(page.locator("main form[data-hx-post]")).to_have_count(0)
    site.assert_clean()


def test_private_checkin_stays_private(site):
    cast = site.cast
    marker = f"סוד-{uuid.uuid4().hex[:12]}"
    page = site.sign_in(site.context(), cast.manager, expect_path="/a/alpha/")
    page.goto(site.url("/a/alpha/checkin/"))
    form = page.locator("main form")
    form.locator("textarea[name=feeling]").fill(f"עייפה אבל יציבה. {marker}")
    form.locator("input[name=stability][value='3']").check()
    form.locator("select[name=team_readiness]").select_option("R2")
    form.locator("button[type=submit]").click()
    page.wait_for_url(site.url("/a/alpha/checkin/"))
    expect(page.locator("main article.entry")).to_contain_text(marker)

    # A second manager of the same authority: she has a check-in page of her own, and the audit history.
    co_manager = User.objects.create_user("manager2@test.org", PASSWORD, full_name="manager2")
    Membership.objects.create(user=co_manager, role=Role.MANAGER, authority=cast.authority)

    pages = ["/a/alpha/", "/a/alpha/checklist/", "/a/alpha/stages/1/", "/a/alpha/history/", "/network/",
             "/a/alpha/checkin/"]
    allowed = {
        cast.network_admin: set(pages) - {"/a/alpha/checkin/", "/a/alpha/history/"},
        cast.team: set(pages) - {"/a/alpha/checkin/", "/a/alpha/history/", "/network/"},
        co_manager: set(pages) - {"/network/"},
    }
    for user, may_open in allowed.items():
        other = site.sign_in(site.context(), user)
        for path in pages:
            forbidden = path not in may_open
            if forbidden:
                site.watch.expect_status(site.url(path), 403, 404)
            response = other.goto(site.url(path))
            if forbidden:
                assert response.status in (403, 404), f"{user.email} opened {path}: {response.status}"
            else:
                assert response.status == 200, f"{user.email} could not open {path}: {response.status}"
            assert marker not in other.content(), f"{user.email} read the private check-in on {path}"
    site.assert_clean()


def test_phone_screens(site, screenshot_dir):
    """Screenshots at 360 px of the main screens in each language, and none of them scrolls sideways.

    One signed-in context per person, its language switched by the language cookie between rounds."""
    cast = site.cast
    with scopes_disabled():  # some answers, so the screenshots show states and notes
        for number, status, note in [(2, "done", "עשיתי סדר בלוח הזמנים."), (6, "partly", "חלקי: הצפון עדיין לא."),
                                     (7, "not_yet", "")]:
            Answer.objects.create(authority=cast.authority, round=cast.round,
                                  item=ChecklistItem.objects.get(number=number), status=status, note=note,
                                  answered_by=cast.manager, answered_at=timezone.now())

    anonymous = site.context().new_page()
    manager = site.sign_in(site.context(), cast.manager, expect_path="/a/alpha/")
    admin = site.sign_in(site.context(), cast.network_admin, expect_path="/network/")
    screens = [(anonymous, "/accounts/login/", "login"), (manager, "/a/alpha/", "wheel"),
               (manager, "/a/alpha/checklist/", "checklist"), (manager, "/a/alpha/stages/1/", "stage-1"),
               (manager, "/a/alpha/checkin/", "checkin"), (admin, "/network/", "network")]
    overflowing = []
    for language in LANGUAGES:
        for page in (anonymous, manager, admin):
            page.context.add_cookies([{"name": "django_language", "value": language, "url": site.base_url}])
        for page, path, name in screens:
            response = page.goto(site.url(path))
            assert response.status == 200, f"{path}: {response.status}"
            assert site.html_lang_dir(page) == (language, "ltr" if language == "en" else "rtl"), path
            page.screenshot(path=str(screenshot_dir / f"{language}-{name}.png"), full_page=True)
            fits, width = no_horizontal_scroll(page)
            if not fits:
                overflowing.append(f"{language} {path} is {width}px wide")

    assert not overflowing, f"horizontal scroll at {PHONE_WIDTH}px: " + "; ".join(overflowing)
    site.assert_clean()


def test_the_browser_finds_an_icon(site):
    page = site.context().new_page()
    page.goto(site.url("/accounts/login/"))
    icon = page.locator("link[rel~=icon]")
    href = icon.first.get_attribute("href") if icon.count() else "/favicon.ico"
    if href.startswith("data:"):
        return
    response = page.request.get(page.evaluate("(href) => new URL(href, location.href).href", href))
    assert response.status == 200, f"the page's icon {href} answers {response.status}"
