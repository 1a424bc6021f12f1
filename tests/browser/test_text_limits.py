"""Nothing typed is lost or cut, in a real browser: a long text is counted near its limit and pasted whole
past it, the server says the limit, and a report typed on a link revoked meanwhile comes back to copy —
then again from the phone's kept draft when the dead link is opened.

Uses the live server, the watched browser contexts and the skip rules of tests/browser/conftest.py.
"""

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from hosen.field.models import ReportLink, SiteStatus
from hosen.field.tests.matrix_links import make_link, make_site
from hosen.plan.models import Activity


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the live server counts in this process's cache
    yield
    cache.clear()


def test_a_long_note_is_counted_never_cut_and_refused_with_its_limit(site):
    cast = site.cast
    page = site.sign_in(site.context("en"), cast.manager)
    new = site.url(f"/a/{cast.authority.slug}/plan/new/")
    site.watch.expect_status(new, 200, 422)  # a form sent back with its errors
    page.goto(new)
    notes = page.locator("textarea[name=notes]")
    assert notes.get_attribute("maxlength") is None and notes.get_attribute("data-maxlength") == "2000"

    notes.fill("a" * 1500)  # under 80%: nothing to say
    expect(page.locator(".char-count:visible")).to_have_count(0)
    notes.fill("a" * 1700)
    counter = page.locator(".char-count")
    expect(counter).to_have_text("Characters left: 300")
    assert notes.get_attribute("aria-describedby").endswith(counter.get_attribute("id"))

    # A paste far past the limit stays whole; a line break counts two, as the browser sends it.
    notes.fill("a" * 2050 + "\n" + "b" * 9)
    expect(counter).to_have_text("Too long. Characters to remove: 61")
    expect(counter).to_have_class("char-count over")
    assert len(notes.input_value()) == 2060
    expect(page.locator(".char-count-live[aria-live=polite]")).to_have_text("Too long. Characters to remove: 61")

    page.fill("input[name=name]", "Robotics in the shelter")
    page.locator("input[name=kind]").first.check()
    page.locator("input[name=audience]").first.check()
    page.locator("form:has(textarea[name=notes]) [type=submit]").last.click()
    expect(page.get_by_text("Ensure this value has at most 2000 characters (it has 2061).")).to_be_visible()
    expect(page.locator("textarea[name=notes]")).to_have_value("a" * 2050 + "\n" + "b" * 9)
    expect(page.locator(".char-count")).to_have_text("Too long. Characters to remove: 61")  # said at once
    with scopes_disabled():
        assert not Activity.objects.exists()

    # Shortened to the limit exactly, it is saved.
    page.locator("textarea[name=notes]").fill("a" * 1990 + "\n" + "b" * 8)
    expect(page.locator(".char-count")).to_have_text("Characters left: 0")
    page.locator("form:has(textarea[name=notes]) [type=submit]").last.click()
    page.wait_for_url(lambda url: "/plan/new/" not in url)
    with scopes_disabled():
        assert Activity.objects.get().notes == "a" * 1990 + "\r\n" + "b" * 8
    site.assert_clean()


def test_a_report_on_a_link_revoked_meanwhile_comes_back_then_again_from_the_phone(site, screenshot_dir):
    cast = site.cast
    school = make_site(cast.authority, "בית ספר אלון")
    link = make_link(cast.authority, cast.emergency, site=school)
    url = site.url(f"/r/{link.token}/")
    phone = site.context("he").new_page()
    phone.goto(url)
    phone.locator("input[name=status][value=partial]").check()
    note = "הגג בכיתה ג׳ דולף.\nצריך טכנאי עד מחר בבוקר."
    phone.fill("textarea[name=note]", note)
    phone.fill("input[name=reporter_name]", "יוסי כהן")

    with scopes_disabled():
        ReportLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    site.watch.expect_status(url, 410)
    phone.locator("button.send").click()
    expect(phone.locator("#typed-text")).to_be_visible()
    text = phone.locator("#typed-text").input_value()
    assert f"הערה\n{note}" in text and "יוסי כהן" in text
    assert phone.locator("#typed-text").get_attribute("readonly") is not None
    with scopes_disabled():
        assert not SiteStatus.objects.filter(via_link=link).exists()

    # Opened again later, the dead link shows the draft this phone kept, to copy or to delete.
    phone.goto(url)
    kept = phone.locator("[data-kept-draft]")
    expect(kept).to_be_visible()
    assert f"הערה\n{note}" in phone.locator("#typed-text").input_value()
    expect(kept.locator("dd", has_text="טכנאי")).to_be_visible()
    phone.screenshot(path=str(screenshot_dir / "revoked-link-draft-he.png"), full_page=True)
    kept.locator("[data-forget-draft]").click()
    expect(kept).to_be_hidden()
    assert phone.evaluate(f"localStorage.getItem('hosen-keep:report-{link.token}')") is None
    phone.reload()
    expect(phone.locator("[data-kept-draft]")).to_be_hidden()
    site.assert_clean()
