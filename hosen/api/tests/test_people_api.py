"""People, skills, facilities, funding and channels through the API, as the registers' pages work them: the
same filters giving the same people, the exports with their HXL row, creates sent twice, two people editing one
record, bad input named per field — and phones and e-mails only for the manager and the team."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.field.tests.matrix_links import make_site
from hosen.resources import skills as vocabulary
from hosen.resources.models import Channel, Facility, FundingSource, Person, Skill
from hosen.resources.tests.matrix_registers import make_channel, make_facility, make_funding, make_person
from hosen.workmodel import services
from hosen.workmodel.models import Emergency, EmergencyKind, Phase, Severity

from .conftest import ApiClient, make_token

BASE = "/api/v1/authorities/alpha"
PEOPLE = f"{BASE}/people/"
FACILITIES = f"{BASE}/facilities/"
FUNDING = f"{BASE}/funding/"
CHANNELS = f"{BASE}/channels/"
HE = {"HTTP_ACCEPT_LANGUAGE": "he"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def api(user, **options):
    return ApiClient(make_token(user, **options)[1])


@pytest.fixture
def skills(db):
    vocabulary.load_skills()
    return {skill.key: skill for skill in Skill.objects.all()}


@pytest.fixture
def people(cast, skills):
    """The people register of test_people.py's list tests: five active people, one archived, one elsewhere."""
    a, now = cast.authority, cast.emergency
    with scopes_disabled():
        old = Emergency.objects.create(authority=a, name="ישן", kind=EmergencyKind.FIRE, started_on=date(2025, 1, 1),
                                       severity=Severity.LOW, phase=Phase.CLOSED)
    return {
        "dana": make_person(a, "Dana Levi", "staff", [skills["teaching"], skills["stem-instruction"]],
                            languages=["he", "en"], area="North", availability="available",
                            availability_emergency=now, phone="050-1111111", email="dana@example.org"),
        "yossi": make_person(a, "Yossi Cohen", "staff", [skills["laptop-repair"]], languages=["he"], area="South",
                             availability="partly", availability_emergency=now),
        "muhammad": make_person(a, "Muhammad Halabi", "partner", [skills["emotional-first-aid"]],
                                organisation="Science for all", languages=["ar", "he"], area="North",
                                availability="unavailable", availability_emergency=now),
        "tigist": make_person(a, "Tigist Malko", "volunteer", [skills["driving"], skills["cooking"]],
                              languages=["am", "he"], area="South", availability="available",
                              availability_emergency=old),
        "sasha": make_person(a, "Sasha Petrov", "activist", [skills["tech-support"]], languages=["ru"], area="North"),
        "archived": make_person(a, "Archived Person", "volunteer", [skills["driving"]], languages=["he"],
                                area="North", availability="available", availability_emergency=now, is_active=False),
        "theirs": make_person(cast.other_authority, "Their Secret Person", "volunteer", [skills["driving"]],
                              languages=["he"], area="North"),
    }


def names(response):
    assert response.status_code == 200, response.content[:300]
    return sorted(person["name"] for person in response.json()["results"])


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def count(model, **filters):
    with scopes_disabled():
        return model.objects.filter(**filters).count()


# ---- people: the list --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    {}, {"kind": "staff"}, {"skill": "driving"}, {"skill": "teaching"}, {"language": "he"}, {"language": "ar"},
    {"area": "North"}, {"availability": "unknown"}, {"availability": "available"}, {"q": "science"},
    {"q": "dana@"}, {"area": "North", "language": "he", "kind": "partner"},
])
def test_the_people_filters_give_what_the_pages_filters_give(cast, client_for, people, manager_api, query):
    page = client_for(cast.manager).get(reverse("resources:people", kwargs={"authority_slug": "alpha"}), query)
    on_the_page = sorted(person.name for person in page.context["page"].object_list)
    assert names(manager_api.get(PEOPLE, query)) == on_the_page
    assert "Their Secret Person" not in on_the_page and "Archived Person" not in on_the_page


