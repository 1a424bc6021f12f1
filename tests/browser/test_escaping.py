"""Markup typed into a name stays text in a real browser: an emergency named with a meta refresh sends
nobody elsewhere, runs nothing, and reads as the words that were typed, in its own direction."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from hosen.resources.models import Person

PHONE_WIDTH = 360
NAME = 'מלחמה <meta http-equiv="refresh" content="0;url=about:blank"><img src=x onerror="document.title=1">'


@pytest.fixture
def planted(site):
    cast = site.cast
    with scopes_disabled():
        cast.emergency.name = NAME
        cast.emergency.save(update_fields=["name"])
        Person.objects.create(authority=cast.authority, name="<b>דנה</b> <script>document.title=1</script>",
                              kind="staff")
    return cast


@pytest.mark.parametrize("language", ["he", "ar", "en"])
def test_a_name_with_markup_reads_as_text_and_does_nothing(site, planted, screenshot_dir, language):
    page = site.sign_in(site.context(language), planted.team)
    path = f"/a/{planted.authority.slug}/people/new/"
    page.goto(site.url(path))
    help_text = page.locator("#id_availability_helptext")
    expect(help_text.locator("bdi")).to_have_text(NAME)
    page.wait_for_timeout(500)  # a meta refresh with 0 seconds would have left by now
    assert page.url == site.url(path)
    assert page.title() != "1"
    assert page.locator("body meta, body img[src=x]").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page scrolls sideways: {width}px"
    help_text.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"escaped_emergency_name_{language}.png"))

    page.goto(site.url(f"/a/{planted.authority.slug}/people/"))
    expect(page.locator("main")).to_contain_text("<b>דנה</b> <script>document.title=1</script>")
    assert page.locator("main b:text('דנה')").count() == 0 and page.title() != "1"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the people list scrolls sideways: {width}px"
    page.screenshot(path=str(screenshot_dir / f"escaped_person_name_{language}.png"), full_page=True)
    site.assert_clean()
