"""Quick-report links, the manager's side: create, list with their use, share, revoke."""

import re
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.field.models import ReportLink, SiteStatus
from hosen.field.views_links import whatsapp_number
from hosen.workmodel import services as workmodel_services

from .matrix_links import make_link, make_site


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def links_url(cast):
    return reverse("field:links", kwargs={"authority_slug": cast.authority.slug})


def revoke_url(cast, link):
    return reverse("field:link_revoke", kwargs={"authority_slug": cast.authority.slug, "link_pk": link.pk})


@pytest.fixture
def sites(cast):
    return {
        "alon": make_site(cast.authority, "Alon School", area="North"),
        "shaked": make_site(cast.authority, "Shaked Kindergarten", kind="kindergarten", area="North"),
        "dekel": make_site(cast.authority, "Dekel School", area="South"),
        "theirs": make_site(cast.other_authority, "Their School", area="North"),
    }


def new_link(**overrides):
    data = {"site": "", "group_kind": "", "group_area": "", "label": "", "valid_for": "7", "unit": "days"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_manager_creates_a_site_link_valid_for_seven_days(cast, client_for, sites):
    client = client_for(cast.manager)
    page = client.get(links_url(cast))
    assert page.status_code == 200
    assert 'name="valid_for"' in page.content.decode() and 'value="7"' in page.content.decode()
    before = timezone.now()
    response = client.post(links_url(cast), new_link(site=str(sites["alon"].pk), label="Alon principal"))
    assert response.status_code == 302
    with scopes_disabled():
        link = ReportLink.objects.get()
    assert response["Location"] == f"{links_url(cast)}#link-{link.pk}"
    assert (link.authority, link.emergency, link.site, link.label) == (cast.authority, cast.emergency, sites["alon"],
                                                                       "Alon principal")
    assert link.created_by == cast.manager and link.revoked_at is None
    assert before + timedelta(days=7) <= link.expires_at <= timezone.now() + timedelta(days=7)
    assert len(link.token) >= 32

    html = client.get(links_url(cast)).content.decode()
    url = f"http://testserver/r/{link.token}/"
    assert f'value="{url}"' in html and "data-select-on-focus" in html and "data-copy=" in html
    assert "https://wa.me/?text=" in html and quote(url, safe="") in html
    assert reverse("field:link_revoke", kwargs={"authority_slug": cast.authority.slug, "link_pk": link.pk}) in html


@pytest.mark.django_db
def test_manager_creates_a_group_link_by_kind_and_area(cast, client_for, sites):
    client = client_for(cast.manager)
    html = client.get(links_url(cast)).content.decode()
    assert '<option value="North">' in html and '<option value="South">' in html
    assert "Their School" not in html  # another authority's site is not offered
    response = client.post(links_url(cast), new_link(group_kind="school", group_area="North", valid_for="36",
                                                      unit="hours"))
    assert response.status_code == 302
    with scopes_disabled():
        link = ReportLink.objects.get()
        assert list(link.sites()) == [sites["alon"]]
    assert (link.site, link.group_kind, link.group_area) == (None, "school", "North")
    assert timedelta(hours=35) < link.expires_at - timezone.now() <= timedelta(hours=36)


@pytest.mark.django_db
@pytest.mark.parametrize("data, message", [
    ({"site": "alon", "group_kind": "school"}, "Choose one site, or a group of sites: not both."),
    ({"group_kind": "stem_centre"}, "No active site belongs to this group."),
    ({"group_area": "Atlantis"}, "Select a valid choice"),
    ({"site": "theirs"}, "Select a valid choice"),
    ({"valid_for": "61"}, "at most 60 days"),
    ({"valid_for": str(60 * 24 + 1), "unit": "hours"}, "at most 60 days"),
    ({"valid_for": "0"}, "Enter 1 or more."),
    ({"valid_for": "99999999999999"}, "at most 60 days"),
    ({"valid_for": "soon"}, "Enter a whole number"),
    ({"unit": "years"}, "Select a valid choice"),
    ({"label": "x" * 201}, "at most 200 characters"),
])
def test_bad_link_forms_say_why_and_create_nothing(cast, client_for, sites, data, message):
    client = client_for(cast.manager)
    client.cookies["django_language"] = "en"
    data = {k: str(sites[v].pk) if k == "site" else v for k, v in data.items()}
    response = client.post(links_url(cast), new_link(**data))
    assert response.status_code == 422
    assert message in response.content.decode()
    with scopes_disabled():
        assert not ReportLink.objects.exists()


@pytest.mark.django_db
def test_the_list_shows_use_state_and_only_the_current_emergency(cast, client_for, sites):
    active = make_link(cast.authority, cast.emergency, site=sites["alon"], label="Active one")
    expired = make_link(cast.authority, cast.emergency, group_area="North", hours=-2, label="Expired one")
    revoked = make_link(cast.authority, cast.emergency, group_kind="kindergarten", label="Revoked one")
    theirs = make_link(cast.other_authority, _their_emergency(cast), label="Their link")
    with scopes_disabled():
        revoked.revoked_at = timezone.now()
        revoked.save()
        for n in range(3):
            SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=sites["alon"],
                                      status="open", via_link=active,
                                      reported_at=timezone.now() - timedelta(hours=3 - n))
    client = client_for(cast.team)
    client.cookies["django_language"] = "en"
    html = client.get(links_url(cast)).content.decode()
    assert "Active one" in html and "Expired one" in html and "Revoked one" in html
    assert "Their link" not in html
    assert "3 reports" in html and "0 reports" in html
    assert re.search(r"state-expired", html) and re.search(r"state-revoked", html)
    # Only the manager hands links out: the team sees them without their keys.
    assert active.token not in html and theirs.token not in html
    assert 'name="valid_for"' not in html

    manager_html = client_for(cast.manager).get(links_url(cast)).content.decode()
    assert active.token in manager_html
    assert expired.token not in manager_html and revoked.token not in manager_html  # no use sharing them

    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "Lessons from the first emergency.")
        workmodel_services.open_emergency(cast.authority, cast.manager, name="Second", kind="war",
                                          started_on=timezone.localdate(), severity=2)
    html = client_for(cast.manager).get(links_url(cast)).content.decode()
    assert "Active one" not in html and "No links for this emergency yet" in html