@pytest.mark.django_db
def test_archived_people_are_listed_on_asking_and_a_filter_that_does_not_fit_is_named(cast, people, manager_api):
    assert names(manager_api.get(PEOPLE, {"archived": "true"})) == ["Archived Person"]
    for query, field in (({"skill": "juggling"}, "skill"), ({"area": "Atlantis"}, "area"),
                         ({"kind": "astronaut"}, "kind")):
        response = manager_api.get(PEOPLE, query)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, query


@pytest.mark.django_db
def test_a_person_shows_as_the_page_shows_them(cast, people, manager_api):
    dana = manager_api.get(f"{PEOPLE}{people['dana'].pk}/")
    body = dana.json()
    assert body["availability"] == "available" and body["languages"] == ["he", "en"]
    assert sorted(skill["key"] for skill in body["skills"]) == ["stem-instruction", "teaching"]
    assert dana["ETag"] == f'"{body["version"]}"'
    # Availability belongs to the emergency it was set in: Tigist's is from an old one.
    assert manager_api.get(f"{PEOPLE}{people['tigist'].pk}/").json()["availability"] == "unknown"
    hebrew = manager_api.get(f"{PEOPLE}{people['dana'].pk}/", **HE).json()
    assert {skill["name"] for skill in hebrew["skills"]} >= {"הוראה"}
    assert manager_api.get(f"{PEOPLE}{people['theirs'].pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role, sees", [("manager", True), ("team", True), ("viewer", False),
                                        ("network_admin", False), ("coordinator", False)])
def test_phones_and_e_mails_are_for_the_manager_and_the_team_only(cast, people, role, sees):
    client = api(cast.user(role))
    dana = client.get(f"{PEOPLE}{people['dana'].pk}/").json()
    listed = next(p for p in client.get(PEOPLE).json()["results"] if p["name"] == "Dana Levi")
    for record in (dana, listed):
        assert ("phone" in record and "email" in record) is sees
        assert ("050-1111111" in str(record)) is sees and ("dana@example.org" in str(record)) is sees
    # The search does not find people by a phone or an e-mail that the caller may not see.
    assert names(client.get(PEOPLE, {"q": "050-111"})) == (["Dana Levi"] if sees else [])
    assert names(client.get(PEOPLE, {"q": "dana@"})) == (["Dana Levi"] if sees else [])
    assert names(client.get(PEOPLE, {"q": "Dana"})) == ["Dana Levi"]
    header, hxl, *rows = csv_rows(client.get(PEOPLE, {"format": "csv"}, **EN))
    assert ("#contact+phone" in hxl and "#contact+email" in hxl) is sees
    assert ("050-1111111" in str(rows)) is sees and len(rows) == 5


@pytest.mark.django_db
def test_the_people_csv_is_the_pages_export_with_its_hxl_row(cast, people, manager_api):
    header, hxl, *rows = csv_rows(manager_api.get(PEOPLE, {"format": "csv", "area": "North"}, **EN))
    assert header[:3] == ["name", "kind", "organisation"] and hxl[:3] == ["#contact+name", "#contact+type", "#org+name"]
    assert sorted(row[0] for row in rows) == ["Dana Levi", "Muhammad Halabi", "Sasha Petrov"]
    dana = dict(zip(header, next(row for row in rows if row[0] == "Dana Levi"), strict=True))
    assert dana["skills"] == "STEM instruction, Teaching" and dana["languages"] == "Hebrew, English"
    assert dana["availability in this emergency"] == "Available" and dana["phone"] == "050-1111111"


# ---- people: create and edit -------------------------------------------------------------------------------

RINA = {"name": "Rina  Katz", "kind": "volunteer", "phone": "+972 54 123 4567", "email": "Rina@Example.org ",
        "languages": ["he", "ar"], "availability": "partly", "new_skills": "Drone piloting"}


