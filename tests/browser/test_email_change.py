"""A manager changes her sign-in address in a real browser: the footer's link, the new address, her password
again, the link e-mailed to the new address, and the new address signs her in. Every page at phone width
in Hebrew, Arabic and English."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from conftest import PASSWORD

PHONE_WIDTH = 360


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # allauth's per-user counts outlive a flushed database


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


@pytest.mark.parametrize("language", ["he", "ar", "en"])
def test_a_manager_changes_her_address_through_the_link_sent_to_it(site, language, screenshot_dir):
    cast = site.cast
    context = site.context(language)
    page = site.sign_in(context, cast.manager)

    def shot(name):
        assert fits(page), f"{name} is wider than a phone in {language}"
        page.screenshot(path=str(screenshot_dir / f"email-{name}-{language}.png"), full_page=True)

    page.locator("footer a[href='/accounts/email/']").click()
    page.wait_for_url(re.compile(r"/accounts/email/$"))
    assert site.html_lang_dir(page) == (language, "ltr" if language == "en" else "rtl")
    shot("email-page")

    # Someone else's address: refused on the page (422), with her typing kept.
    site.watch.expect_status(site.url("/accounts/email/"), 422)
    page.locator("input[name=email]").fill(cast.team.email)
    with page.expect_navigation():
        page.locator("button[name=action_add]").click()
    assert page.locator("main .errorlist").count() == 1
    assert page.locator("input[name=email]").input_value() == cast.team.email
    shot("email-refused")

    # Her new address: her password again first (the sign-in may be old), then the link goes out.
    page.locator("input[name=email]").fill("manager@new-job.org")
    page.locator("button[name=action_add]").click()
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    shot("reauthenticate")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/email/$"))
    assert page.locator("main .pending").is_visible()
    shot("email-pending")
    message = mail.outbox[-1]
    assert message.to == ["manager@new-job.org"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)

    page.goto(site.url("/accounts/confirm-email/"))  # allauth's "verification sent" page
    shot("verification-sent")

    page.goto(link)
    shot("confirm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/email/$"))
    assert page.locator("main .address").first.inner_text().strip() == "manager@new-job.org"
    shot("email-changed")

    site.sign_out(page)
    cast.manager.email = "manager@new-job.org"
    site.sign_in(context, cast.manager)
    site.assert_clean()
