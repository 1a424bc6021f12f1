"""Partners and decision makers through the API: the register with its reminders and filters, the people to talk
to, the contact log, two people editing at once, the export with its HXL row."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.partners.models import Contact, ContactLog, Partner

from .conftest import ApiClient, make_token
from .conftest import count as _count

PARTNERS = "/api/v1/authorities/alpha/partners/"
PARTNER = {"name": "Technion", "kind": "academia", "is_key": True}


def _partner(cast, name, **fields):
    with scopes_disabled():
        return Partner.objects.create(authority=cast.authority, name=name, kind=fields.pop("kind", "ngo"), **fields)


def _log(cast, partner, days_ago, **fields):
    with scopes_disabled():
        return ContactLog.objects.create(authority=cast.authority, partner=partner, summary="talked",
                                         happened_at=timezone.now() - timedelta(days=days_ago), **fields)


@pytest.mark.django_db
def test_a_partner_sent_twice_with_one_key_is_added_once(cast, manager_api):
    answers = [manager_api.post_json(PARTNERS, PARTNER, HTTP_IDEMPOTENCY_KEY="p-1") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json()
    body = answers[0].json()
    assert answers[0]["Location"] == f"{PARTNERS}{body['id']}/"
    # A key partner never contacted is due a call at once, every 14 days after.
    assert body["due"] is True and body["last_contact_at"] is None and body["reminder_after_days"] == 14
    assert body["contacts"] == [] and _count(Partner) == 1
    other = manager_api.post_json(PARTNERS, PARTNER | {"name": "Weizmann"}, HTTP_IDEMPOTENCY_KEY="p-1")
    assert other.status_code == 422 and _count(Partner) == 1


@pytest.mark.django_db
def test_a_name_already_on_the_register_is_refused_in_hebrew(cast, manager_api):
    manager_api.post_json(PARTNERS, PARTNER)
    response = manager_api.post_json(PARTNERS, PARTNER | {"name": "  technion "}, HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "כבר יש שותף בשם \"technion\"."}]
    response = manager_api.post_json(PARTNERS, PARTNER | {"name": "Other", "reminder_days": 400})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reminder_days"
    for wrong in ({"since": 0}, {"is_key": 1}, {"nmae": "typo"}):
        response = manager_api.post_json(PARTNERS, PARTNER | {"name": "Other"} | wrong)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == next(iter(wrong))
    assert _count(Partner) == 1


@pytest.mark.django_db
def test_two_callers_edit_one_partner_the_second_gets_412(cast, manager_api, team_api):
    partner = manager_api.post_json(PARTNERS, PARTNER).json()
    url = f"{PARTNERS}{partner['id']}/"
    first = manager_api.patch_json(url, {"notes": "funds the robotics league"}, HTTP_IF_MATCH=partner["version"])
    assert first.status_code == 200 and first.json()["notes"] == "funds the robotics league"
    second = team_api.patch_json(url, {"notes": "only in summer"}, HTTP_IF_MATCH=partner["version"])
    assert second.status_code == 412 and second.json()["current"]["notes"] == "funds the robotics league"
    with scopes_disabled():
        assert Partner.objects.get().notes == "funds the robotics league"


@pytest.mark.django_db
def test_a_new_collaboration_is_born_in_the_current_emergency_and_can_be_unmarked(cast, manager_api):
    partner = manager_api.post_json(PARTNERS, PARTNER | {"new_collaboration": True}).json()
    assert partner["born_in"] == cast.emergency.pk
    assert [p["id"] for p in manager_api.get(f"{PARTNERS}?new=true").json()["results"]] == [partner["id"]]
    unmarked = manager_api.patch_json(f"{PARTNERS}{partner['id']}/", {"new_collaboration": False},
                                      HTTP_IF_MATCH=partner["version"])
    assert unmarked.json()["born_in"] is None


@pytest.mark.django_db
def test_the_partners_filters_and_reminders_work_in_the_api(cast, manager_api):
    called = _partner(cast, "Called lately", is_key=True)
    _log(cast, called, days_ago=2)
    silent = _partner(cast, "Mayor's office", kind="municipal", is_decision_maker=True, notes="the deputy mayor")
    _log(cast, silent, days_ago=8)
    plain = _partner(cast, "Library")
    gone = _partner(cast, "Closed NGO", is_active=False)

    def ids(query=""):
        response = manager_api.get(f"{PARTNERS}?{query}")
        assert response.status_code == 200, response.content
        return {p["id"] for p in response.json()["results"]}

    assert ids() == {called.pk, silent.pk, plain.pk}
    assert ids("overdue=true") == {silent.pk}
    assert ids("key=true") == {called.pk}
    assert ids("decision=true") == {silent.pk}
    assert ids("kind=municipal") == {silent.pk}
    assert ids("q=deputy") == {silent.pk}
    assert ids("inactive=true") == {called.pk, silent.pk, plain.pk, gone.pk}
    listed = {p["id"]: p for p in manager_api.get(PARTNERS).json()["results"]}
    assert listed[silent.pk]["due"] and listed[silent.pk]["reminder_after_days"] == 7
    assert not listed[called.pk]["due"] and listed[plain.pk]["reminder_after_days"] is None
    # A call logged now takes the reminder off.
    logged = manager_api.post_json(f"{PARTNERS}{silent.pk}/log/", {"channel": "call", "summary": "all is well"})
    assert logged.status_code == 201
    assert ids("overdue=true") == set()
    assert manager_api.get(f"{PARTNERS}?kind=bank").status_code == 422


@pytest.mark.django_db
def test_pages_of_partners_follow_one_another(cast, manager_api):
    made = [_partner(cast, f"Partner {i}").pk for i in range(5)]
    first = manager_api.get(f"{PARTNERS}?limit=3").json()
    second = manager_api.get(first["next"]).json()
    assert [p["id"] for p in first["results"] + second["results"]] == made and second["next"] is None


@pytest.mark.django_db
def test_contact_people_are_added_and_shown_with_the_partner_as_on_its_page(cast, manager_api):
    partner = manager_api.post_json(PARTNERS, PARTNER).json()
    url = f"{PARTNERS}{partner['id']}/contacts/"
    answers = [manager_api.post_json(url, {"name": "Rina Cohen", "role": "dean", "phone": "04-8290000",
                                           "email": "rina@example.org"}, HTTP_IDEMPOTENCY_KEY="c-1") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201] and _count(Contact) == 1
    assert manager_api.get(answers[0]["Location"]).json()["phone"] == "04-8290000"
    # The partner's page shows its people's phones to everyone who reads the authority: a viewer too.
    viewer = ApiClient(make_token(cast.viewer)[1])
    contacts = viewer.get(f"{PARTNERS}{partner['id']}/").json()["contacts"]
    assert contacts == [{"id": answers[0].json()["id"], "partner": partner["id"], "name": "Rina Cohen",
                         "role": "dean", "phone": "04-8290000", "email": "rina@example.org"}]
    bad = manager_api.post_json(url, {"name": "Avi", "email": "not an address"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    assert viewer.post_json(url, {"name": "Avi"}).status_code == 403


@pytest.mark.django_db
def test_the_contact_log_takes_a_contact_of_this_partner_only_and_no_future(cast, manager_api):
    partner = _partner(cast, "Technion")
    other = _partner(cast, "Intel")
    with scopes_disabled():
        rina = Contact.objects.create(authority=cast.authority, partner=partner, name="Rina")
        theirs = Contact.objects.create(authority=cast.authority, partner=other, name="Avi")
    url = f"{PARTNERS}{partner.pk}/log/"
    answers = [manager_api.post_json(url, {"channel": "meeting", "contact": rina.pk, "summary": "laptops agreed"},
                                     HTTP_IDEMPOTENCY_KEY="log-1") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201] and _count(ContactLog) == 1
    entry = answers[0].json()
    assert entry["contact"] == rina.pk and entry["emergency"] == cast.emergency.pk and entry["created_by"] == "manager"
    assert manager_api.get(answers[0]["Location"]).json()["summary"] == "laptops agreed"
    response = manager_api.post_json(url, {"contact": theirs.pk, "summary": "x"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "contact"
    future = (timezone.now() + timedelta(days=1)).isoformat()
    response = manager_api.post_json(url, {"summary": "x", "happened_at": future})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "happened_at"
    assert [e["id"] for e in manager_api.get(url).json()["results"]] == [entry["id"]]
    assert _count(ContactLog) == 1


@pytest.mark.django_db
def test_the_partners_csv_is_the_pages_export_with_its_hxl_row(cast, manager_api):
    key = _partner(cast, "Technion", is_key=True)
    _partner(cast, "Library")
    _partner(cast, "=HYPERLINK(\"http://evil\")", is_key=True)
    with scopes_disabled():
        Contact.objects.create(authority=cast.authority, partner=key, name="Rina", phone="04-8290000")
    response = manager_api.get(f"{PARTNERS}?format=csv&key=true", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("number,name,kind") and lines[1].startswith("#meta+id,#org+name,#org+type")
    assert len(lines) == 4 and lines[2].startswith(f"{key.pk},Technion") and "Rina, 04-8290000" in lines[2]
    assert "'=HYPERLINK" in lines[3]


@pytest.mark.django_db
def test_the_partners_list_costs_the_same_queries_for_few_or_many(cast, manager_api, django_assert_num_queries):
    numbers = itertools.count()

    def grow(n):
        for i in range(n):
            partner = _partner(cast, f"Partner {next(numbers)}", is_key=i % 2 == 0)
            _log(cast, partner, days_ago=i % 20)
            with scopes_disabled():
                Contact.objects.create(authority=cast.authority, partner=partner, name="Rina", phone="050")

    grow(3)
    for url in (f"{PARTNERS}?limit=200", f"{PARTNERS}?limit=200&overdue=true"):
        manager_api.get(url)
        with CaptureQueriesContext(connection) as few:
            assert manager_api.get(url).status_code == 200
        grow(20)
        with django_assert_num_queries(len(few)):
            assert manager_api.get(url).status_code == 200
    assert len(manager_api.get(f"{PARTNERS}?limit=200").json()["results"]) == 43


@pytest.mark.django_db
def test_the_contact_log_costs_the_same_queries_for_few_or_many(cast, manager_api, django_assert_num_queries):
    partner = _partner(cast, "Technion")
    with scopes_disabled():
        rina = Contact.objects.create(authority=cast.authority, partner=partner, name="Rina")

    def grow(n):
        for i in range(n):
            _log(cast, partner, days_ago=i, contact=rina, created_by=cast.team)

    grow(3)
    for url in (f"{PARTNERS}{partner.pk}/log/?limit=200", f"{PARTNERS}{partner.pk}/contacts/?limit=200"):
        manager_api.get(url)
        with CaptureQueriesContext(connection) as few:
            assert manager_api.get(url).status_code == 200
        grow(30)
        with scopes_disabled():
            Contact.objects.create(authority=cast.authority, partner=partner, name="Avi")
        with django_assert_num_queries(len(few)):
            assert manager_api.get(url).status_code == 200
    assert len(manager_api.get(f"{PARTNERS}{partner.pk}/log/?limit=200").json()["results"]) == 63
