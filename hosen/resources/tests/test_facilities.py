"""The facilities register: the list with its filters and totals, a facility's page, the form (only this
authority's sites), archive, the export, and the queries each page costs."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from hosen.field.models import Need, Site
from hosen.integrity.testing import loaded, page_forms, with_version
from hosen.resources.models import Allocation, Facility

from .matrix_registers import make_facility

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(cast, name, **kwargs):
    return reverse(f"resources:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def make_site(authority, name, **fields):
    with scopes_disabled():
        return Site.objects.create(authority=authority, name=name, kind="school", **fields)


@pytest.fixture
def facilities(cast):
    """facility        kind       area   protected  capacity  availability
    shelter 12       shelter    North  yes          80      available
    school mamad     classroom  South  yes          35      unavailable
    sports hall      hall       North  no          300      partly
    maker lab        lab        South  no           25      available
    yard             outdoor    —      no            —      unknown
    archived hall    hall       North  yes         500      available   (archived)
    theirs           (another authority, protected, 1000)
    Totals: 5 facilities for 440 people; 2 protected spaces for 115, 1 of them available now for 80."""
    alon = make_site(cast.authority, "Alon school", code="111")
    return {
        "alon": alon,
        "shelter": make_facility(cast.authority, "Shelter 12", "shelter", area="North", is_protected=True,
                                 capacity=80, availability="available", key_holder="Moshe",
                                 key_holder_phone="052-7654321"),
        "mamad": make_facility(cast.authority, "School mamad", "classroom", area="South", is_protected=True,
                               capacity=35, availability="unavailable", site=alon),
        "hall": make_facility(cast.authority, "Sports hall", "hall", area="North", capacity=300, availability="partly",
                              equipment="Projector, sound"),
        "lab": make_facility(cast.authority, "Maker lab", "lab", area="South", capacity=25, availability="available"),
        "yard": make_facility(cast.authority, "Yard", "outdoor"),
        "archived": make_facility(cast.authority, "Archived hall", "hall", area="North", is_protected=True,
                                  capacity=500, availability="available", is_active=False),
        "theirs": make_facility(cast.other_authority, "Their secret shelter", "shelter", is_protected=True,
                                capacity=1000, availability="available"),
    }


def listed(response):
    return [facility.name for facility in response.context["page"].object_list]


@pytest.mark.django_db
def test_the_list_shows_the_facilities_with_totals(cast, client_for, facilities):
    response = client_for(cast.viewer).get(url(cast, "facilities"), **EN)
    assert response.status_code == 200
    assert listed(response) == ["Maker lab", "School mamad", "Shelter 12", "Sports hall", "Yard"]
    assert response.context["totals"] == {"facilities": 5, "people": 440, "protected": 2, "protected_capacity": 115,
                                          "usable": 1, "usable_capacity": 80}
    html = response.content.decode()
    assert "Their secret shelter" not in html and "Archived hall" not in html
    assert "Alon school" in html and 'href="tel:052-7654321"' in html
    assert response.context["archived_count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected", [
    ({"protected": "1"}, ["School mamad", "Shelter 12"]),
    ({"protected": "0"}, ["Maker lab", "Sports hall", "Yard"]),
    ({"capacity": "80"}, ["Shelter 12", "Sports hall"]),
    ({"capacity": "30", "protected": "1"}, ["School mamad", "Shelter 12"]),
    ({"availability": "available"}, ["Maker lab", "Shelter 12"]),
    ({"area": "South"}, ["Maker lab", "School mamad"]),
    ({"kind": "hall"}, ["Sports hall"]),
    ({"q": "projector"}, ["Sports hall"]),
    ({"capacity": "-3"}, ["Maker lab", "School mamad", "Shelter 12", "Sports hall", "Yard"]),
    ({"capacity": "many"}, ["Maker lab", "School mamad", "Shelter 12", "Sports hall", "Yard"]),
])
def test_filters(cast, client_for, facilities, query, expected):
    assert listed(client_for(cast.team).get(url(cast, "facilities"), query, **EN)) == expected


@pytest.mark.django_db
def test_totals_follow_the_filters(cast, client_for, facilities):
    response = client_for(cast.team).get(url(cast, "facilities"), {"area": "North"}, **EN)
    assert response.context["totals"] == {"facilities": 2, "people": 380, "protected": 1, "protected_capacity": 80,
                                          "usable": 1, "usable_capacity": 80}


def facility_data(**overrides):
    data = {"name": "Community hall", "kind": "hall", "site": "", "address": "Herzl 1", "area": "East",
            "is_protected": "on", "capacity": "120", "equipment": "chairs", "key_holder": "Avi",
            "key_holder_phone": "0521234567", "availability": "partly", "notes": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_a_new_facility_linked_to_a_site(cast, client_for, facilities):
    response = client_for(cast.team).post(url(cast, "facility_new"),
                                          facility_data(site=str(facilities["alon"].pk)), **EN)
    assert response.status_code == 302
    with scopes_disabled():
        facility = Facility.objects.get(name="Community hall")
    assert response["Location"] == url(cast, "facility", facility_pk=facility.pk)
    assert (facility.site, facility.is_protected, facility.capacity, facility.key_holder_phone) == (
        facilities["alon"], True, 120, "052-1234567")


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, message", [
    ({"capacity": "-1"}, "capacity", "The number cannot be negative."),
    ({"capacity": "5000000"}, "capacity", "That is more than 1000000: check the number."),
    ({"key_holder_phone": "123"}, "key_holder_phone", "is not a phone number we can call"),
    ({"kind": ""}, "kind", "Choose the kind of facility."),
    ({"availability": "always"}, "availability", "Select a valid choice."),
])
def test_bad_input_gets_a_clear_message_and_saves_nothing(cast, client_for, facilities, overrides, field, message):
    with scopes_disabled():
        before = Facility.objects.count()
    response = client_for(cast.manager).post(url(cast, "facility_new"), facility_data(**overrides), **EN)
    assert response.status_code == 422
    assert any(message in error for error in response.context["form"].errors[field]), response.context["form"].errors
    with scopes_disabled():
        assert Facility.objects.count() == before


@pytest.mark.django_db
def test_only_this_authoritys_active_sites_can_be_linked(cast, client_for, facilities):
    theirs = make_site(cast.other_authority, "Their school")
    closed = make_site(cast.authority, "Closed school", is_active=False)
    client = client_for(cast.manager)
    page = client.get(url(cast, "facility_new"), **EN).content.decode()
    assert "Alon school" in page and "Their school" not in page and "Closed school" not in page
    for site in (theirs, closed):
        response = client.post(url(cast, "facility_new"), facility_data(site=str(site.pk)), **EN)
        assert response.status_code == 422
        assert response.context["form"].errors["site"] == ["Choose one of this authority's sites."]


@pytest.mark.django_db
def test_the_facility_page_shows_details_allocations_and_history(cast, client_for, facilities):
    mamad = facilities["mamad"]
    with scopes_disabled():
        need = Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                   category="space", description="A protected room for grade 3")
        Allocation.objects.create(authority=cast.authority, need=need, facility=mamad, allocated_by=cast.manager)
    client = client_for(cast.manager)
    assert client.post(url(cast, "facility_edit", facility_pk=mamad.pk),
                       with_version(mamad, facility_data(name="School mamad", site=""))).status_code == 302
    response = client.get(url(cast, "facility", facility_pk=mamad.pk), **EN)
    assert response.status_code == 200
    assert "A protected room for grade 3" in response.content.decode()
    changes = {str(label): (before, after) for label, before, after in response.context["history"][0]["changes"]}
    assert changes["site"] == ("Alon school", "—")
    assert changes["capacity (people)"] == (35, 120)
    assert client.get(url(cast, "facility", facility_pk=facilities["theirs"].pk)).status_code == 404


@pytest.mark.django_db
def test_archive_and_restore(cast, client_for, facilities):
    client = client_for(cast.team)
    hall = facilities["hall"]
    assert client.post(url(cast, "facility_edit", facility_pk=hall.pk),
                       with_version(hall, action="archive")).status_code == 302
    assert "Sports hall" not in listed(client.get(url(cast, "facilities")))
    assert "Sports hall" in listed(client.get(url(cast, "facilities"), {"archived": "1"}))
    assert client.post(url(cast, "facility_edit", facility_pk=hall.pk),
                       with_version(hall, action="restore")).status_code == 302
    assert "Sports hall" in listed(client.get(url(cast, "facilities")))


def archive_form(client, page):
    """The data of the page's archive (or restore) form: the POST form with a version and no fields to edit."""
    response = client.get(page)
    assert response.status_code == 200
    form = next(form for form in page_forms(response.content.decode())
                if form.attrs.get("method") == "post" and "version" in form.names and "name" not in form.names)
    return dict(form.fields)


