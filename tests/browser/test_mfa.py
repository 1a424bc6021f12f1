"""Two-step sign-in in a real browser: a manager is asked after her password, sets up an authenticator app from
the QR page (the key read off the page), keeps her recovery codes, and signs in again with a code; a passkey
through Chromium's virtual authenticator; every page at phone width in Hebrew, Arabic and English."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from playwright.sync_api import expect

from conftest import PASSWORD
from hosen.accounts.models import Membership, Role, User
from hosen.accounts.two_step import totp_code

PHONE_WIDTH = 360


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # allauth's used-code marks, per user id, outlive a flushed database


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def password_step(site, page, user):
    page.goto(site.url("/accounts/login/"))
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()


def enrol_app(site, page, shots=None):
    """From the request to set it up: the password again, the QR page, a code typed. Returns the key."""
    page.locator("a[href='/accounts/2fa/totp/activate/']").first.click()
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    qr = page.locator(".qr img")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle()), "the QR code shows"
    secret = page.locator("#authenticator_secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    if shots:
        shots("activate")
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    return secret


def test_a_manager_sets_up_an_authenticator_app_and_signs_in_with_its_code(site):
    cast = site.cast
    page = site.context().new_page()
    password_step(site, page, cast.manager)
    page.wait_for_url(re.compile(r"/two-step/\?next="))
    expect(page.locator("button[name=later]")).to_be_visible()

    secret = enrol_app(site, page)
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"\d{8}", c) for c in codes)
    page.locator("#two-step-continue").click()  # go on to where she was going
    page.wait_for_url(site.url("/a/alpha/"))

    site.sign_out(page)
    password_step(site, page, cast.manager)
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    site.watch.expect_status(site.url("/accounts/2fa/authenticate/"), 422)  # refused, as forms are
    page.locator("input[name=code]").fill(wrong)
    page.locator("form.two-step-code button[type=submit]").click()
    expect(page.locator("main .errorlist")).to_be_visible()
    assert page.url == site.url("/accounts/2fa/authenticate/")

    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("form.two-step-code button[type=submit]").click()
    page.wait_for_url(site.url("/a/alpha/"))
    expect(page.locator("form.signout")).to_be_visible()
    site.assert_clean()


def test_a_passkey_from_the_phone_signs_in(site, settings):
    # Chromium's virtual authenticator stands in for the phone's screen lock. The live server is plain HTTP on
    # localhost, which browsers treat as secure; production is HTTPS.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    cast = site.cast
    context = site.context("en")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})

    password_step(site, page, cast.coordinator)
    page.wait_for_url(re.compile(r"/two-step/\?next="))
    page.locator("a[href='/accounts/2fa/webauthn/add/']").click()
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/webauthn/add/$"))
    page.locator("input[name=name]").fill("My phone")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    assert Authenticator.objects.filter(user=cast.coordinator, type="webauthn").count() == 1

    site.sign_out(page)
    password_step(site, page, cast.coordinator)
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.locator("#mfa_webauthn_authenticate").click()
    page.wait_for_url(site.url("/network/"))
    site.assert_clean()


@pytest.mark.parametrize("language", ["he", "ar", "en"])
def test_two_step_pages_at_phone_width(site, screenshot_dir, language):
    cast = site.cast
    user = User.objects.create_user(f"manager-{language}@test.org", PASSWORD, full_name=f"manager {language}")
    Membership.objects.create(user=user, role=Role.MANAGER, authority=cast.authority)
    page = site.context(language).new_page()
    wide = []

    def shot(name):
        page.screenshot(path=str(screenshot_dir / f"mfa-{language}-{name}.png"), full_page=True)
        assert site.html_lang_dir(page)[0] == language
        if not fits(page):
            wide.append(name)

    password_step(site, page, user)
    page.wait_for_url(re.compile(r"/two-step/\?next="))
    shot("asked")
    secret = enrol_app(site, page, shots=shot)
    shot("recovery-codes")
    page.goto(site.url("/accounts/2fa/"))
    shot("index")
    site.sign_out(page)
    password_step(site, page, user)
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
    shot("code")
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("form.two-step-code button[type=submit]").click()
    page.wait_for_url(site.url("/a/alpha/"))
    assert not wide, f"horizontal scroll at {PHONE_WIDTH}px in {language}: {wide}"
    site.assert_clean()
