"""Reports from the field without an account: a phone sends a quick report, the manager sees it arrive.

Uses the live server, the watched browser contexts and the skip rules of tests/browser/conftest.py.
"""

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from hosen.field.models import Need, SiteStatus
from hosen.field.tests.matrix_links import make_link, make_pulse, make_site

PHONE_WIDTH = 360


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the live server counts in this process's cache
    yield
    cache.clear()


def no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px phone"


@pytest.fixture
def field(site):
    cast = site.cast
    return {
        "school": make_site(cast.authority, "בית ספר אלון", area="צפון"),
        "kindergarten": make_site(cast.authority, "גן שקד", kind="kindergarten", area="צפון"),
        "elsewhere": make_site(cast.authority, "מרכז מדעים בדרום", kind="stem_centre", area="דרום"),
        "link": make_link(cast.authority, cast.emergency, group_area="צפון"),
    }


def test_a_phone_reports_and_the_manager_sees_it_arrive(site, field, screenshot_dir):
    cast = site.cast
    manager = site.sign_in(site.context(), cast.manager)
    manager.goto(site.url(f"/a/{cast.authority.slug}/sites/"))
    school_card = manager.locator("li.site-card", has=manager.locator("a", has_text="בית ספר אלון"))
    expect(school_card).to_be_visible()
    expect(school_card.locator(".status.site-st-partial")).to_have_count(0)

    phone = site.context("he").new_page()
    phone.goto(site.url(f"/r/{field['link'].token}/"))
    assert site.html_lang_dir(phone) == ("he", "rtl")
    options = phone.locator("select[name=site] option").all_inner_texts()
    assert "בית ספר אלון" in options and "גן שקד" in options
    assert "מרכז מדעים בדרום" not in phone.content()  # not in this group: never shown
    no_horizontal_scroll(phone)

    phone.select_option("select[name=site]", label="בית ספר אלון")
    phone.locator("input[name=status][value=partial]").check()
    phone.fill("input[name=present]", "140")
    phone.fill("input[name=evacuated]", "35")
    phone.locator("details.needs > summary").click()
    phone.locator("input[name=need_categories][value=equipment]").check()
    phone.fill("input[name=need_description]", "20 מחשבים ניידים לתלמידים מפונים")
    phone.locator("input[name=urgency][value='4']").check()
    phone.locator("input[name=is_emerging]").check()
    phone.fill("input[name=reporter_name]", "רונית, מנהלת")
    phone.screenshot(path=str(screenshot_dir / "field_report_filled_he.png"), full_page=True)
    phone.locator("button.send").click()
    phone.wait_for_url(lambda url: "?sent=" in url)
    expect(phone.locator(".thanks h1")).to_be_visible()
    expect(phone.locator(".thanks")).to_contain_text("בית ספר אלון")
    no_horizontal_scroll(phone)
    phone.screenshot(path=str(screenshot_dir / "field_report_group_thanks_he.png"), full_page=True)

    with scopes_disabled():
        report = SiteStatus.objects.get(via_link=field["link"])
        need = Need.objects.get(via_link=field["link"])
    assert (report.site, report.status, report.present, report.evacuated) == (field["school"], "partial", 140, 35)
    assert report.reporter_name == "רונית, מנהלת"
    assert (need.category, need.urgency, need.is_emerging, need.site) == ("equipment", 4, True, field["school"])

    # The manager's board, reloaded, shows the new status; the needs register shows the need.
    manager.reload()
    expect(school_card.locator(".status.site-st-partial")).to_be_visible()
    expect(school_card).to_contain_text("140")
    manager.goto(site.url(f"/a/{cast.authority.slug}/needs/"))
    expect(manager.locator("li.need", has_text="20 מחשבים ניידים לתלמידים מפונים")).to_be_visible()

    # "Send another report" gives a fresh, empty form (what was kept is gone after sending).
    phone.locator("main .actions a.button").click()
    phone.wait_for_url(site.url(f"/r/{field['link'].token}/"))
    assert phone.input_value("input[name=present]") == ""
    assert phone.locator("input[name=status]:checked").count() == 0
    site.assert_clean()


