"""Allocating resources to needs: the services, a need's proposals, a person's needs, releasing, the
overview, the "assign all" plan, the evidence for item 14, and the queries per page."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from hosen.field.models import Need, NeedStatus, Site, SiteStatus
from hosen.integrity.testing import form_data
from hosen.resources import allocation as services
from hosen.resources.models import Allocation, Facility, FundingSource, Person, Skill
from hosen.workmodel import services as workmodel_services
from hosen.workmodel.evidence import EvidenceContext, evidence_for
from hosen.workmodel.models import EmergencyKind, Severity

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(cast, name, **kwargs):
    return reverse(f"resources:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def skill(key, *categories):
    return Skill.objects.get_or_create(key=key, defaults={"name_he": key, "name_ar": key, "name_en": key.title(),
                                                          "categories": list(categories)})[0]


def make_need(cast, *, authority=None, emergency=None, **fields):
    values = {"audience": "students", "category": "emotional", "description": "תמיכה רגשית", "urgency": 4,
              "status": NeedStatus.OPEN, **fields}
    with scopes_disabled():
        return Need.objects.create(authority=authority or cast.authority, emergency=emergency or cast.emergency,
                                   **values)


def make_person(cast, name, skills=(), *, authority=None, availability="available", emergency=None, **fields):
    authority = authority or cast.authority
    with scopes_disabled():
        person = Person.objects.create(authority=authority, name=name, kind=fields.pop("kind", "staff"),
                                       availability=availability,
                                       availability_emergency=emergency or cast.emergency, **fields)
        person.skills.set(skills)
    return person


def allocations(**filters):
    with scopes_disabled():
        return list(Allocation.objects.filter(**filters).order_by("pk"))


def refreshed(obj):
    with scopes_disabled():
        obj.refresh_from_db()
    return obj


@pytest.fixture
def team(cast):
    """Two counsellors and a driver; an urgent emotional need in the east, and a transport need."""
    with scopes_disabled():
        counselling = skill("counselling", "emotional")
        driving = skill("driving", "transport")
        site = Site.objects.create(authority=cast.authority, name="בית ספר אלון", kind="school", area="East",
                                   contact_name="Dana Levi", contact_phone="050-1234567")
    return {
        "need": make_need(cast, site=site, quantity=20, description="Support for evacuated parents"),
        "ride": make_need(cast, category="transport", urgency=2, description="A ride to the host school"),
        "ronit": make_person(cast, "Ronit Levi", [counselling], area="east", role="psychologist"),
        "noa": make_person(cast, "Noa Shemesh", [counselling], availability="partly"),
        "uri": make_person(cast, "Uri Katz", [driving]),
        "busy": make_person(cast, "Dov Busy", [counselling], availability="unavailable"),
        "site": site,
    }


# ---- the services -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_allocate_moves_the_need_to_in_progress_and_keeps_history(cast, team):
    need, ronit = team["need"], team["ronit"]
    with scope(authority=cast.authority):
        made = services.allocate(need, "person", ronit, user=cast.manager)
        assert made.person == ronit and made.allocated_by == cast.manager and made.released_at is None
        assert refreshed(need).status == NeedStatus.IN_PROGRESS
        record = made.history.get()
        assert (record.history_type, record.history_user) == ("+", cast.manager)
        statuses = list(need.history.order_by("history_date").values_list("status", "history_user"))
        assert statuses[-1] == (NeedStatus.IN_PROGRESS, cast.manager.pk)


@pytest.mark.django_db
def test_a_resource_cannot_be_allocated_twice_to_the_same_need(cast, team):
    need, ronit = team["need"], team["ronit"]
    with scope(authority=cast.authority):
        services.allocate(need, "person", ronit, user=cast.manager)
        with pytest.raises(services.AllocationError, match="already allocated"):
            services.allocate(refreshed(need), "person", ronit, user=cast.team)
        assert Allocation.objects.filter(need=need).count() == 1
        # The database holds the line by itself, whatever the code above it does.
        with pytest.raises(IntegrityError), transaction.atomic():
            Allocation.objects.create(authority=cast.authority, need=need, person=ronit)
        # Released, the same person may be allocated again.
        services.release(Allocation.objects.get(need=need), user=cast.manager)
        services.allocate(refreshed(need), "person", ronit, user=cast.manager)
        assert Allocation.objects.filter(need=need).count() == 2


@pytest.mark.django_db
def test_release_reopens_the_need_only_when_nothing_else_is_allocated(cast, team):
    need = team["need"]
    with scope(authority=cast.authority):
        first = services.allocate(need, "person", team["ronit"], user=cast.manager)
        second = services.allocate(refreshed(need), "person", team["noa"], user=cast.manager)
        assert services.release(first, user=cast.team)
        first.refresh_from_db()
        assert first.released_by == cast.team and first.released_at is not None
        assert refreshed(need).status == NeedStatus.IN_PROGRESS  # Noa is still on it
        assert services.release(second, user=cast.team)
        assert refreshed(need).status == NeedStatus.OPEN
        assert not services.release(second, user=cast.team)  # already released: nothing changes
        assert first.history.count() == 2  # created, released


@pytest.mark.django_db
def test_release_leaves_a_need_that_moved_on_alone(cast, team):
    need = team["need"]
    with scope(authority=cast.authority):
        made = services.allocate(need, "person", team["ronit"], user=cast.manager)
        Need.objects.filter(pk=need.pk).update(status=NeedStatus.MET)
        services.release(made, user=cast.manager)
        assert refreshed(need).status == NeedStatus.MET


@pytest.mark.django_db
def test_allocate_refuses_closed_needs_and_unavailable_resources(cast, team):
    with scope(authority=cast.authority):
        met = make_need(cast, status=NeedStatus.MET)
        with pytest.raises(services.AllocationError, match="no longer open"):
            services.allocate(met, "person", team["ronit"], user=cast.manager)
        with pytest.raises(services.AllocationError, match="not available"):
            services.allocate(team["need"], "person", team["busy"], user=cast.manager)
        with pytest.raises(services.AllocationError):
            services.allocate(team["need"], "nonsense", team["ronit"], user=cast.manager)
        workmodel_services.close_emergency(cast.emergency, "lessons")
        with pytest.raises(services.AllocationError, match="closed emergency"):
            services.allocate(refreshed(team["need"]), "person", team["ronit"], user=cast.manager)
        assert not allocations()


@pytest.mark.django_db
def test_need_data_reads_the_sites_protected_space(cast, team):
    site = team["site"]
    with scope(authority=cast.authority):
        def data():
            return services.need_data(services.with_site_protection(Need.objects.filter(pk=team["need"].pk))
                                      .select_related("site").get())

        assert data().lacks_protection  # no report, and the site has no protected space on record
        assert data().area == "east"
        SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site, status="open",
                                  protected_space_available=True)
        assert not data().lacks_protection
        SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site, status="open",
                                  protected_space_available=False, reported_at=timezone.now() + timedelta(minutes=1))
        assert data().lacks_protection
        # A later report that says nothing about the protected space does not undo the one that did.
        SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site, status="open",
                                  reported_at=timezone.now() + timedelta(minutes=2))
        assert data().lacks_protection


# ---- a need's proposals -------------------------------------------------------------------------


@pytest.mark.django_db
def test_need_matches_shows_proposals_best_first_with_reasons(cast, client_for, team):
    response = client_for(cast.team).get(url(cast, "need_matches", need_pk=team["need"].pk), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    # Ronit: counselling 6 + available 3 + same area 2 = 11; Noa: 6 + partly 1 = 7; Dov is unavailable, Uri drives.
    assert html.index("Ronit Levi") < html.index("Noa Shemesh")
    assert "Dov Busy" not in html and "Uri Katz" not in html
    assert "Skills that fit: Counselling" in html and "In the need&#x27;s area: east" in html
    assert html.count('name="resource"') == 2
    assert reverse("resources:person", kwargs={"authority_slug": cast.authority.slug,
                                               "person_pk": team["ronit"].pk}) in html


@pytest.mark.django_db
def test_allocating_with_htmx_swaps_the_block_and_moves_the_need(cast, client_for, team):
    need, ronit = team["need"], team["ronit"]
    client = client_for(cast.team)
    response = client.post(url(cast, "need_matches", need_pk=need.pk), {"kind": "person", "resource": ronit.pk},
                           **HTMX, **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<div id=\"match-block\"") and "<html" not in html
    assert "Ronit Levi is allocated to this need." in html
    assert "In progress" in html
    assert reverse("resources:allocation_release", kwargs={
        "authority_slug": cast.authority.slug, "allocation_pk": allocations()[0].pk}) in html
    assert refreshed(need).status == NeedStatus.IN_PROGRESS
    # Ronit is no longer proposed for this need; Noa still is.
    assert html.count('name="resource"') == 1

    # Again: a clear message in the block, not an error page.
    again = client.post(url(cast, "need_matches", need_pk=need.pk), {"kind": "person", "resource": ronit.pk},
                        **HTMX, **EN)
    assert again.status_code == 422
    assert "Ronit Levi is already allocated to this need." in again.content.decode()
    assert len(allocations()) == 1


@pytest.mark.django_db
def test_an_allocate_button_sent_twice_allocates_once_and_a_release_lets_it_allocate_again(cast, client_for, team):
    """A double tap (or a resend on a bad network) gets the first answer again and allocates once. Released
    and allocated again from the block that came back, it is a new allocation, not the first one replayed."""
    need, ronit = team["need"], team["ronit"]
    client = client_for(cast.team)
    here = url(cast, "need_matches", need_pk=need.pk)
    tap = form_data(client.get(here, **EN).content.decode(), having="resource", kind="person",
                    resource=str(ronit.pk))
    first, second = client.post(here, tap, **HTMX, **EN), client.post(here, tap, **HTMX, **EN)
    assert first.status_code == second.status_code == 200
    assert second["X-Hosen-Replayed"] == "1" and second.content == first.content
    assert "Ronit Levi is allocated to this need." in first.content.decode()
    made = allocations()
    assert len(made) == 1

    release = url(cast, "allocation_release", allocation_pk=made[0].pk)
    released = client.post(release, form_data(first.content.decode(), action=release), **HTMX, **EN)
    assert released.status_code == 200 and "Ronit Levi is released from this need." in released.content.decode()
    tap = form_data(released.content.decode(), having="resource", kind="person", resource=str(ronit.pk))
    again = client.post(here, tap, **HTMX, **EN)
    assert again.status_code == 200 and not again.has_header("X-Hosen-Replayed")
    assert "Ronit Levi is allocated to this need." in again.content.decode()
    assert [a.released_at is None for a in allocations(need=need)] == [False, True]


@pytest.mark.django_db
def test_allocating_without_javascript_redirects_with_a_message(cast, client_for, team):
    need, noa = team["need"], team["noa"]
    client = client_for(cast.manager)
    response = client.post(url(cast, "need_matches", need_pk=need.pk), {"kind": "person", "resource": noa.pk}, **EN)
    assert response.status_code == 302 and response["Location"] == url(cast, "need_matches", need_pk=need.pk)
    page = client.get(response["Location"], **EN).content.decode()
    assert "Noa Shemesh is allocated to this need." in page
    again = client.post(url(cast, "need_matches", need_pk=need.pk), {"kind": "person", "resource": noa.pk},
                        follow=True, **EN)
    assert "Noa Shemesh is already allocated to this need." in again.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"kind": "person"}, {"kind": "spaceship", "resource": "1"},
                                  {"kind": "person", "resource": "abc"}, {"kind": "person", "resource": "999999"}])
def test_bad_allocation_posts_change_nothing(cast, client_for, team, data):
    response = client_for(cast.manager).post(url(cast, "need_matches", need_pk=team["need"].pk), data, **HTMX, **EN)
    assert response.status_code == 422
    assert "errorlist" in response.content.decode()
    assert not allocations()
    assert refreshed(team["need"]).status == NeedStatus.OPEN


@pytest.mark.django_db
def test_another_authoritys_need_and_resources_stay_out(cast, client_for, team):
    theirs = make_need(cast, authority=cast.other_authority,
                       emergency=_other_emergency(cast))
    client = client_for(cast.manager)
    assert client.get(url(cast, "need_matches", need_pk=theirs.pk)).status_code == 404
    with scopes_disabled():
        stranger = make_person(cast, "Stranger", [Skill.objects.get(key="counselling")],
                               authority=cast.other_authority, emergency=_other_emergency(cast))
    html = client.get(url(cast, "need_matches", need_pk=team["need"].pk), **EN).content.decode()
    assert "Stranger" not in html
    response = client.post(url(cast, "need_matches", need_pk=team["need"].pk),
                           {"kind": "person", "resource": stranger.pk}, **HTMX, **EN)
    assert response.status_code == 422 and not allocations()


def _other_emergency(cast):
    from hosen.workmodel.models import Emergency

    with scopes_disabled():
        return Emergency.objects.get(authority=cast.other_authority)


@pytest.mark.django_db
def test_a_met_need_has_no_proposals(cast, client_for, team):
    need = make_need(cast, status=NeedStatus.MET)
    html = client_for(cast.manager).get(url(cast, "need_matches", need_pk=need.pk), **EN).content.decode()
    assert "there is nothing more to propose" in html and 'name="resource"' not in html


@pytest.mark.django_db
def test_a_viewer_sees_proposals_without_the_allocate_button(cast, client_for, team):
    html = client_for(cast.viewer).get(url(cast, "need_matches", need_pk=team["need"].pk), **EN).content.decode()
    assert "Ronit Levi" in html and 'name="resource"' not in html


@pytest.mark.django_db
def test_facilities_and_funding_are_proposed_and_allocated(cast, client_for, team):
    with scopes_disabled():
        shelter = Facility.objects.create(authority=cast.authority, name="Shelter 12", kind="shelter", area="East",
                                          is_protected=True, capacity=30, availability="available")
        Facility.objects.create(authority=cast.authority, name="Closed hall", kind="hall", availability="unavailable")
        fund = FundingSource.objects.create(authority=cast.authority, name="Parents fund", kind="philanthropic",
                                            status="approved", categories=["emotional"])
        FundingSource.objects.create(authority=cast.authority, name="Rejected fund", kind="business",
                                     status="rejected", categories=["emotional"])
        FundingSource.objects.create(authority=cast.authority, name="Late fund", kind="business", status="approved",
                                     categories=["emotional"], deadline=date(2020, 1, 1))
    client = client_for(cast.manager)
    html = client.get(url(cast, "need_matches", need_pk=team["need"].pk), **EN).content.decode()
    assert "Shelter 12" in html and "Parents fund" in html
    assert "A protected space, and the need&#x27;s site reports none" in html
    assert "Closed hall" not in html and "Rejected fund" not in html and "Late fund" not in html
    client.post(url(cast, "need_matches", need_pk=team["need"].pk), {"kind": "facility", "resource": shelter.pk})
    client.post(url(cast, "need_matches", need_pk=team["need"].pk), {"kind": "funding", "resource": fund.pk})
    with scopes_disabled():
        assert {(a.facility_id, a.funding_id) for a in Allocation.objects.all()} == {(shelter.pk, None),
                                                                                    (None, fund.pk)}


# ---- releasing ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_release_page_and_post(cast, client_for, team):
    need = team["need"]
    with scope(authority=cast.authority):
        made = services.allocate(need, "person", team["ronit"], user=cast.manager)
    client = client_for(cast.team)
    release_url = url(cast, "allocation_release", allocation_pk=made.pk)
    page = client.get(release_url, **EN)
    assert page.status_code == 200 and "Ronit Levi" in page.content.decode()
    response = client.post(release_url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == url(cast, "need_matches", need_pk=need.pk)
    made = refreshed(made)
    assert made.released_by == cast.team
    assert refreshed(need).status == NeedStatus.OPEN

    # With htmx, the need's block comes back, with Ronit proposed again.
    with scope(authority=cast.authority):
        again = services.allocate(refreshed(need), "person", team["ronit"], user=cast.manager)
    response = client.post(url(cast, "allocation_release", allocation_pk=again.pk), {"block": "need"}, **HTMX, **EN)
    html = response.content.decode()
    assert response.status_code == 200 and "Ronit Levi is released from this need." in html
    assert "Nothing is allocated to this need yet." in html and f'value="{team["ronit"].pk}"' in html


@pytest.mark.django_db
def test_release_in_a_closed_emergency_is_refused(cast, client_for, team):
    with scope(authority=cast.authority):
        made = services.allocate(team["need"], "person", team["ronit"], user=cast.manager)
        workmodel_services.close_emergency(cast.emergency, "lessons")
    response = client_for(cast.manager).post(url(cast, "allocation_release", allocation_pk=made.pk), follow=True,
                                             **EN)
    assert "closed emergency" in response.content.decode()
    assert refreshed(made).released_at is None


# ---- a person's needs ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_person_matches_lists_the_needs_she_could_meet_and_allocates(cast, client_for, team):
    ronit = team["ronit"]
    calm = make_need(cast, urgency=1, description="A support group, some day")
    make_need(cast, category="food", description="Food parcels")
    client = client_for(cast.manager)
    html = client.get(url(cast, "person_matches", person_pk=ronit.pk), **EN).content.decode()
    assert html.index("Support for evacuated parents") < html.index("A support group, some day")
    assert "Food parcels" not in html and "A ride to the host school" not in html

    response = client.post(url(cast, "person_matches", person_pk=ronit.pk), {"need": calm.pk}, **HTMX, **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ronit Levi is allocated to this need." in html
    assert f'name="need" value="{calm.pk}"' not in html  # no longer proposed: she is on it
    assert refreshed(calm).status == NeedStatus.IN_PROGRESS
    # Her other proposal now carries the cost of the allocation she has.
    assert "Already allocated to 1 other need" in html

    bad = client.post(url(cast, "person_matches", person_pk=ronit.pk), {"need": "999999"}, **HTMX, **EN)
    assert bad.status_code == 422 and "not on the register" in bad.content.decode()


@pytest.mark.django_db
def test_person_matches_without_an_emergency(cast, client_for, team):
    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "lessons")
    html = client_for(cast.manager).get(url(cast, "person_matches", person_pk=team["ronit"].pk),
                                        **EN).content.decode()
    assert "There is no open emergency" in html


# ---- the overview -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_overview_lists_urgent_needs_without_allocation_with_their_best_proposal(cast, client_for, team):
    other = make_need(cast, urgency=3, description="Counselling for teachers")
    make_need(cast, urgency=4, category="food", description="Nobody can do this one")
    make_need(cast, urgency=1, description="Not urgent at all")
    with scope(authority=cast.authority):
        services.allocate(other, "person", team["noa"], user=cast.manager)
    html = client_for(cast.viewer).get(url(cast, "matching"), **EN).content.decode()
    assert "Support for evacuated parents" in html and "Nobody can do this one" in html
    assert "Counselling for teachers" not in html and "Not urgent at all" not in html
    assert "Ronit Levi" in html  # the best proposal for the parents' support
    assert "Nothing on the registers fits this need yet." in html
    assert url(cast, "need_matches", need_pk=team["need"].pk) in html
    assert url(cast, "plan") in html


@pytest.mark.django_db
def test_overview_without_an_emergency(cast, client_for):
    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "lessons")
    html = client_for(cast.manager).get(url(cast, "matching"), **EN).content.decode()
    assert "There is no open emergency" in html


# ---- assign all ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_plan_proposes_each_free_resource_once(cast, client_for, team):
    second = make_need(cast, urgency=3, description="Counselling for teachers")
    html = client_for(cast.team).get(url(cast, "plan"), **EN).content.decode()
    pairs = {
        f"{team['need'].pk}:person:{team['ronit'].pk}",  # critical, best fit
        f"{second.pk}:person:{team['noa'].pk}",
        f"{team['ride'].pk}:person:{team['uri'].pk}",
    }
    found = set(_checkbox_values(html))
    assert found == pairs
    assert "3 of 3 open needs get a resource." in html


def _checkbox_values(html):
    import re

    return re.findall(r'name="pair" value="([^"]+)" checked', html)


@pytest.mark.django_db
def test_plan_accepts_the_ticked_pairs_and_skips_the_stale_ones(cast, client_for, team):
    second = make_need(cast, urgency=3, description="Counselling for teachers")
    client = client_for(cast.manager)
    values = _checkbox_values(client.get(url(cast, "plan")).content.decode())
    assert len(values) == 3
    # Meanwhile: someone allocates Noa elsewhere, and the ride is met.
    elsewhere = make_need(cast, urgency=1, description="elsewhere")
    with scope(authority=cast.authority):
        services.allocate(elsewhere, "person", team["noa"], user=cast.team)
        Need.objects.filter(pk=team["ride"].pk).update(status=NeedStatus.MET)
    response = client.post(url(cast, "plan"), {"pair": values + ["garbage", f"{second.pk}:person:999999"]},
                           follow=True, **EN)
    html = response.content.decode()
    assert "1 allocation made." in html
    assert "the resource is no longer free" in html and "the need is no longer open" in html
    assert "not found" in html
    with scopes_disabled():
        made = Allocation.objects.filter(allocated_by=cast.manager)
        assert [(a.need_id, a.person_id) for a in made] == [(team["need"].pk, team["ronit"].pk)]
    assert refreshed(team["need"]).status == NeedStatus.IN_PROGRESS
    assert refreshed(second).status == NeedStatus.OPEN


@pytest.mark.django_db
def test_plan_accepts_in_part(cast, client_for, team):
    client = client_for(cast.manager)
    values = _checkbox_values(client.get(url(cast, "plan")).content.decode())
    chosen = [v for v in values if v.startswith(f"{team['ride'].pk}:")]
    client.post(url(cast, "plan"), {"pair": chosen})
    with scopes_disabled():
        assert [(a.need_id, a.person_id) for a in Allocation.objects.all()] == [(team["ride"].pk, team["uri"].pk)]
    # The next proposal leaves out the need now in progress and the resource now used.
    values = _checkbox_values(client.get(url(cast, "plan")).content.decode())
    assert all(not v.startswith(f"{team['ride'].pk}:") and not v.endswith(f":person:{team['uri'].pk}")
               for v in values)


@pytest.mark.django_db
def test_plan_refuses_a_resource_twice_in_one_post(cast, client_for, team):
    second = make_need(cast, urgency=3, description="Counselling for teachers")
    ronit = team["ronit"].pk
    response = client_for(cast.manager).post(url(cast, "plan"), {"pair": [
        f"{team['need'].pk}:person:{ronit}", f"{second.pk}:person:{ronit}"]}, follow=True, **EN)
    assert "the resource is no longer free" in response.content.decode()
    with scopes_disabled():
        assert len(allocations()) == 1


@pytest.mark.django_db
def test_plan_with_nothing_ticked(cast, client_for, team):
    response = client_for(cast.manager).post(url(cast, "plan"), {}, follow=True, **EN)
    assert "Tick at least one pair" in response.content.decode()
    assert not allocations()


@pytest.mark.django_db
def test_accept_plan_is_all_or_nothing(cast, team, monkeypatch):
    """A failure in the middle of accepting leaves no allocation behind."""
    second = make_need(cast, urgency=3, description="Counselling for teachers")
    real = services.allocate
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "allocate", failing)
    with scope(authority=cast.authority), pytest.raises(RuntimeError):
        services.accept_plan(cast.authority, cast.emergency, [
            (team["need"].pk, "person", team["ronit"].pk), (second.pk, "person", team["noa"].pk)], user=cast.manager)
    with scopes_disabled():
        assert not allocations()
    assert refreshed(team["need"]).status == NeedStatus.OPEN


# ---- evidence, item 14 --------------------------------------------------------------------------


@pytest.mark.django_db
def test_evidence_for_item_14(cast, team):
    ctx = EvidenceContext(cast.authority, cast.emergency, cast.round)
    with scope(authority=cast.authority):
        assert evidence_for(ctx, [14])[14].text == "No one allocated to a need yet"
        services.allocate(team["need"], "person", team["ronit"], user=cast.manager)
        services.allocate(team["ride"], "person", team["uri"], user=cast.manager)
        Need.objects.filter(pk=team["ride"].pk).update(status=NeedStatus.MET)
        text = evidence_for(ctx, [14])[14].text
    assert text.startswith("2 active allocations of people to needs")
    assert "2 people" in text and "1 need met with allocated people" in text


# ---- queries per page ---------------------------------------------------------------------------


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _grow(cast, n):
    """More of everything the matching pages loop over."""
    with scopes_disabled():
        skills = [skill("counselling", "emotional"), skill("driving", "transport"), skill("teaching", "learning")]
        for i in range(n):
            site = Site.objects.create(authority=cast.authority, name=f"Grown site {n}-{i}", kind="school",
                                       area=f"area {i % 3}")
            SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site, status="open",
                                      protected_space_available=bool(i % 2))
            need = make_need(cast, site=site, urgency=3 + i % 2, category=["emotional", "learning", "space"][i % 3],
                             description=f"grown need {i}")
            person = make_person(cast, f"Grown person {n}-{i}", [skills[i % 3], skills[(i + 1) % 3]],
                                 area=f"area {i % 3}", languages=["he", "ar"])
            Facility.objects.create(authority=cast.authority, name=f"Grown hall {n}-{i}", kind="hall", site=site,
                                    is_protected=bool(i % 2), capacity=40)
            FundingSource.objects.create(authority=cast.authority, name=f"Grown fund {n}-{i}", kind="municipal",
                                         status="approved", categories=["emotional", "learning"])
            if i % 2:
                Allocation.objects.create(authority=cast.authority, need=need, person=person, allocated_by=cast.team)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["need_matches", "person_matches", "matching", "plan"])
def test_queries_per_page_do_not_grow(cast, client_for, team, page):
    with scope(authority=cast.authority):
        services.allocate(team["need"], "person", team["noa"], user=cast.manager)
    kwargs = {"need_matches": {"need_pk": team["need"].pk}, "person_matches": {"person_pk": team["ronit"].pk}}
    path = url(cast, page, **kwargs.get(page, {}))
    client = client_for(cast.manager)
    _grow(cast, 2)
    client.get(path)  # warm the session and language caches
    small = _count(client, path)
    _grow(cast, 12)
    large = _count(client, path)
    assert large == small, f"{page}: {small} queries with little data, {large} with more"
    assert large <= 22, f"{page}: {large} queries"


@pytest.mark.django_db
def test_plan_is_deterministic(cast, client_for, team):
    _grow(cast, 6)
    client = client_for(cast.manager)
    first = _checkbox_values(client.get(url(cast, "plan")).content.decode())
    assert first and first == _checkbox_values(client.get(url(cast, "plan")).content.decode())


@pytest.mark.django_db
def test_allocation_in_another_emergency_does_not_show(cast, client_for, team):
    """A need of a closed emergency keeps its allocations but takes no new ones, and the overview of the
    new emergency does not count them."""
    with scope(authority=cast.authority):
        services.allocate(team["need"], "person", team["ronit"], user=cast.manager)
        workmodel_services.close_emergency(cast.emergency, "lessons")
    with scopes_disabled():
        workmodel_services.open_emergency(cast.authority, cast.manager, name="New", kind=EmergencyKind.FLOOD,
                                          started_on=date(2026, 11, 1), severity=Severity.LOW)
    client = client_for(cast.manager)
    html = client.get(url(cast, "need_matches", need_pk=team["need"].pk), **EN).content.decode()
    assert "Ronit Levi" in html and "This need belongs to a closed emergency." in html
    assert 'name="resource"' not in html
    overview = client.get(url(cast, "matching"), **EN).content.decode()
    assert "Support for evacuated parents" not in overview