@pytest.mark.django_db
def test_a_person_comes_in_through_the_persons_form(cast, skills, manager_api):
    created = manager_api.post_json(PEOPLE, RINA | {"skills": [skills["driving"].pk]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert created["Location"] == f"{PEOPLE}{body['id']}/" and created["ETag"] == f'"{body["version"]}"'
    # The form's own cleaning: the name, the phone and the e-mail written one way.
    assert body["name"] == "Rina Katz" and body["phone"] == "054-1234567" and body["email"] == "rina@example.org"
    assert body["availability"] == "partly"
    assert sorted(skill["name"] for skill in body["skills"]) == ["Driving", "Drone piloting"]
    # The typed skill is the authority's own, offered to it and to no other authority.
    own = api(cast.team).get(f"{BASE}/skills/", {"shared": "false"}).json()["results"]
    assert [(skill["name"], skill["shared"]) for skill in own] == [("Drone piloting", False)]
    theirs = api(cast.outsider).get("/api/v1/authorities/beta/skills/", {"limit": 200}).json()["results"]
    assert "Drone piloting" not in {skill["name"] for skill in theirs}
    # Its version is the one an edit is checked against.
    edited = manager_api.patch_json(created["Location"], {"role": "driver"}, HTTP_IF_MATCH=created["ETag"])
    assert edited.status_code == 200 and edited.json()["role"] == "driver"


@pytest.mark.django_db
def test_one_key_makes_one_person_and_the_same_key_for_another_person_is_refused(cast, skills, manager_api):
    first = manager_api.post_json(PEOPLE, RINA, HTTP_IDEMPOTENCY_KEY="rina")
    again = manager_api.post_json(PEOPLE, RINA, HTTP_IDEMPOTENCY_KEY="rina")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = manager_api.post_json(PEOPLE, RINA | {"name": "Other"}, HTTP_IDEMPOTENCY_KEY="rina")
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-mismatch")
    assert count(Person, authority=cast.authority) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("fields, field", [
    ({"phone": "12345"}, "phone"), ({"email": "rina@"}, "email"), ({"name": "  "}, "name"),
    ({"skills": [999999]}, "skills"),
])
def test_a_person_the_form_refuses_is_not_saved_and_the_field_is_named_in_hebrew(cast, skills, manager_api,
                                                                                  fields, field):
    response = manager_api.post_json(PEOPLE, RINA | fields, **HE)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == field and any("\u0590" <= c <= "\u05ff" for c in error["message"]), error
    assert count(Person) == 0 and not Skill.objects.filter(name_en="Drone piloting").exists()


@pytest.mark.django_db
def test_two_callers_edit_one_person_the_stale_one_gets_412_and_nothing_of_it_is_saved(cast, people,
                                                                                     manager_api, team_api):
    url = f"{PEOPLE}{people['yossi'].pk}/"
    loaded = manager_api.get(url)["ETag"]
    assert team_api.patch_json(url, {"role": "technician"}, HTTP_IF_MATCH=loaded).status_code == 200
    stale = manager_api.patch_json(url, {"area": "East"}, HTTP_IF_MATCH=loaded)
    assert stale.status_code == 412
    assert stale.json()["current"]["role"] == "technician" and stale["ETag"] == manager_api.get(url)["ETag"]
    with scopes_disabled():
        yossi = Person.objects.get(pk=people["yossi"].pk)
    assert (yossi.role, yossi.area) == ("technician", "South")


@pytest.mark.django_db
def test_a_change_of_skills_alone_is_a_change(cast, people, skills, manager_api, team_api):
    url = f"{PEOPLE}{people['yossi'].pk}/"
    loaded = manager_api.get(url)["ETag"]
    changed = team_api.patch_json(url, {"skills": [skills["driving"].pk]}, HTTP_IF_MATCH=loaded)
    assert changed.status_code == 200 and changed["ETag"] != loaded
    stale = manager_api.patch_json(url, {"skills": [skills["cooking"].pk]}, HTTP_IF_MATCH=loaded)
    assert stale.status_code == 412 and [s["key"] for s in stale.json()["current"]["skills"]] == ["driving"]
    with scopes_disabled():
        assert list(Person.objects.get(pk=people["yossi"].pk).skills.values_list("key", flat=True)) == ["driving"]


@pytest.mark.django_db
def test_availability_now_archive_and_restore(cast, people, manager_api):
    url = f"{PEOPLE}{people['sasha'].pk}/"
    available = manager_api.patch_json(url, {"availability": "available"}, HTTP_IF_MATCH=manager_api.get(url)["ETag"])
    assert available.status_code == 200 and available.json()["availability"] == "available"
    archived = manager_api.patch_json(url, {"is_active": False}, HTTP_IF_MATCH=available["ETag"])
    assert archived.json()["is_active"] is False and "Sasha Petrov" not in names(manager_api.get(PEOPLE))
    refused = manager_api.patch_json(url, {"availability": "partly"}, HTTP_IF_MATCH=archived["ETag"])
    assert refused.status_code == 409 and "archived" in refused.json()["detail"]
    restored = manager_api.patch_json(url, {"is_active": True, "availability": "partly"},
                                      HTTP_IF_MATCH=archived["ETag"])
    assert restored.status_code == 200 and restored.json()["availability"] == "partly"
    with scopes_disabled():
        services.close_emergency(cast.emergency, "lessons")
    no_emergency = manager_api.patch_json(url, {"availability": "available"}, HTTP_IF_MATCH=restored["ETag"])
    assert no_emergency.status_code == 409 and "no open emergency" in no_emergency.json()["detail"]
    # With no emergency open, availability is unknown for everyone.
    assert manager_api.get(url).json()["availability"] == "unknown"


@pytest.mark.django_db
def test_a_viewer_reads_the_register_and_changes_nothing(cast, people):
    viewer = api(cast.viewer)
    url = f"{PEOPLE}{people['dana'].pk}/"
    assert viewer.post_json(PEOPLE, RINA).status_code == 403
    assert viewer.patch_json(url, {"role": "x"}, HTTP_IF_MATCH=viewer.get(url)["ETag"]).status_code == 403
    assert count(Person, authority=cast.authority) == 6


# ---- facilities --------------------------------------------------------------------------------------------


@pytest.fixture
def facilities(cast):
    a = cast.authority
    return {
        "shelter": make_facility(a, "Shelter 4", "shelter", is_protected=True, capacity=120, area="North",
                                 availability="available", key_holder="Avi", key_holder_phone="050-2222222"),
        "lab": make_facility(a, "Maker lab", "lab", capacity=25, area="South", equipment="3D printers"),
        "hall": make_facility(a, "Sports hall", "hall", is_protected=True, capacity=40, area="South"),
        "old": make_facility(a, "Old hut", "other", is_active=False),
        "theirs": make_facility(cast.other_authority, "Their hall", "hall", is_protected=True, capacity=500),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    {}, {"protected": "1"}, {"protected": "0"}, {"capacity": "30"}, {"kind": "lab"}, {"area": "South"},
    {"availability": "available"}, {"q": "printers"}, {"q": "avi"}, {"archived": "1"},
])
def test_the_facility_filters_give_what_the_pages_filters_give(cast, client_for, facilities, manager_api, query):
    page = client_for(cast.manager).get(reverse("resources:facilities", kwargs={"authority_slug": "alpha"}), query)
    on_the_page = sorted(f.name for f in page.context["page"].object_list)
    api_query = {key: {"1": "true", "0": "false"}.get(value, value) if key in ("protected", "archived") else value
                 for key, value in query.items()}
    assert names(manager_api.get(FACILITIES, api_query)) == on_the_page


@pytest.mark.django_db
def test_facilities_create_edit_archive_and_export(cast, facilities, manager_api, team_api):
    site = make_site(cast.authority, "Ort school")
    their_site = make_site(cast.other_authority, "Their school")
    refused = manager_api.post_json(FACILITIES, {"name": "Gym", "kind": "hall", "site": their_site.pk}, **HE)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "site"
    first = manager_api.post_json(FACILITIES, {"name": "Gym", "kind": "hall", "site": site.pk, "capacity": 80},
                                  HTTP_IDEMPOTENCY_KEY="gym")
    again = manager_api.post_json(FACILITIES, {"name": "Gym", "kind": "hall", "site": site.pk, "capacity": 80},
                                  HTTP_IDEMPOTENCY_KEY="gym")
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert count(Facility, name="Gym") == 1
    url, version = first["Location"], first.json()["version"]
    assert team_api.patch_json(url, {"is_protected": True}, HTTP_IF_MATCH=version).status_code == 200
    stale = manager_api.patch_json(url, {"capacity": 90}, HTTP_IF_MATCH=version)
    assert stale.status_code == 412 and stale.json()["current"]["is_protected"] is True
    assert manager_api.get(url).json()["capacity"] == 80
    negative = manager_api.patch_json(url, {"capacity": -1}, HTTP_IF_MATCH=stale["ETag"])
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "capacity"
    archived = manager_api.patch_json(url, {"is_active": False}, HTTP_IF_MATCH=stale["ETag"])
    assert archived.json()["is_active"] is False and "Gym" not in names(manager_api.get(FACILITIES))
    header, hxl, *rows = csv_rows(manager_api.get(FACILITIES, {"format": "csv", "protected": "true"}, **EN))
    assert hxl[:2] == ["#loc+name", "#loc+type"] and "#loc+shelter" in hxl
    assert sorted(row[0] for row in rows) == ["Shelter 4", "Sports hall"]


# ---- funding -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_funding_comes_in_through_its_form_with_its_warnings_and_edits_on_the_version_it_answered(
        cast, manager_api, team_api):
    created = manager_api.post_json(FUNDING, {"name": "Rashi foundation", "kind": "philanthropic",
                                              "status": "approved", "requested": "25000", "approved": 30000,
                                              "categories": ["equipment", "food"], "deadline": "2026-12-31"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["warnings"] == ["The approved amount is more than was requested — saved as written."]
    assert body["emergency"] == cast.emergency.pk  # found for this emergency, as the form's default
    assert created["Location"] == f"{FUNDING}{body['id']}/"
    # The amounts as stored (25000.00): the version answered is the stored record's.
    edited = team_api.patch_json(created["Location"], {"received": 12000.5}, HTTP_IF_MATCH=created["ETag"])
    assert edited.status_code == 200 and edited.json()["warnings"] == body["warnings"]  # said after every save
    stale = manager_api.patch_json(created["Location"], {"status": "received"}, HTTP_IF_MATCH=created["ETag"])
    assert stale.status_code == 412 and float(stale.json()["current"]["received"]) == 12000.5
    with scopes_disabled():
        source = FundingSource.objects.get(pk=body["id"])
    assert (source.status, float(source.received)) == ("approved", 12000.5)
    bad = manager_api.patch_json(created["Location"], {"requested": "-5"}, HTTP_IF_MATCH=edited["ETag"], **HE)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "requested"


@pytest.mark.django_db
def test_the_funding_filters_and_export_are_the_pages(cast, client_for, manager_api):
    a = cast.authority
    make_funding(a, "City budget", "municipal", status="approved", categories=["space"])
    make_funding(a, "Tech firm", "business", status="requested", categories=["equipment"], contact="Noa")
    make_funding(a, "Old grant", "philanthropic", status="rejected", categories=["equipment", "food"])
    page_url = reverse("resources:funding", kwargs={"authority_slug": "alpha"})
    for query in ({}, {"status": "requested"}, {"kind": "business"}, {"category": "equipment"}, {"q": "noa"}):
        on_the_page = sorted(s.name for s in client_for(cast.viewer).get(page_url, query).context["page"].object_list)
        assert names(manager_api.get(FUNDING, query)) == on_the_page, query
    header, hxl, *rows = csv_rows(manager_api.get(FUNDING, {"format": "csv", "category": "equipment"}, **EN))
    assert hxl[:2] == ["#org+funder+name", "#org+funder+type"] and "#value+requested" in hxl
    assert sorted(row[0] for row in rows) == ["Old grant", "Tech firm"]


# ---- channels ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mailing_lists_addresses_are_for_the_manager_and_the_team_and_viewers_get_their_count(
        cast, manager_api):
    created = manager_api.post_json(CHANNELS, {"name": "Parents of the north", "kind": "mailing_list",
                                               "email_recipients": ["a@example.org", "b@example.org"]})
    assert created.status_code == 201 and created.json()["active"] is True
    assert created.json()["email_recipients"] == ["a@example.org", "b@example.org"]
    for role in ("viewer", "network_admin"):
        client = api(cast.user(role))
        seen = client.get(created["Location"]).json()
        assert "email_recipients" not in seen and seen["email_recipient_count"] == 2
        header, hxl, *rows = csv_rows(client.get(CHANNELS, {"format": "csv"}, **EN))
        assert "#contact+email" not in hxl and "a@example.org" not in str(rows) and rows[0][0] == seen["name"]
    header, hxl, *rows = csv_rows(manager_api.get(CHANNELS, {"format": "csv"}, **EN))
    assert "#contact+email" in hxl and "a@example.org, b@example.org" in rows[0]
    team = api(cast.team).get(f"{CHANNELS}?active=true").json()["results"]
    assert team[0]["email_recipients"] == ["a@example.org", "b@example.org"]


@pytest.mark.django_db
def test_channels_are_switched_on_and_off_for_the_emergency_and_edited_on_their_version(cast, manager_api,
                                                                                      team_api):
    make_channel(cast.authority, "Radio north", "radio", reach=5000)
    created = manager_api.post_json(CHANNELS, {"name": "Teachers", "kind": "whatsapp", "reach": 300})
    url = created["Location"]
    assert names(manager_api.get(CHANNELS, {"active": "true"})) == ["Teachers"]
    assert names(manager_api.get(CHANNELS, {"active": "false"})) == ["Radio north"]
    off = team_api.patch_json(url, {"active": False}, HTTP_IF_MATCH=created["ETag"])
    assert off.status_code == 200 and off.json()["active"] is False and off.json()["activated_at"] is None
    stale = manager_api.patch_json(url, {"reach": 350}, HTTP_IF_MATCH=created["ETag"])
    assert stale.status_code == 412 and stale.json()["current"]["active"] is False
    bad = manager_api.patch_json(url, {"email_recipients": ["not an address"]}, HTTP_IF_MATCH=off["ETag"], **HE)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email_recipients"
    with scopes_disabled():
        assert Channel.objects.get(pk=created.json()["id"]).reach == 300
        services.close_emergency(cast.emergency, "lessons")
    no_emergency = manager_api.patch_json(url, {"active": True}, HTTP_IF_MATCH=off["ETag"])
    assert no_emergency.status_code == 409


# ---- queries -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lists_cost_the_same_queries_for_few_records_or_many(cast, skills, manager_api):
    keys = list(skills)
    manager_api.get(PEOPLE)  # the token's last use is written once a minute: not counted

    def add(n, start):
        for i in range(start, start + n):
            make_person(cast.authority, f"P{i}", "volunteer", [skills[keys[i % 10]], skills[keys[i % 7]]],
                        languages=["he"], area=f"Area {i % 3}", phone=f"050-{i:07d}")
            make_facility(cast.authority, f"F{i}", "hall", capacity=i)
            make_funding(cast.authority, f"S{i}", "business", requested=i)
            make_channel(cast.authority, f"C{i}", "mailing_list", email_recipients="a@example.org")

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            response = manager_api.get(url)
        assert response.status_code == 200
        return len(captured), len(response.json()["results"]) if "csv" not in url else None

    urls = [f"{PEOPLE}?limit=200", f"{PEOPLE}?limit=200&skill={keys[0]}", f"{FACILITIES}?limit=200",
            f"{FUNDING}?limit=200", f"{CHANNELS}?limit=200", f"{PEOPLE}?format=csv", f"{BASE}/skills/?limit=200"]
    add(3, 0)
    few = {url: queries(url)[0] for url in urls}
    add(40, 3)
    many = {url: queries(url)[0] for url in urls}
    assert few == many
    assert queries(f"{PEOPLE}?limit=200")[1] == 43