@pytest.mark.django_db
def test_archiving_from_a_page_loaded_before_a_change_applies_nothing(cast, client_for, facilities):
    """The manager opened the facility's form; meanwhile the team wrote that the hall is not available.
    Her "Archive" is not applied over a change she has not seen: she sees it, and chooses again."""
    from django.test import Client

    hall = facilities["hall"]
    manager, team = Client(**EN), Client(**EN)
    manager.force_login(cast.manager)
    team.force_login(cast.team)
    edit = url(cast, "facility_edit", facility_pk=hall.pk)
    hers = archive_form(manager, edit)
    his = loaded(team, edit, having="name", availability="unavailable")
    assert team.post(edit, his).status_code == 302

    response = manager.post(edit, {**hers, "action": "archive"})
    assert response.status_code == 302 and response["Location"] == edit
    assert "changed this meanwhile" in manager.get(edit).content.decode()
    with scopes_disabled():
        hall.refresh_from_db()
    assert hall.is_active and hall.availability == "unavailable"
    # From the page as it is now, archiving applies; sent again, it stays archived and says so calmly.
    again = archive_form(manager, edit)
    assert manager.post(edit, {**again, "action": "archive"}).status_code == 302
    assert manager.post(edit, {**again, "action": "archive"}).status_code == 302
    with scopes_disabled():
        hall.refresh_from_db()
    assert not hall.is_active


