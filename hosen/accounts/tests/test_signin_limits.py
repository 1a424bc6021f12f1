"""Sign-in limits behind a TLS proxy: nobody can switch off everyone's sign-in.

Every visitor reaches Hosen through the proxy, so REMOTE_ADDR is the proxy's address for all of them; the
proxy appends the real client's address to X-Forwarded-For, and settings.CLIENT_IP_HEADER names that header.
"""

import os
import re
import subprocess
import sys

import pytest
from allauth.account.adapter import get_adapter
from axes.models import AccessAttempt
from django.core.cache import caches
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from conftest import PASSWORD
from hosen.accounts.models import User
from hosen.client_address import client_ip
from hosen.field.tests.matrix_links import make_link, make_site

PROXY = "10.0.0.1"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _limits_on(settings):
    """Axes and the rate limits as in production; every test starts with empty counters."""
    settings.AXES_ENABLED = True
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


def behind_proxy(client_address, spoofed=None):
    """Request headers as the proxy passes them on: a spoofed value the client sent comes first."""
    chain = f"{spoofed}, {client_address}" if spoofed else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def sign_in(email, password, client_address="198.51.100.7", client=None, **headers):
    client = client or Client()
    response = client.post(LOGIN, {"login": email, "password": password}, **behind_proxy(client_address), **headers)
    return client, response


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_failed_sign_ins_with_made_up_emails_lock_no_real_user(cast):
    for n in range(15):
        _, response = sign_in(f"nobody{n}@example.org", "guess", client_address=f"203.0.113.{n + 1}")
        assert response.status_code == 200  # the form again, with its error
    # Even from the address that sent them all.
    for n in range(12):
        sign_in(f"ghost{n}@example.org", "guess", client_address="203.0.113.99")
    client, response = sign_in("manager@test.org", PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    client, response = sign_in("team@test.org", PASSWORD, client_address="203.0.113.99")
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_a_morning_of_sign_ins_from_one_address_all_pass(cast):
    users = [User.objects.create_user(f"m{n}@test.org", PASSWORD, full_name=f"M {n}") for n in range(40)]
    for user in users:
        # No proxy header at all: the whole morning shares one address.
        client = Client()
        response = client.post(LOGIN, {"login": user.email, "password": PASSWORD}, REMOTE_ADDR=PROXY)
        assert response.status_code == 302, user.email
        assert signed_in(client)


def fail(email, times, client_address="198.51.100.7"):
    """`times` wrong passwords for `email` from one client, spread over time as a patient guesser would.

    allauth refuses a sixth failure from one place within five minutes before axes ever sees it; emptying
    its counters after every fifth stands for those five minutes passing (axes' counts are in the database).
    """
    for n in range(times):
        if n and n % 5 == 0:
            caches["default"].clear()
        sign_in(email, f"wrong {n}", client_address)


def assert_lock_page(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "Signing in to this account is paused" in html
    assert "60 minutes" in html
    assert 'href="/accounts/password/reset/"' in html
    assert '<html lang="en"' in html and "</main>" in html  # Hosen's own page, not axes' bare sentence


@pytest.mark.django_db
def test_ten_wrong_passwords_lock_the_account_from_that_address_only(cast):
    fail("manager@test.org", 10, client_address="203.0.113.50")
    client, response = sign_in("manager@test.org", PASSWORD, client_address="203.0.113.50")
    assert not signed_in(client)
    assert_lock_page(response)
    # Its owner, elsewhere, signs in; other accounts from the guesser's address too.
    client, response = sign_in("manager@test.org", PASSWORD, client_address="198.51.100.20")
    assert response.status_code == 302 and signed_in(client)
    client, response = sign_in("team@test.org", PASSWORD, client_address="203.0.113.50")
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_nine_wrong_passwords_do_not_lock_and_a_success_forgets_them(cast):
    fail("manager@test.org", 9)
    client, response = sign_in("manager@test.org", PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    caches["default"].clear()
    fail("manager@test.org", 9)
    client, response = sign_in("manager@test.org", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_guessing_spread_over_many_addresses_locks_the_account_everywhere(cast):
    for n in range(3):
        fail("manager@test.org", 10, client_address=f"203.0.113.{60 + n}")
    client, response = sign_in("manager@test.org", PASSWORD, client_address="198.51.100.20")
    assert_lock_page(response)
    assert not signed_in(client)
    # Only that account.
    client, response = sign_in("team@test.org", PASSWORD, client_address="198.51.100.20")
    assert signed_in(client)


@pytest.mark.django_db
def test_tries_while_locked_do_not_count_towards_the_account(cast):
    # One address keeps trying long after its lock: it adds ten to the account's count, not more.
    fail("manager@test.org", 40, client_address="203.0.113.70")
    client, response = sign_in("manager@test.org", PASSWORD, client_address="198.51.100.20")
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_changing_the_case_of_the_email_does_not_buy_more_guesses(cast):
    for n, spelling in enumerate(["Manager@test.org", "MANAGER@TEST.ORG", "manager@Test.Org", "manager@test.org"]):
        caches["default"].clear()
        for attempt in range(3 if n < 3 else 1):
            sign_in(spelling, f"wrong {attempt}", client_address="203.0.113.80")
    client, response = sign_in("manager@test.org", PASSWORD, client_address="203.0.113.80")
    assert_lock_page(response)


@pytest.mark.django_db
def test_allauth_counts_failures_per_account_and_address(cast):
    for n in range(5):
        _, response = sign_in("manager@test.org", f"wrong {n}", client_address="203.0.113.90")
        assert "Too many failed" not in response.content.decode()
    _, response = sign_in("manager@test.org", PASSWORD, client_address="203.0.113.90")
    assert response.status_code == 200 and "Too many failed login attempts" in response.content.decode()
    # The same account from another client behind the same proxy is not held back.
    client, response = sign_in("manager@test.org", PASSWORD, client_address="198.51.100.20")
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_the_lock_page_speaks_the_users_language(cast):
    fail("manager@test.org", 10)
    for language, direction in [("he", "rtl"), ("ar", "rtl"), ("en", "ltr")]:
        _, response = sign_in("manager@test.org", PASSWORD, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 429
        assert f'lang="{language}" dir="{direction}"' in response.content.decode()


@pytest.mark.django_db
def test_a_new_password_through_the_emailed_link_lifts_the_lock(cast, mailoutbox):
    fail("manager@test.org", 10)
    client = Client()
    client.post("/accounts/password/reset/", {"email": "manager@test.org"}, **behind_proxy("198.51.100.7"))
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mailoutbox[-1].body).group(1)
    form_url = client.get(link, **behind_proxy("198.51.100.7"))["Location"]
    new_password = "a brand new long passphrase 77"
    response = client.post(form_url, {"password1": new_password, "password2": new_password},
                           **behind_proxy("198.51.100.7"))
    assert response.status_code == 302
    client, response = sign_in("manager@test.org", new_password)
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_axes_records_the_address_the_proxy_appended_not_the_claimed_one(cast):
    sign_in("manager@test.org", "wrong", client_address="203.0.113.5", client=None)
    Client().post(LOGIN, {"login": "team@test.org", "password": "wrong"},
                  **behind_proxy("203.0.113.6", spoofed="192.0.2.1"))
    assert set(AccessAttempt.objects.values_list("username", "ip_address")) == {
        ("manager@test.org", "203.0.113.5"), ("team@test.org", "203.0.113.6")}


@pytest.mark.django_db
def test_public_forms_count_each_client_behind_the_proxy_apart(cast, settings):
    settings.RATELIMIT_PUBLIC_GET = "3/10m"
    link = make_link(cast.authority, cast.emergency, site=make_site(cast.authority, "Alon School"))
    url = reverse("field_public:report", kwargs={"link_token": link.token})
    client = Client()
    assert [client.get(url, **behind_proxy("203.0.113.1")).status_code for _ in range(4)] == [200] * 3 + [429]
    # Claiming another address in the header does not help: the proxy appends the real one.
    assert client.get(url, **behind_proxy("203.0.113.1", spoofed="192.0.2.77")).status_code == 429
    # Another visitor behind the same proxy reads the form.
    assert client.get(url, **behind_proxy("203.0.113.2")).status_code == 200


def test_client_address_reading():
    factory = RequestFactory()
    with override_settings(CLIENT_IP_HEADER=""):
        assert client_ip(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")) == PROXY
    with override_settings(CLIENT_IP_HEADER="X-Real-IP"):
        assert client_ip(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.1")) == "203.0.113.1"
        # Missing or unreadable: the connection's own address.
        assert client_ip(factory.get("/", REMOTE_ADDR=PROXY)) == PROXY
        assert client_ip(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="<script>")) == PROXY
    with override_settings(CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR", CLIENT_IP_PROXY_COUNT=2):
        request = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.1, 10.0.0.2")
        assert client_ip(request) == "203.0.113.1"
    with override_settings(CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR"):
        request = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="2001:db8::1")
        assert client_ip(request) == "2001:db8::1"
        assert get_adapter().get_client_ip(request) == "2001:db8::1"


@pytest.mark.parametrize("environment, header", [
    ({"CLIENT_IP_HEADER": "HTTP_X_REAL_IP"}, "HTTP_X_REAL_IP"),
    ({"RATELIMIT_IP_META_KEY": "HTTP_X_FORWARDED_FOR"}, "HTTP_X_FORWARDED_FOR"),  # its former name
    ({}, ""),
])
def test_one_setting_names_the_header_for_everyone(environment, header):
    env = {k: v for k, v in os.environ.items() if k not in ("CLIENT_IP_HEADER", "RATELIMIT_IP_META_KEY")}
    env.update(environment, DJANGO_SETTINGS_MODULE="hosen.settings")
    script = ("import django; django.setup(); from django.conf import settings as s; "
              "print(s.CLIENT_IP_HEADER, s.RATELIMIT_IP_META_KEY, s.AXES_CLIENT_IP_CALLABLE, "
              "s.ACCOUNT_ADAPTER, sep='|')")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,  # noqa: S603
                         check=True)
    assert out.stdout.strip().split("|") == [header, "hosen.client_address.client_ip",
                                             "hosen.client_address.client_ip",
                                             "hosen.accounts.adapter.InvitationOnlyAdapter"]
