"""No lost work, as people click it: two colleagues on one need, a draft that survives the tab, a double tap.

Uses the live server, the watched browser contexts and the skip rules of tests/browser/conftest.py."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from hosen.field.models import Need


@pytest.fixture
def need(site):
    cast = site.cast
    with scopes_disabled():
        return Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                   category="equipment", description="מחשבים ניידים לכיתה ח׳", urgency=2)


def no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width}px wide on a {viewport}px phone"


@pytest.mark.parametrize("language", ["he", "ar", "en"])
def test_two_colleagues_edit_one_need_and_the_second_merges_on_the_conflict_view(site, need, language,
                                                                                 screenshot_dir):
    cast = site.cast
    edit_path = f"/a/{cast.authority.slug}/needs/{need.pk}/edit/"
    manager = site.sign_in(site.context(language), cast.manager)
    team = site.sign_in(site.context(language), cast.team)
    manager.goto(site.url(edit_path))
    team.goto(site.url(edit_path))

    team.fill("textarea[name=description]", "מחשבים ניידים — 12 יחידות, עד יום חמישי")
    team.locator("form.need-form button[type=submit]").click()
    team.wait_for_url(lambda url: url.endswith(f"/needs/{need.pk}/"))

    manager.fill("textarea[name=description]", "מחשבים ניידים ומטענים לכיתה ח׳")
    site.watch.expect_status(site.url(edit_path), 409)
    manager.locator("form.need-form button[type=submit]").click()
    conflict = manager.locator("section.conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("12 יחידות")  # what is saved now
    expect(conflict).to_contain_text("ומטענים")  # hers, side by side
    expect(manager.locator("textarea[name=description]")).to_have_value("מחשבים ניידים ומטענים לכיתה ח׳")
    no_horizontal_scroll(manager)
    manager.screenshot(path=screenshot_dir / f"conflict-need-{language}.png", full_page=True)
    with scopes_disabled():
        assert Need.objects.get(pk=need.pk).description.startswith("מחשבים ניידים — 12 יחידות")

    # She merges both and saves again from the conflict view: it applies.
    manager.fill("textarea[name=description]", "מחשבים ניידים ומטענים — 12 יחידות, עד יום חמישי")
    manager.locator("form.need-form button[type=submit]").click()
    manager.wait_for_url(lambda url: url.endswith(f"/needs/{need.pk}/"))
    with scopes_disabled():
        assert Need.objects.get(pk=need.pk).description == "מחשבים ניידים ומטענים — 12 יחידות, עד יום חמישי"
    site.assert_clean()


def test_a_new_need_typed_and_left_comes_back_and_a_double_tap_adds_one(site, screenshot_dir):
    cast = site.cast
    new_path = f"/a/{cast.authority.slug}/needs/new/"
    context = site.context("he")
    page = site.sign_in(context, cast.team)
    page.goto(site.url(new_path))
    page.locator("input[name=audience][value=students]").check()
    page.select_option("select[name=category]", "equipment")
    page.fill("textarea[name=description]", "ערכות ניסויים לכיתות ט׳ — הוקלד בלחץ")

    # The tab is closed by mistake; she opens the form again.
    page.close()
    page = context.new_page()
    page.goto(site.url(new_path))
    expect(page.locator("textarea[name=description]")).to_have_value("ערכות ניסויים לכיתות ט׳ — הוקלד בלחץ")
    expect(page.locator(".kept-notice")).to_be_visible()
    page.screenshot(path=screenshot_dir / "kept-draft-he.png", full_page=True)

    page.locator("form.need-form button[type=submit]").dblclick()
    page.wait_for_url(lambda url: "/needs/" in url and "/new/" not in url)
    # Back to the form and sent again: still one need.
    page.go_back()
    page.wait_for_load_state()
    if page.locator("textarea[name=description]").input_value() == "":
        page.fill("textarea[name=description]", "ערכות ניסויים לכיתות ט׳ — הוקלד בלחץ")
        page.locator("input[name=audience][value=students]").check()
        page.select_option("select[name=category]", "equipment")
    page.locator("form.need-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/new/" not in url)
    with scopes_disabled():
        assert Need.objects.filter(description="ערכות ניסויים לכיתות ט׳ — הוקלד בלחץ").count() == 1

    # Saved: the draft is forgotten, the form is empty again.
    page.goto(site.url(new_path))
    expect(page.locator("textarea[name=description]")).to_have_value("")
    expect(page.locator(".kept-notice")).to_have_count(0)
    site.assert_clean()
