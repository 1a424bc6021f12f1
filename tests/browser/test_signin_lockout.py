"""A sign-in locked after too many wrong passwords: the page says why, for how long and what to do."""

import pytest
from django.core.cache import caches

from conftest import PASSWORD


@pytest.fixture
def limits_on(settings):
    settings.AXES_ENABLED = True
    caches["default"].clear()
    yield
    caches["default"].clear()


def _submit(page, url, email, password):
    page.goto(url)
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_a_locked_out_member_is_told_what_to_do_in_her_language(site, limits_on, screenshot_dir):
    login = site.url("/accounts/login/")
    guesser = site.context("en").new_page()
    for n in range(10):
        if n == 5:
            caches["default"].clear()  # five minutes pass: allauth's short count is over, axes' is not
        site.watch.expect_status(login, 429)
        _submit(guesser, login, site.cast.team.email, f"wrong {n}")
    assert guesser.locator("h1").inner_text() == "Signing in to this account is paused"

    for language, direction in [("he", "rtl"), ("ar", "rtl"), ("en", "ltr")]:
        page = site.context(language).new_page()
        _submit(page, login, site.cast.team.email, PASSWORD)
        assert site.html_lang_dir(page) == (language, direction)
        assert page.locator("main [role=alert] h1").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(screenshot_dir / f"signin-paused-{language}.png"), full_page=True)

    page.get_by_role("link", name="Set a new password").click()
    page.wait_for_url(site.url("/accounts/password/reset/"))
    site.assert_clean()


def test_allauths_limit_answers_with_hosens_page(site, settings, limits_on, screenshot_dir):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "1/m/ip"}
    reset = site.url("/accounts/password/reset/")
    for language, direction in [("he", "rtl"), ("ar", "rtl"), ("en", "ltr")]:
        caches["default"].clear()
        page = site.context(language).new_page()
        site.watch.expect_status(reset, 429)
        for _ in range(2):
            page.goto(reset)
            page.locator("input[name=email]").fill("nobody@example.org")
            page.locator("main form button[type=submit]").click()
            page.wait_for_load_state()
        assert site.html_lang_dir(page) == (language, direction)
        assert page.locator("main [role=alert] h1").is_visible()
        page.screenshot(path=str(screenshot_dir / f"too-many-tries-{language}.png"), full_page=True)
    assert page.locator("main h1").inner_text() == "Too many tries in a short time"
    site.assert_clean()
