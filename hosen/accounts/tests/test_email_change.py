"""Changing one's sign-in address: only to a verified address, never to someone else's, never a 500.

And invitations: whoever holds the e-mailed link joins, whatever another user typed on the e-mail page.
"""

import itertools
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client

from conftest import PASSWORD
from hosen.accounts.models import Invitation, Membership, Role, User

EMAIL_PAGE = "/accounts/email/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts e-mail page requests per user in the cache (10 a minute), which outlives a test's database.
    cache.clear()


def _confirm_link(message):
    return re.search(r"http://testserver(/accounts/confirm-email/[^\s/]+/)", message.body).group(1)


def _signs_in(email, password=PASSWORD):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/login/", {"login": email, "password": password})
    return client.session.get("_auth_user_id")


def _password_client(user):
    """Signed in through the form, as a person is, and the password given again."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)
    if "hosen.two_step.ask" in client.session:
        client.post("/two-step/")  # "later" (two-step sign-in has its own tests)
    # Changing the address asks for the password again (ACCOUNT_REAUTHENTICATION_REQUIRED), once in 5 minutes.
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    return client


def _addresses(user):
    return sorted((a.email, a.verified, a.primary) for a in EmailAddress.objects.filter(user=user))


@pytest.mark.django_db
def test_a_manager_changes_her_address_only_after_verifying_the_new_one(cast):
    manager = _password_client(cast.manager)
    page = manager.get(EMAIL_PAGE)
    assert page.status_code == 200 and "manager@test.org" in page.content.decode()

    response = manager.post(EMAIL_PAGE, {"email": "Manager@New-Job.org", "action_add": ""})
    assert response.status_code == 302
    cast.manager.refresh_from_db()
    assert cast.manager.email == "manager@test.org", "the login changes only once the new address is verified"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["manager@new-job.org"]
    link = _confirm_link(mail.outbox[0])

    # Not yet the login, and no way round the verification: "make primary" and "remove the current one".
    assert _signs_in("manager@new-job.org") is None
    manager.post(EMAIL_PAGE, {"email": "manager@new-job.org", "action_primary": ""})
    manager.post(EMAIL_PAGE, {"email": "manager@test.org", "action_remove": ""})
    cast.manager.refresh_from_db()
    assert cast.manager.email == "manager@test.org"
    assert ("manager@test.org", True, True) in _addresses(cast.manager)

    confirm_page = manager.get(link)
    assert confirm_page.status_code == 200 and "manager@new-job.org" in confirm_page.content.decode()
    manager.post(link)
    cast.manager.refresh_from_db()
    assert cast.manager.email == "manager@new-job.org"
    assert _addresses(cast.manager) == [("manager@new-job.org", True, True)]
    assert _signs_in("manager@new-job.org") == str(cast.manager.pk)
    assert _signs_in("manager@test.org") is None


@pytest.mark.django_db
def test_another_users_address_is_refused_with_a_message_and_changes_nothing(cast):
    manager = _password_client(cast.manager)
    manager.get(EMAIL_PAGE)
    before = (_addresses(cast.manager), _addresses(cast.team))
    response = manager.post(EMAIL_PAGE, {"email": "TEAM@test.org", "action_add": ""})
    assert response.status_code == 422
    assert "already" in response.content.decode()
    # The old page let her make it primary next: a 500, with allauth's record changed anyway.
    response = manager.post(EMAIL_PAGE, {"email": "team@test.org", "action_primary": ""})
    assert response.status_code < 500
    cast.manager.refresh_from_db()
    cast.team.refresh_from_db()
    assert (cast.manager.email, cast.team.email) == ("manager@test.org", "team@test.org")
    assert (_addresses(cast.manager), _addresses(cast.team)) == before
    assert not mail.outbox


@pytest.mark.django_db
def test_a_pending_invitees_address_is_refused(cast):
    Invitation.objects.create(email="dana@test.org", role=Role.TEAM, authority=cast.authority)
    response = _password_client(cast.outsider).post(EMAIL_PAGE, {"email": "dana@test.org", "action_add": ""})
    assert response.status_code == 422
    assert "invitation" in response.content.decode()
    assert not EmailAddress.objects.filter(email="dana@test.org").exists() and not mail.outbox


@pytest.mark.django_db
def test_an_address_taken_before_the_link_is_opened_is_refused_without_a_500(cast):
    manager = _password_client(cast.manager)
    manager.post(EMAIL_PAGE, {"email": "shared@test.org", "action_add": ""})
    link = _confirm_link(mail.outbox[0])
    # Meanwhile the address became someone else's login (an invitation accepted, an operator's edit).
    User.objects.create_user("shared@test.org", PASSWORD)
    response = manager.post(link, follow=True)
    assert response.status_code == 200
    cast.manager.refresh_from_db()
    assert cast.manager.email == "manager@test.org"
    assert ("manager@test.org", True, True) in _addresses(cast.manager)


@pytest.mark.django_db
def test_the_old_hijack_an_invitee_is_not_blocked_by_someone_claiming_her_address(cast, client):
    invitation = Invitation.objects.create(email="dana@test.org", role=Role.TEAM, authority=cast.authority)
    attacker = _password_client(cast.outsider)
    attacker.post(EMAIL_PAGE, {"email": "dana@test.org", "action_add": ""})
    attacker.post(EMAIL_PAGE, {"email": "dana@test.org", "action_primary": ""})
    attacker.post(EMAIL_PAGE, {"email": "outsider@test.org", "action_remove": ""})
    cast.outsider.refresh_from_db()
    assert cast.outsider.email == "outsider@test.org"

    client.logout()
    joined = client.post(f"/invite/{invitation.token}/",
                         {"full_name": "Dana", "password1": PASSWORD, "password2": PASSWORD})
    assert joined.status_code == 302
    dana = User.objects.get(email="dana@test.org")
    assert Membership.objects.filter(user=dana, authority=cast.authority, role=Role.TEAM).exists()
    assert not Membership.objects.filter(user=cast.outsider, authority=cast.authority).exists()


@pytest.mark.django_db
def test_the_invitation_link_binds_the_address_even_over_an_earlier_unverified_claim(cast, client):
    # Someone typed the address on the e-mail page before the invitation was sent, and never verified it.
    EmailAddress.objects.create(user=cast.outsider, email="dana@test.org", verified=False, primary=False)
    invitation = Invitation.objects.create(email="dana@test.org", role=Role.TEAM, authority=cast.authority)
    joined = client.post(f"/invite/{invitation.token}/",
                         {"full_name": "Dana", "password1": PASSWORD, "password2": PASSWORD})
    assert joined.status_code == 302
    dana = User.objects.get(email="dana@test.org")
    assert Membership.objects.filter(user=dana, authority=cast.authority).exists()
    # Opening the e-mailed link proved the address: it is her verified login, and nobody else's claim.
    assert _addresses(dana) == [("dana@test.org", True, True)]
    assert not EmailAddress.objects.filter(user=cast.outsider, email="dana@test.org").exists()
    assert _signs_in("dana@test.org") == str(dana.pk)


@pytest.mark.django_db
def test_an_existing_user_accepting_by_link_has_her_address_verified(cast, client_for):
    EmailAddress.objects.filter(user=cast.outsider).delete()  # an account made by an operator
    invitation = Invitation.objects.create(email="outsider@test.org", role=Role.VIEWER, authority=cast.authority)
    client_for(cast.outsider).post(f"/invite/{invitation.token}/")
    assert Membership.objects.filter(user=cast.outsider, authority=cast.authority).exists()
    assert _addresses(cast.outsider) == [("outsider@test.org", True, True)]


@pytest.mark.django_db
def test_no_path_of_the_email_page_answers_500(cast):
    Invitation.objects.create(email="dana@test.org", role=Role.TEAM, authority=cast.authority)
    EmailAddress.objects.create(user=cast.viewer, email="pending@test.org")
    manager = _password_client(cast.manager)
    manager.post(EMAIL_PAGE, {"email": "next@test.org", "action_add": ""})  # a change under way
    emails = ["", "manager@test.org", "next@test.org", "team@test.org", "dana@test.org", "pending@test.org",
              "not an address", "x" * 300 + "@test.org", "MANAGER@TEST.ORG", "\x00@test.org"]
    actions = ["action_add", "action_send", "action_primary", "action_remove", None]
    for email, action in itertools.product(emails, actions):
        data = {"email": email} | ({action: ""} if action else {})
        cache.clear()  # every combination reaches the page, not allauth's limit of 10 a minute
        response = manager.post(EMAIL_PAGE, data)
        assert response.status_code < 500 and response.status_code != 429, (email, action)
        cast.manager.refresh_from_db()
        assert cast.manager.email == "manager@test.org", (email, action)
    assert manager.get(EMAIL_PAGE).status_code == 200
    assert manager.get("/accounts/confirm-email/no-such-key/").status_code == 200
    cache.clear()
    too_long = manager.post(EMAIL_PAGE, {"email": "x" * 250 + "@test.org", "action_add": ""})
    assert too_long.status_code == 422 and "at most 254 characters" in too_long.content.decode()
    assert EmailAddress.objects.get(user=cast.viewer).email == "pending@test.org"
    assert (EmailAddress.objects.filter(user=cast.manager, verified=True).values_list("email", flat=True).get()
            == "manager@test.org")


@pytest.mark.django_db
def test_a_session_left_open_cannot_change_the_address_without_the_password(cast, client_for):
    manager = client_for(cast.manager)  # signed in long ago, somewhere
    response = manager.post(EMAIL_PAGE, {"email": "thief@evil.org", "action_add": ""})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="thief@evil.org").exists() and not mail.outbox


@pytest.mark.django_db
def test_existing_logins_are_recorded_verified_and_half_changed_records_repaired(cast):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("hosen.accounts.migrations.0003_login_addresses_verified")
    EmailAddress.objects.all().delete()
    # What the unverified page left behind: the manager's primary record on the team member's address (her
    # login unchanged, the save having failed), and an unverified claim on a pending invitee's address.
    EmailAddress.objects.create(user=cast.manager, email="team@test.org", primary=True)
    EmailAddress.objects.create(user=cast.outsider, email="dana@test.org")
    migration.mark_logins_verified(apps, None)
    assert _addresses(cast.manager) == [("manager@test.org", True, True)]
    assert _addresses(cast.team) == [("team@test.org", True, True)]
    assert _addresses(cast.outsider) == [("dana@test.org", False, False), ("outsider@test.org", True, True)]
    assert _signs_in("manager@test.org") == str(cast.manager.pk)
    assert _signs_in("team@test.org") == str(cast.team.pk)


@pytest.mark.django_db
def test_a_login_moved_by_an_operator_opens_the_email_page_without_a_500(cast):
    # An operator gave the team member's old address to the manager in the admin; the team member's verified
    # record of it stayed behind.
    EmailAddress.objects.create(user=cast.team, email="old@test.org", verified=True)
    User.objects.filter(pk=cast.manager.pk).update(email="old@test.org")
    cast.manager.refresh_from_db()
    page = _password_client(cast.manager).get(EMAIL_PAGE)
    assert page.status_code == 200 and "old@test.org" in page.content.decode()
    assert ("old@test.org", True, True) in _addresses(cast.manager)
    assert "old@test.org" not in [email for email, _v, _p in _addresses(cast.team)]


@pytest.mark.django_db
def test_a_manager_with_two_step_sign_in_can_change_her_address(cast):
    from hosen.accounts.two_step import enrol_totp, totp_code

    secret = "JBSWY3DPEHPK3PXP"
    enrol_totp(cast.manager, secret)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/login/", {"login": cast.manager.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.session.get("_auth_user_id") == str(cast.manager.pk)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.post(EMAIL_PAGE, {"email": "manager@new-job.org", "action_add": ""})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert mail.outbox and mail.outbox[-1].to == ["manager@new-job.org"]
    client.post(_confirm_link(mail.outbox[-1]))
    cast.manager.refresh_from_db()
    assert cast.manager.email == "manager@new-job.org"


@pytest.mark.django_db
def test_the_link_works_on_another_device_where_nobody_is_signed_in(cast, client):
    _password_client(cast.manager).post(EMAIL_PAGE, {"email": "manager@new-job.org", "action_add": ""})
    link = _confirm_link(mail.outbox[-1])
    page = client.get(link)
    assert page.status_code == 200 and "manager@new-job.org" in page.content.decode()
    response = client.post(link)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    cast.manager.refresh_from_db()
    assert cast.manager.email == "manager@new-job.org"
    assert client.post(link).status_code in (200, 404)  # used: "expired or already used", no 500


@pytest.mark.django_db
def test_the_old_address_is_told_of_the_change_in_her_language(cast):
    """Someone who moved the account to her own mailbox is noticed: the owner's old address hears of it."""
    manager = _password_client(cast.manager)
    manager.cookies["django_language"] = "he"
    manager.post(EMAIL_PAGE, {"email": "manager@new-job.org", "action_add": ""})
    manager.post(_confirm_link(mail.outbox[-1]))
    cast.manager.refresh_from_db()
    assert cast.manager.email == "manager@new-job.org"
    told = [message for message in mail.outbox if message.to == ["manager@test.org"]]
    assert len(told) == 1
    assert "manager@new-job.org" in told[0].body
    assert re.search(r"[\u0590-\u05FF]", told[0].subject + told[0].body), "in Hebrew, the language she uses"


@pytest.mark.django_db
def test_a_changed_password_is_told_to_the_account(cast):
    manager = _password_client(cast.manager)
    response = manager.post("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": "a-new-long-password-9", "password2": "a-new-long-password-9"})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["manager@test.org"]]
