"""Personal access tokens through the real HTTP stack: made on the page and shown once, kept hashed, scoped,
expiring, revocable by their person and by a network admin, noting when they were last used, rate limited,
and named in the audit history of what they changed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.api.models import AccessToken
from hosen.field.models import Need

from .conftest import ApiClient, make_token

NEED = {"audience": "students", "category": "equipment", "description": "20 laptops for remote learning"}


def _make_on_page(client, **fields):
    data = {"name": "municipal GIS", "access": "read", "authority": "", "valid_for": 90} | fields
    response = client.post("/accounts/tokens/", data, follow=True)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_a_token_made_on_the_page_is_shown_once_and_kept_only_hashed(cast, client_for):
    client = client_for(cast.manager)
    page = _make_on_page(client, access="write", authority=cast.authority.pk).content.decode()
    token = AccessToken.objects.get(user=cast.manager)
    start = page.index('id="token-text"')
    text = page[page.index('value="', start) + 7: page.index('"', page.index('value="', start) + 7)]
    assert text.startswith(f"hsn_{token.prefix}_")
    assert text not in token.digest and len(token.digest) == 64
    assert token.name == "municipal GIS" and token.can_write and token.authority == cast.authority
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    again = client.get("/accounts/tokens/").content.decode()
    assert text not in again and "municipal GIS" in again  # listed, never shown again
    assert ApiClient(text).get("/api/v1/authorities/").status_code == 200


@pytest.mark.django_db
def test_the_token_form_refuses_a_blank_name_and_another_persons_authority(cast, client_for):
    client = client_for(cast.manager)
    response = client.post("/accounts/tokens/", {"name": "   ", "access": "read", "valid_for": 90})
    assert response.status_code == 422 and response.context["form"].errors["name"]
    response = client.post("/accounts/tokens/", {"name": "x", "access": "read", "valid_for": 90,
                                                 "authority": cast.other_authority.pk})
    assert response.status_code == 422 and response.context["form"].errors["authority"]
    assert not AccessToken.objects.exists()


@pytest.mark.django_db
def test_the_same_token_form_sent_twice_makes_one_token(cast, client_for):
    client = client_for(cast.manager)
    data = {"name": "BI", "access": "read", "authority": "", "valid_for": 30,
            "submission": "2f1d8a4e-2b0c-4d6e-9a55-0c6b7e1e9f01"}
    client.post("/accounts/tokens/", data)
    client.post("/accounts/tokens/", data)
    assert AccessToken.objects.filter(user=cast.manager).count() == 1


@pytest.mark.django_db
def test_no_token_an_unknown_one_or_a_mangled_one_is_refused_with_a_problem(cast, client_for):
    _token, text = make_token(cast.manager)
    for client in (Client(), ApiClient("hsn_00000000_nothing"), ApiClient(text[:-2]), ApiClient("garbage")):
        response = client.get("/api/v1/authorities/")
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"] == "Bearer"
        assert response.json()["type"].endswith("/not-authenticated")


@pytest.mark.django_db
def test_an_expired_or_revoked_token_says_so(cast):
    token, text = make_token(cast.manager)
    client = ApiClient(text)
    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/authorities/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1),
                                                   revoked_at=timezone.now())
    response = client.get("/api/v1/authorities/")
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


@pytest.mark.django_db
def test_a_read_only_token_reads_and_may_not_write(cast):
    _token, text = make_token(cast.manager, can_write=False)
    client = ApiClient(text)
    assert client.get("/api/v1/authorities/alpha/needs/").status_code == 200
    response = client.post_json("/api/v1/authorities/alpha/needs/", NEED)
    assert response.status_code == 403 and "only read" in response.json()["detail"]
    with scopes_disabled():
        assert not Need.objects.exists()


@pytest.mark.django_db
def test_a_token_bound_to_one_authority_reaches_no_other(cast):
    # The network admin oversees both authorities; her token for alpha opens alpha only.
    _token, text = make_token(cast.network_admin, authority=cast.authority)
    client = ApiClient(text)
    listed = client.get("/api/v1/authorities/").json()["results"]
    assert [a["slug"] for a in listed] == ["alpha"]
    assert client.get("/api/v1/authorities/alpha/needs/").status_code == 200
    assert client.get("/api/v1/authorities/beta/needs/").status_code == 404
    _token, unbound = make_token(cast.network_admin)
    assert {a["slug"] for a in ApiClient(unbound).get("/api/v1/authorities/").json()["results"]} == {"alpha", "beta"}


@pytest.mark.django_db
def test_a_token_acts_with_no_more_than_its_persons_role_today(cast):
    from hosen.accounts.models import Membership

    _token, text = make_token(cast.team)
    client = ApiClient(text)
    assert client.get("/api/v1/authorities/alpha/").json()["role"] == "team"
    Membership.objects.filter(user=cast.team).delete()  # she left the authority: the token opens nothing there
    assert client.get("/api/v1/authorities/alpha/").status_code == 404


@pytest.mark.django_db
def test_last_used_is_noted(cast):
    token, text = make_token(cast.viewer)
    assert token.last_used_at is None
    ApiClient(text).get("/api/v1/authorities/")
    token.refresh_from_db()
    assert token.last_used_at is not None and timezone.now() - token.last_used_at < timedelta(seconds=30)


@pytest.mark.django_db
def test_a_person_revokes_her_own_token_and_nobody_elses(cast, client_for):
    mine, text = make_token(cast.manager)
    theirs, _other = make_token(cast.outsider)
    client = client_for(cast.manager)
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 403
    response = client.post(f"/accounts/tokens/{mine.pk}/revoke/", follow=True)
    assert b"is revoked" in response.content
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and mine.revoked_by == cast.manager and theirs.revoked_at is None
    assert ApiClient(text).get("/api/v1/authorities/").status_code == 401


@pytest.mark.django_db
def test_a_network_admin_lists_and_revokes_her_networks_tokens(cast, client_for):
    from hosen.accounts.models import Membership, Role, User
    from hosen.tenancy.models import Network

    token, text = make_token(cast.team, name="volunteer platform")
    elsewhere = Network.objects.create(name="Other", slug="other-net")
    stranger = User.objects.create_user("stranger@test.org", "x" * 20)
    Membership.objects.create(user=stranger, role=Role.NETWORK_ADMIN, network=elsewhere)
    foreign, _text = make_token(stranger, name="stranger's token")

    admin = client_for(cast.network_admin)
    page = admin.get("/network/tokens/").content.decode()
    assert "volunteer platform" in page and "team@test.org" in page and "stranger" not in page
    assert admin.post(f"/accounts/tokens/{foreign.pk}/revoke/").status_code == 403
    response = admin.post(f"/accounts/tokens/{token.pk}/revoke/", {"from": "network"})
    assert response.status_code == 302 and response["Location"] == "/network/tokens/"
    assert ApiClient(text).get("/api/v1/authorities/").status_code == 401
    assert client_for(cast.manager).get("/network/tokens/").status_code == 403


@pytest.mark.django_db
def test_requests_through_one_token_are_rate_limited(cast, settings):
    settings.RATELIMIT_API = "3/m"
    _token, text = make_token(cast.viewer)
    _token, other = make_token(cast.viewer)
    client = ApiClient(text)
    answers = [client.get("/api/v1/authorities/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    response = client.get("/api/v1/authorities/")
    assert response["Retry-After"] == "60" and response.json()["type"].endswith("/rate-limited")
    assert ApiClient(other).get("/api/v1/authorities/").status_code == 200  # counted per token


@pytest.mark.django_db
def test_a_signed_in_page_may_call_the_api_and_writes_need_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.manager)
    assert client.get("/api/v1/authorities/alpha/needs/").status_code == 200
    response = client.post("/api/v1/authorities/alpha/needs/", NEED, content_type="application/json")
    assert response.status_code == 403
    client.get("/accounts/tokens/")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post("/api/v1/authorities/alpha/needs/", NEED, content_type="application/json",
                           HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201


@pytest.mark.django_db
def test_api_writes_are_named_in_the_history_by_their_token(cast, client_for):
    _token, text = make_token(cast.team, name="volunteer platform")
    created = ApiClient(text).post_json("/api/v1/authorities/alpha/needs/", NEED).json()
    with scopes_disabled():
        version = Need.objects.get(pk=created["id"]).history.get()
    assert version.history_user == cast.team
    assert version.history_change_reason == "API: volunteer platform"
    page = client_for(cast.manager).get("/a/alpha/history/").content.decode()
    assert "volunteer platform" in page
