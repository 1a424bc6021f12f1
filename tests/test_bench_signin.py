"""The sign-in load test reads and fills the real pages (bench/signin_forms.py, used by bench/locustfile.py).

Each step the simulated people take runs here against the real pages, with Django's CSRF check on: a form
that changes (a renamed field, a new hidden one, another redirect) fails here rather than in a load test
run on a quiet machine hours later.
"""

import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PASSWORD

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import signin_forms as forms  # noqa: E402

SECRET = "JBSWY3DPEHPK3PXP"


def test_the_code_is_the_one_allauth_expects():
    moment = 1_790_000_000
    for at in (moment, moment + 29, moment + 30, moment + 3600):
        assert forms.totp_code(SECRET, at) == format_hotp_value(hotp_value(SECRET, at // 30))
    assert forms.totp_code(SECRET, moment) != forms.totp_code(SECRET, moment + 30)


def test_pages_are_named_by_what_they_are():
    base = "/a/alpha/"
    assert forms.page_name("/", base) == "home"
    assert forms.page_name("/a/alpha/", base) == "authority home"
    assert forms.page_name("/a/alpha/needs/?status=open", base) == "needs list"
    assert forms.page_name("/a/alpha/needs/12/", base) == "a need"
    assert forms.page_name("/a/alpha/needs/new/", base) == "new need: form"
    assert forms.page_name("/a/beta/needs/", base) == "/a/beta/needs/"


def sign_in_as_the_load_test_does(client, email, secret):
    """The manager's steps of bench/locustfile.py; the path of the page she lands on."""
    html = client.get("/accounts/login/").content.decode()
    fields = forms.form_fields(html)
    assert fields.get("csrfmiddlewaretoken")
    answer = client.post("/accounts/login/", {**fields, "login": email, "password": PASSWORD})
    assert answer.status_code == 302
    location = answer["Location"]
    assert forms.re.search(forms.PASSWORD_ACCEPTED, location)
    assert "/2fa/authenticate" in location  # managers must use their authenticator app
    fields = forms.form_fields(client.get(location).content.decode())
    answer = client.post(location, {**fields, "code": forms.totp_code(secret)})
    assert answer.status_code == 302
    assert forms.re.search(forms.CODE_ACCEPTED, answer["Location"])
    landing = client.get(answer["Location"], follow=True)
    assert landing.status_code == 200
    return landing.redirect_chain[-1][0] if landing.redirect_chain else answer["Location"]


@pytest.mark.django_db
def test_a_manager_signs_in_with_her_code_and_adds_a_need_as_the_load_test_does(cast):
    from hosen.accounts.two_step import enrol_totp
    from hosen.field.models import Need, Site

    enrol_totp(cast.manager, SECRET)
    with scopes_disabled():
        Site.objects.create(authority=cast.authority, name="בית ספר הדקל", kind="school")
    if 30 - time.time() % 30 < 3:  # as the load test does: not the last moments of a code
        time.sleep(3.5)
    client = Client(enforce_csrf_checks=True)
    base = f"/a/{cast.authority.slug}/"
    assert forms.page_name(sign_in_as_the_load_test_does(client, cast.manager.email, SECRET), base) == "authority home"

    html = client.get(f"{base}needs/new/").content.decode()
    fields = forms.new_need(html, random.Random(3))
    assert fields.get("csrfmiddlewaretoken") and fields.get("submission")
    answer = client.post(f"{base}needs/new/", fields)
    assert answer.status_code == 302
    assert forms.re.search(forms.need_added(base), answer["Location"])
    with scopes_disabled():
        need = Need.objects.get(authority=cast.authority, description=fields["description"])
    assert str(need.pk) in forms.need_links(client.get(f"{base}needs/").content.decode(), base)


@pytest.mark.django_db
@pytest.mark.parametrize("one_site", [True, False], ids=["site link", "group link"])
def test_a_field_reporter_sends_a_quick_report_as_the_load_test_does(cast, one_site):
    from hosen.field.models import ReportLink, Site, SiteStatus

    with scopes_disabled():
        site = Site.objects.create(authority=cast.authority, name="גן השקד", kind="kindergarten")
        link = ReportLink.objects.create(authority=cast.authority, emergency=cast.emergency,
                                         site=site if one_site else None,
                                         expires_at=timezone.now() + timedelta(days=1), created_by=cast.manager)
    client = Client(enforce_csrf_checks=True)
    path = f"/r/{link.token}/"
    for seed in range(3):  # now and then with an urgent need
        fields = forms.quick_report(client.get(path).content.decode(), random.Random(seed))
        answer = client.post(path, fields)
        assert answer.status_code == 302, answer.content.decode()[:500]
        assert forms.re.search(forms.REPORT_SENT, answer["Location"])
        assert client.get(answer["Location"]).status_code == 200
    with scopes_disabled():
        assert SiteStatus.objects.filter(via_link=link, site=site).count() == 3