def test_what_was_typed_survives_a_reload_and_a_double_tap_sends_once(site, field):
    phone = site.context("he").new_page()
    url = site.url(f"/r/{field['link'].token}/")
    phone.goto(url)
    key = phone.input_value("input[name=submission]")
    phone.select_option("select[name=site]", label="גן שקד")
    phone.locator("input[name=status][value=hosting]").check()
    phone.fill("input[name=hosted]", "25")
    phone.fill("textarea[name=note]", "הגיעו משפחות מהצפון, צריך מזרנים")
    phone.locator("details.needs > summary").click()
    phone.locator("input[name=need_categories][value=food]").check()
    phone.fill("input[name=need_description]", "מזרנים ושמיכות")

    phone.reload()  # the connection dropped, the page came back: nothing typed is lost
    assert phone.input_value("textarea[name=note]") == "הגיעו משפחות מהצפון, צריך מזרנים"
    assert phone.input_value("input[name=hosted]") == "25"
    assert phone.input_value("select[name=site]") == str(field["kindergarten"].pk)
    assert phone.locator("input[name=status][value=hosting]").is_checked()
    assert phone.locator("details.needs").get_attribute("open") is not None
    assert phone.locator("input[name=need_categories][value=food]").is_checked()
    # The form keeps its key, so sending after a lost answer cannot store the report twice.
    assert phone.input_value("input[name=submission]") == key
    csrf = phone.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    stored = phone.evaluate(f"localStorage.getItem('hosen-keep:report-{field['link'].token}')")
    assert "csrfmiddlewaretoken" not in stored and csrf not in stored

    # A double tap: the button rests after the first tap.
    with phone.expect_navigation():
        phone.locator("button.send").dblclick()
    phone.wait_for_url(lambda u: "?sent=" in u)
    with scopes_disabled():
        assert SiteStatus.objects.filter(via_link=field["link"]).count() == 1
        assert Need.objects.filter(via_link=field["link"]).count() == 1
    assert phone.evaluate(f"localStorage.getItem('hosen-keep:report-{field['link'].token}')") is None

    # The same form sent again (e.g. the first answer was lost on the way back): still one report.
    phone.goto(url)
    phone.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [f"hosen-keep:report-{field['link'].token}", stored],
    )
    phone.reload()
    assert phone.input_value("input[name=submission]") == key
    phone.locator("button.send").click()
    phone.wait_for_url(lambda u: "?sent=" in u)
    with scopes_disabled():
        assert SiteStatus.objects.filter(via_link=field["link"]).count() == 1
    site.assert_clean()


@pytest.mark.parametrize("language", ["he", "ar"])
def test_screenshots_of_the_token_forms(site, field, screenshot_dir, language):
    cast = site.cast
    _pulse, (dana,) = make_pulse(cast.authority, cast.emergency, people=[("דנה לוי", "050-1234567")],
                                 title="מי יכול לעבוד השבוע?")
    site_link = make_link(cast.authority, cast.emergency, site=field["school"])
    phone = site.context(language).new_page()

    phone.goto(site.url(f"/r/{site_link.token}/"))
    assert site.html_lang_dir(phone) == (language, "rtl")
    no_horizontal_scroll(phone)
    phone.screenshot(path=str(screenshot_dir / f"field_report_form_{language}.png"), full_page=True)
    phone.locator("input[name=status][value=open]").check()
    phone.fill("input[name=present]", "300")
    phone.locator("button.send").click()
    phone.wait_for_url(lambda u: "?sent=" in u)
    no_horizontal_scroll(phone)
    phone.screenshot(path=str(screenshot_dir / f"field_report_thanks_{language}.png"), full_page=True)

    phone.goto(site.url(f"/p/{dana.token}/"))
    expect(phone.locator("h1")).to_contain_text("דנה לוי")
    no_horizontal_scroll(phone)
    phone.screenshot(path=str(screenshot_dir / f"field_pulse_form_{language}.png"), full_page=True)
    phone.locator("input[name=availability][value=partly]").check()
    phone.fill("input[name=where]", "מהבית")
    phone.locator("button.send").click()
    phone.wait_for_url(lambda u: "?sent=" in u)
    phone.screenshot(path=str(screenshot_dir / f"field_pulse_thanks_{language}.png"), full_page=True)

    site.watch.expect_status(site.url("/r/no-such-token/"), 404)
    phone.goto(site.url("/r/no-such-token/"))
    expect(phone.locator("h1")).to_be_visible()
    assert cast.authority.name not in phone.content()
    phone.screenshot(path=str(screenshot_dir / f"field_link_invalid_{language}.png"), full_page=True)
    site.assert_clean()
