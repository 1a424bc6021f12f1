"""Two-step sign-in: enrolment through the real pages, sign-in with a code or a recovery code, who must have it,
the grace period a network admin sets, and the admin site."""

import json
import re
import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.cache import cache
from django.utils import timezone

from conftest import PASSWORD
from hosen.accounts import two_step
from hosen.accounts.models import User
from hosen.accounts.two_step import enrol_totp, totp_code
from hosen.accounts.two_step_views import GraceForm
from hosen.integrity.drafts import SESSION_KEY as UNSENT
from hosen.integrity.testing import with_version

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ASKED = "Set up two-step sign-in"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth refuses a code already used in its 30-second window, counted in the cache per user id.
    cache.clear()
    yield
    cache.clear()


def sign_in(client, user, **extra):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, **extra)


def secret_on(html):
    return re.search(r'id="authenticator_secret"[^>]*>([A-Z2-7]+)<', html).group(1)


def forget_state(client):
    session = client.session
    session.pop(two_step.SESSION_KEY, None)
    session.save()


def is_signed_in(client):
    return "_auth_user_id" in client.session


# Committed for real, as in production: allauth announces a new authenticator once it is committed, and that
# frees her at once (two_step_signals.py).
@pytest.mark.django_db(transaction=True)
def test_a_manager_enrols_through_the_pages_and_then_signs_in_with_a_code(cast, client):
    response = sign_in(client, cast.manager, follow=True)
    # Asked right after the password: why, and how long she may put it off.
    assert response.redirect_chain[-1][0].startswith("/two-step/?next=")
    html = response.content.decode()
    assert ASKED in html and "14 more days" in html and 'name="later"' in html

    # Changing how she signs in asks for the password again first.
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/reauthenticate/")
    page = client.post(page["Location"], {"password": PASSWORD}, follow=True)
    assert page.redirect_chain[-1][0] == "/accounts/2fa/totp/activate/"
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html, "the QR code is an image the CSP allows"
    secret = secret_on(html)

    refused = client.post("/accounts/2fa/totp/activate/", {"code": "000000" if totp_code(secret) != "000000"
                                                            else "111111"})
    assert refused.status_code == 422 and "Incorrect code." in refused.content.decode()
    assert not Authenticator.objects.filter(user=cast.manager, type="totp").exists()

    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert done.status_code == 302 and done["Location"] == "/accounts/2fa/recovery-codes/"
    codes = client.get(done["Location"]).content.decode()
    assert len(re.findall(r"<li><code>\d{8}</code></li>", codes)) == 10
    assert client.get("/a/alpha/").status_code == 200, "enrolled: no longer asked"

    client.post("/accounts/logout/")
    response = sign_in(client, cast.manager)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert not is_signed_in(client), "the password alone does not sign in"
    stage = client.get("/accounts/2fa/authenticate/")
    assert stage.status_code == 200 and 'autocomplete="one-time-code"' in stage.content.decode()

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "123456" if totp_code(secret) != "123456"
                                                        else "654321"})
    assert wrong.status_code == 422 and "Incorrect code." in wrong.content.decode()
    assert not is_signed_in(client)

    right = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)}, follow=True)
    assert right.redirect_chain[-1][0] == "/a/alpha/"
    assert is_signed_in(client) and ASKED not in right.content.decode()


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(cast, client):
    enrol_totp(cast.manager, SECRET)
    code = RecoveryCodes(Authenticator.objects.get(user=cast.manager, type="recovery_codes")).get_unused_codes()[0]
    sign_in(client, cast.manager)
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_signed_in(client)
    client.post("/accounts/logout/")

    sign_in(client, cast.manager)
    again = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert again.status_code == 422 and "Incorrect code." in again.content.decode()
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_in_the_grace_period_later_goes_on_to_the_page_asked_for(cast, client):
    cast.coordinator.two_step_required_since = timezone.localdate() - timedelta(days=10)
    cast.coordinator.save()
    response = client.post("/accounts/login/?next=/a/alpha/checklist/",
                           {"login": cast.coordinator.email, "password": PASSWORD}, follow=True)
    html = response.content.decode()
    assert ASKED in html and "4 more days" in html
    later = client.post("/two-step/", {"next": "/a/alpha/checklist/", "later": "1"})
    assert later.status_code == 302 and later["Location"] == "/a/alpha/checklist/"
    assert client.get("/a/alpha/checklist/").status_code == 200
    assert client.get("/network/").status_code == 200, "asked once a sign-in"
    # Somewhere else is never a place to go on to.
    assert client.post("/two-step/", {"next": "https://evil.example/"})["Location"] == "/"


