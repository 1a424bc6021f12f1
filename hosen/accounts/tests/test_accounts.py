import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from conftest import PASSWORD
from hosen.accounts.models import Invitation, Membership, Role, User


def put_two_step_off(client, response):
    """Managers and overseers are asked to set up two-step sign-in first (test_two_step.py): "Later"."""
    assert response.redirect_chain[-1][0] == "/two-step/?next=%2F"
    return client.post("/two-step/", {"next": "/", "later": "1"}, follow=True)


@pytest.mark.django_db
def test_sign_in_lands_a_single_authority_user_on_her_authority(cast, client):
    response = client.post("/accounts/login/", {"login": "manager@test.org", "password": PASSWORD}, follow=True)
    response = put_two_step_off(client, response)
    assert response.redirect_chain[-1][0] == f"/a/{cast.authority.slug}/"


@pytest.mark.django_db
def test_overseers_land_on_the_network_page(cast, client):
    response = client.post("/accounts/login/", {"login": "coord@test.org", "password": PASSWORD}, follow=True)
    response = put_two_step_off(client, response)
    assert response.redirect_chain[-1][0] == "/network/"


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message_in_hebrew(cast, client):
    response = client.post("/accounts/login/", {"login": "manager@test.org", "password": "nope"},
                           HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "errorlist" in response.content.decode() or "alert" in response.content.decode()


@pytest.mark.django_db
def test_there_is_no_open_sign_up(client):
    client.post("/accounts/signup/", {"email": "new@test.org", "password1": PASSWORD})
    assert not User.objects.filter(email="new@test.org").exists()


@pytest.mark.django_db
def test_a_manager_invites_a_team_member_who_joins(cast, client_for, client):
    manager = client_for(cast.manager)
    response = manager.post(f"/a/{cast.authority.slug}/team/", {"email": "Dana@Test.org", "role": "team"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@test.org"]
    link = re.search(r"http://testserver(/invite/\S+/)", mail.outbox[0].body).group(1)

    client.logout()
    weak = client.post(link, {"full_name": "דנה", "password1": "123", "password2": "123"})
    assert weak.status_code == 200 and not User.objects.filter(email="dana@test.org").exists()
    joined = client.post(link, {"full_name": "דנה", "password1": PASSWORD, "password2": PASSWORD}, follow=True)
    assert joined.redirect_chain[-1][0] == f"/a/{cast.authority.slug}/"
    dana = User.objects.get(email="dana@test.org")
    assert Membership.objects.get(user=dana).role == Role.TEAM
    # The link works once.
    client.logout()
    assert client.get(link).status_code == 410


@pytest.mark.django_db
def test_a_manager_cannot_invite_a_manager_or_an_existing_member(cast, client_for):
    manager = client_for(cast.manager)
    response = manager.post(f"/a/{cast.authority.slug}/team/", {"email": "x@test.org", "role": "manager"})
    assert response.status_code == 422 and not Invitation.objects.exists()
    response = manager.post(f"/a/{cast.authority.slug}/team/", {"email": "team@test.org", "role": "viewer"})
    assert response.status_code == 422 and not Invitation.objects.exists()


@pytest.mark.django_db
def test_an_expired_invitation_says_so(cast, client):
    invitation = Invitation.objects.create(email="late@test.org", role=Role.VIEWER, authority=cast.authority,
                                           expires_at=timezone.now() - timedelta(days=1))
    assert client.get(f"/invite/{invitation.token}/").status_code == 410


@pytest.mark.django_db
def test_the_network_invites_a_manager_and_an_existing_user_accepts_when_signed_in(cast, client_for):
    response = client_for(cast.network_admin).post("/network/invite/", {
        "email": cast.outsider.email, "authority": cast.authority.pk})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.role == Role.MANAGER
    outsider = client_for(cast.outsider)
    assert outsider.get(f"/invite/{invitation.token}/").status_code == 200
    outsider.post(f"/invite/{invitation.token}/")
    assert Membership.objects.filter(user=cast.outsider, authority=cast.authority, role=Role.MANAGER).exists()
    assert outsider.get(f"/a/{cast.authority.slug}/").status_code == 200


@pytest.mark.django_db
def test_the_network_cannot_invite_to_an_authority_outside_it(cast, client_for):
    from hosen.tenancy.models import Authority, Cluster, Network

    elsewhere = Network.objects.create(name="other", slug="other")
    foreign = Authority.objects.create(cluster=Cluster.objects.create(network=elsewhere, name="c"), name="f",
                                       slug="foreign")
    response = client_for(cast.network_admin).post("/network/invite/", {"email": "a@b.org", "authority": foreign.pk})
    assert response.status_code == 422 and not Invitation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("lang,direction", [("he", "rtl"), ("ar", "rtl"), ("en", "ltr")])
def test_html_lang_and_dir_follow_the_language(cast, client_for, lang, direction):
    client = client_for(cast.manager)
    client.post("/language/", {"language": lang, "next": "/"})
    body = client.get(f"/a/{cast.authority.slug}/checklist/").content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in body
    cast.manager.refresh_from_db()
    assert cast.manager.language == lang


@pytest.mark.django_db
def test_the_language_choice_follows_the_user_to_a_new_device(cast, client_for, client):
    cast.manager.language = "ar"
    cast.manager.save()
    client.cookies.clear()
    client.force_login(cast.manager)
    response = client.get(f"/a/{cast.authority.slug}/")
    assert '<html lang="ar" dir="rtl">' in response.content.decode()
    assert response.cookies["django_language"].value == "ar"


@pytest.mark.django_db
def test_hebrew_is_the_default(client, settings):
    settings.LANGUAGE_CODE = "he"  # as in production (the test suite reads English by default)
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="he" dir="rtl">' in body