def _their_emergency(cast):
    from hosen.workmodel.services import current_emergency

    with scopes_disabled():
        return current_emergency(cast.other_authority)


@pytest.mark.django_db
def test_without_an_open_emergency_the_page_explains(cast, client_for, sites):
    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "Lessons from the first emergency.")
    client = client_for(cast.manager)
    client.cookies["django_language"] = "en"
    response = client.get(links_url(cast))
    assert response.status_code == 200
    assert "There is no open emergency" in response.content.decode()
    assert client.post(links_url(cast), new_link(site=str(sites["alon"].pk))).status_code == 200
    with scopes_disabled():
        assert not ReportLink.objects.exists()


@pytest.mark.django_db
def test_revoking_asks_first_then_stops_the_link(cast, client_for, sites):
    link = make_link(cast.authority, cast.emergency, site=sites["alon"])
    public = reverse("field_public:report", kwargs={"link_token": link.token})
    client = client_for(cast.manager)
    assert client.get(public).status_code == 200
    confirm = client.get(revoke_url(cast, link))
    assert confirm.status_code == 200 and 'class="button danger"' in confirm.content.decode()
    with scopes_disabled():
        link.refresh_from_db()
    assert link.revoked_at is None  # a GET changes nothing

    response = client.post(revoke_url(cast, link))
    assert response.status_code == 302 and response["Location"] == links_url(cast)
    with scopes_disabled():
        link.refresh_from_db()
        revoked_at = link.revoked_at
        assert link.history.count() == 2  # the revocation is in the audit history
    assert revoked_at is not None
    assert client.get(public).status_code == 410
    client.post(revoke_url(cast, link))
    with scopes_disabled():
        link.refresh_from_db()
    assert link.revoked_at == revoked_at  # revoking twice keeps the first time
    client.cookies["django_language"] = "en"
    again = client.get(revoke_url(cast, link)).content.decode()
    assert "This link was revoked on" in again and 'class="button danger"' not in again


@pytest.mark.django_db
def test_another_authoritys_link_cannot_be_revoked_from_here(cast, client_for, sites):
    theirs = make_link(cast.other_authority, _their_emergency(cast), site=sites["theirs"])
    client = client_for(cast.manager)
    assert client.get(revoke_url(cast, theirs)).status_code == 404
    assert client.post(revoke_url(cast, theirs)).status_code == 404
    with scopes_disabled():
        theirs.refresh_from_db()
    assert theirs.revoked_at is None
    missing = reverse("field:link_revoke", kwargs={"authority_slug": cast.authority.slug, "link_pk": 999999})
    assert client.get(missing).status_code == 404


@pytest.mark.django_db
def test_team_and_viewer_cannot_create_or_revoke(cast, client_for, sites):
    link = make_link(cast.authority, cast.emergency, site=sites["alon"])
    for user in (cast.team, cast.viewer):
        client = client_for(user)
        assert client.post(links_url(cast), new_link(site=str(sites["alon"].pk))).status_code == 403
        assert client.post(revoke_url(cast, link)).status_code == 403
    with scopes_disabled():
        assert ReportLink.objects.count() == 1
        link.refresh_from_db()
    assert link.revoked_at is None


def test_whatsapp_numbers_are_international():
    assert whatsapp_number("050-123 4567") == "972501234567"
    assert whatsapp_number("+972 50 123 4567") == "972501234567"
    assert whatsapp_number("00972501234567") == "972501234567"


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "team"])
def test_queries_on_the_links_page_do_not_grow(cast, client_for, sites, role):
    client = client_for(getattr(cast, role))
    link = make_link(cast.authority, cast.emergency, site=sites["alon"])
    with scopes_disabled():
        SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=sites["alon"],
                                  status="open", via_link=link, submission=uuid.uuid4())
    client.get(links_url(cast))
    small = _count(client, links_url(cast))
    with scopes_disabled():
        for n in range(20):
            site = make_site(cast.authority, f"Grown {n}", area=f"Area {n}")
            grown = make_link(cast.authority, cast.emergency, site=site if n % 2 else None,
                              group_area="" if n % 2 else f"Area {n}")
            SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site, status="open",
                                      via_link=grown)
    large = _count(client, links_url(cast))
    assert large == small <= 12, (small, large)