@pytest.mark.django_db
def test_export_has_the_filtered_facilities_with_hxl_tags(cast, client_for, facilities):
    response = client_for(cast.viewer).get(url(cast, "facilities_export", fmt="xlsx"), {"protected": "1"}, **EN)
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][:3] == ("#loc+name", "#loc+type", "#loc+site+name")
    assert [row[0] for row in rows[2:]] == ["School mamad", "Shelter 12"]
    mamad = dict(zip(rows[0], rows[2], strict=True))
    assert (mamad["site"], mamad["protected space"], mamad["capacity (people)"]) == ("Alon school", "yes", 35)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["list", "detail"])
def test_queries_do_not_grow(cast, client_for, facilities, page):
    client = client_for(cast.team)
    path = url(cast, "facilities") if page == "list" else url(cast, "facility", facility_pk=facilities["mamad"].pk)
    client.get(path)
    with CaptureQueriesContext(connection) as small:
        client.get(path)
    sites = [make_site(cast.authority, f"Site {n}") for n in range(5)]
    for n in range(60):
        make_facility(cast.authority, f"F{n}", is_protected=n % 2 == 0, capacity=n, site=sites[n % 5],
                      area=f"Area {n % 7}")
    mamad = facilities["mamad"]
    with scopes_disabled():
        for n in range(20):
            mamad.site = sites[n % 5]
            mamad.save()
            need = Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                       category="space", description=f"need {n}")
            Allocation.objects.create(authority=cast.authority, need=need, facility=mamad)
    with CaptureQueriesContext(connection) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small), f"{len(small)} then {len(large)}"
    assert len(large) <= 12, len(large)


@pytest.mark.django_db
def test_evidence_for_facilities(cast, facilities, django_assert_max_num_queries):
    from .test_people import evidence

    with django_assert_max_num_queries(2):
        found = evidence(cast, 19)
    assert found[19].text == ("5 facilities mapped; 2 protected spaces, 1 of them available now for 80 people")
    assert found[19].url == url(cast, "facilities") + "?protected=1"