@pytest.mark.django_db
def test_after_the_grace_period_a_manager_reaches_nothing_but_enrolment(cast, client_for):
    cast.manager.two_step_required_since = timezone.localdate() - timedelta(days=14)
    cast.manager.save()
    client = client_for(cast.manager)
    response = client.get("/a/alpha/checklist/")
    assert response.status_code == 302 and response["Location"] == "/two-step/?next=%2Fa%2Falpha%2Fchecklist%2F"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "has passed" in html and 'name="later"' not in html
    refused = client.post("/two-step/", {"next": "/a/alpha/", "later": "1"})
    assert refused.status_code == 422 and "can no longer be put off" in refused.content.decode()
    assert client.get("/a/alpha/").status_code == 302
    assert client.get("/network/").status_code == 302
    # An htmx request sends the whole page there.
    htmx = client.get("/a/alpha/checklist/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="/a/alpha/checklist/")
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith("/two-step/?next=")
    # A form sent now is kept for after enrolment.
    kept = client.post("/a/alpha/emergencies/new/", {"name": "הצפה בעמק"})
    assert kept.status_code == 302 and kept["Location"] == "/two-step/?next=%2Fa%2Falpha%2Femergencies%2Fnew%2F"
    assert "הצפה בעמק" in json.dumps(client.session[UNSENT], ensure_ascii=False)
    # Enrolment and signing out stay open.
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.get("/accounts/2fa/webauthn/").status_code == 200

    enrol_totp(cast.manager, SECRET)
    forget_state(client)  # as enrolling through the pages does (authenticator_added)
    assert client.get("/a/alpha/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["team", "viewer"])
def test_team_members_and_viewers_are_not_asked(cast, client, role):
    user = cast.user(role)
    response = sign_in(client, user, follow=True)
    assert response.redirect_chain[-1][0] == "/a/alpha/" and ASKED not in response.content.decode()
    user.refresh_from_db()
    assert user.two_step_required_since is None
    # They may still set it up.
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


@pytest.mark.django_db
def test_the_admin_site_requires_two_step_sign_in(cast, client_for):
    admin = User.objects.create_superuser("root@test.org", PASSWORD)
    client = client_for(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/two-step/?next=%2Fadmin%2F"
    html = client.get(response["Location"]).content.decode()
    assert "admin site" in html and 'name="later"' not in html
    # Staff outside the admin site are not held: the rule is the admin's.
    assert client.get("/two-step/").status_code == 200

    enrol_totp(admin, SECRET)
    forget_state(client)
    assert client.get("/admin/").status_code == 200

    assert client.get("/admin/login/")["Location"] == "/admin/"

    # The admin's own password form would skip the code: it sends to Hosen's sign-in, and is never shown.
    anonymous = client_for(None)
    response = anonymous.get("/admin/login/?next=/admin/workmodel/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fadmin%2Fworkmodel%2F"
    # Signed in without staff rights, the admin is closed, with no loop between the two sign-ins.
    response = client_for(cast.team).get("/admin/", follow=True)
    assert response.status_code == 403 and response.redirect_chain == [("/admin/login/?next=/admin/", 302)]


@pytest.mark.django_db
def test_a_network_admin_sets_the_grace_period(cast, client_for):
    client = client_for(cast.network_admin)
    page = client.get("/network/two-step/")
    assert page.status_code == 200 and 'name="two_step_grace_days"' in page.content.decode()
    assert 'href="/network/two-step/"' in client.get("/network/").content.decode()

    for bad in ["-1", "abc", "366", ""]:
        data = with_version(cast.network, {"two_step_grace_days": bad}, form=GraceForm)
        response = client.post("/network/two-step/", data)
        assert response.status_code == 422, bad
        assert "errorlist" in response.content.decode()
    cast.network.refresh_from_db()
    assert cast.network.two_step_grace_days == 14

    # Coordinators and managers do not set it.
    assert client_for(cast.coordinator).get("/network/two-step/").status_code == 403
    assert client_for(cast.manager).post("/network/two-step/", {"two_step_grace_days": "99"}).status_code == 403
    cast.network.refresh_from_db()
    assert cast.network.two_step_grace_days == 14

    client = client_for(cast.network_admin)
    data = with_version(cast.network, {"two_step_grace_days": "0"}, form=GraceForm)
    response = client.post("/network/two-step/", data)
    assert response.status_code == 302
    cast.network.refresh_from_db()
    assert cast.network.two_step_grace_days == 0
    # With no days left, a manager of the network is held at once.
    assert client_for(cast.manager).get("/a/alpha/").status_code == 302
    # With none, even the network admin who saved it is sent to set it up.
    assert client.get("/network/").status_code == 302


@pytest.mark.django_db
def test_the_passkey_pages_render_with_their_registration_options(cast, client):
    sign_in(client, cast.team)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/webauthn/add/")
    assert page.status_code == 200
    html = page.content.decode()
    data = json.loads(re.search(r'<script id="js_data" type="application/json">(.*?)</script>', html, re.S).group(1))
    options = data["creation_options"]["publicKey"]
    assert options["rp"]["id"] == "testserver" and options["challenge"]
    assert options["user"]["name"] == cast.team.email
    assert '<script src="/static/mfa/js/webauthn.js">' in html
    assert "<script>" not in html, "no inline script: the CSP allows only our own files"

    # The code's page has the request options for a passkey too.
    enrol_totp(cast.manager, SECRET)
    client.post("/accounts/logout/")
    sign_in(client, cast.manager)
    stage = client.get("/accounts/2fa/authenticate/").content.decode()
    data = json.loads(re.search(r'<script id="js_data" type="application/json">(.*?)</script>', stage, re.S).group(1))
    assert data["request_options"]["publicKey"]["challenge"]
    # She added no passkey: the code's page does not offer one (tests/browser/test_mfa.py signs in with one).
    assert "mfa_webauthn_authenticate" not in stage


@pytest.mark.django_db
def test_enrol_totp_gives_codes_that_allauth_accepts(cast):
    from allauth.mfa.totp.internal.auth import TOTP

    enrol_totp(cast.viewer, SECRET)
    enrol_totp(cast.viewer, SECRET)  # again: still one
    authenticator = Authenticator.objects.get(user=cast.viewer, type="totp")
    assert TOTP(authenticator).validate_code(totp_code(SECRET))
    assert not TOTP(authenticator).validate_code(totp_code(SECRET)), "a code works once"
    assert Authenticator.objects.filter(user=cast.viewer, type="recovery_codes").count() == 1


@pytest.mark.django_db
def test_a_code_of_the_step_just_ended_is_taken_but_not_one_older(cast):
    """A code typed as its 30 seconds run out still signs in; a code from a minute ago does not."""
    from allauth.mfa.totp.internal.auth import TOTP

    authenticator = enrol_totp(cast.manager, SECRET)
    now = time.time()
    assert TOTP(authenticator).validate_code(totp_code(SECRET, at=now - 30))
    assert not TOTP(authenticator).validate_code(totp_code(SECRET, at=now - 90))


@pytest.mark.django_db
def test_two_network_admins_setting_the_grace_period_at_once_do_not_overwrite_each_other(cast, client_for):
    from hosen.integrity.testing import loaded

    second_admin = User.objects.create_user(email="admin2@test.org", password=PASSWORD)
    second_admin.memberships.create(role=cast.network_admin.memberships.first().role, network=cast.network)
    first, second = client_for(cast.network_admin), client_for(second_admin)
    mine = loaded(first, "/network/two-step/", having="two_step_grace_days", two_step_grace_days="7")
    theirs = loaded(second, "/network/two-step/", having="two_step_grace_days", two_step_grace_days="30")

    assert first.post("/network/two-step/", mine).status_code == 302
    stale = second.post("/network/two-step/", theirs)
    assert stale.status_code == 409
    cast.network.refresh_from_db()
    assert cast.network.two_step_grace_days == 7, "the first save is not silently overwritten"
