"""Sites, site statuses and needs through the API, as a team works: two callers at once, resends, bad input,
filters and exports, pages of a large register."""

import threading
import uuid

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from hosen.field.models import Need, Site, SiteStatus
from hosen.workmodel.models import Phase

from .conftest import ApiClient, make_token
from .conftest import count as _count

NEEDS = "/api/v1/authorities/alpha/needs/"
SITES = "/api/v1/authorities/alpha/sites/"
NEED = {"audience": "students", "category": "equipment", "description": "20 laptops for remote learning"}


# ---- creates: one record per key ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_create_sent_three_times_with_one_key_makes_one_record_and_answers_the_same(cast, manager_api):
    answers = [manager_api.post_json(NEEDS, NEED, HTTP_IDEMPOTENCY_KEY="need-7f3a") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0]["Location"] == answers[2]["Location"] == f"{NEEDS}{answers[0].json()['id']}/"
    assert "Idempotent-Replayed" not in answers[0] and answers[1]["Idempotent-Replayed"] == "true"
    assert _count(Need) == 1


@pytest.mark.django_db
def test_one_key_for_another_body_is_refused_and_keys_are_per_person(cast, manager_api, team_api):
    manager_api.post_json(NEEDS, NEED, HTTP_IDEMPOTENCY_KEY="k-1")
    response = manager_api.post_json(NEEDS, NEED | {"description": "other"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422 and response.json()["type"].endswith("/idempotency-mismatch")
    # Another person who happens to choose the same key makes her own record.
    assert team_api.post_json(NEEDS, NEED, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    assert _count(Need) == 2


@pytest.mark.django_db
def test_without_a_key_each_create_is_a_new_record(cast, manager_api):
    manager_api.post_json(NEEDS, NEED)
    manager_api.post_json(NEEDS, NEED)
    assert _count(Need) == 2


@pytest.mark.django_db
def test_a_refused_create_does_not_burn_its_key(cast, manager_api):
    bad = manager_api.post_json(NEEDS, NEED | {"audience": "site"}, HTTP_IDEMPOTENCY_KEY="k-2")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "site"
    site = manager_api.post_json(SITES, {"name": "Ort school", "kind": "school"}).json()
    good = manager_api.post_json(NEEDS, NEED | {"audience": "site", "site": site["id"]}, HTTP_IDEMPOTENCY_KEY="k-2")
    # The refusal stored nothing, not even the key: the corrected body goes out under the same key.
    assert good.status_code == 201 and good.json()["site"] == site["id"]
    assert _count(Need) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_with_one_key_make_one_record(cast):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memory"):
        pytest.skip("an in-memory SQLite database is one connection")
    _token, text = make_token(cast.manager)
    answers, key = [], str(uuid.uuid4())

    def send():
        answers.append(ApiClient(text).post_json(NEEDS, NEED, HTTP_IDEMPOTENCY_KEY=key).status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(code == 201 for code in answers), answers
    assert _count(Need) == 1


# ---- edits: versions -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_callers_edit_one_need_the_second_gets_the_current_record_and_changes_nothing(
        cast, manager_api, team_api):
    need = manager_api.post_json(NEEDS, NEED).json()
    url = f"{NEEDS}{need['id']}/"
    loaded = team_api.get(url)
    assert loaded["ETag"] == f'"{need["version"]}"'
    first = manager_api.patch_json(url, {"urgency": 4}, HTTP_IF_MATCH=loaded["ETag"])
    assert first.status_code == 200 and first.json()["urgency"] == 4
    second = team_api.patch_json(url, {"description": "30 laptops"}, HTTP_IF_MATCH=loaded["ETag"])
    assert second.status_code == 412
    body = second.json()
    assert body["current"]["urgency"] == 4 and body["current"]["description"] == NEED["description"]
    assert second["ETag"] == f'"{body["current"]["version"]}"'
    with scopes_disabled():
        assert Need.objects.get(pk=need["id"]).description == NEED["description"]
    # Sent again on the current version, the change applies and keeps the other one.
    again = team_api.patch_json(url, {"description": "30 laptops"}, HTTP_IF_MATCH=second["ETag"])
    assert again.status_code == 200 and again.json()["description"] == "30 laptops" and again.json()["urgency"] == 4


@pytest.mark.django_db
def test_an_edit_without_if_match_is_refused(cast, manager_api):
    need = manager_api.post_json(NEEDS, NEED).json()
    response = manager_api.patch_json(f"{NEEDS}{need['id']}/", {"urgency": 1})
    assert response.status_code == 428 and "If-Match" in response.json()["detail"]
    assert manager_api.patch_json(f"{NEEDS}{need['id']}/", {"urgency": 1},
                                  HTTP_IF_MATCH=f'W/"{need["version"]}"').status_code == 200


@pytest.mark.django_db
def test_a_status_change_sets_and_clears_the_resolved_time(cast, manager_api):
    need = manager_api.post_json(NEEDS, NEED).json()
    met = manager_api.patch_json(f"{NEEDS}{need['id']}/", {"status": "met"}, HTTP_IF_MATCH=need["version"]).json()
    assert met["resolved_at"] is not None
    reopened = manager_api.patch_json(f"{NEEDS}{need['id']}/", {"status": "open"}, HTTP_IF_MATCH=met["version"])
    assert reopened.json()["resolved_at"] is None


@pytest.mark.django_db
def test_a_need_of_a_closed_emergency_no_longer_changes_and_no_need_joins_it(cast, manager_api):
    need = manager_api.post_json(NEEDS, NEED).json()
    with scopes_disabled():
        cast.emergency.phase = Phase.CLOSED
        cast.emergency.save()
    response = manager_api.patch_json(f"{NEEDS}{need['id']}/", {"urgency": 1}, HTTP_IF_MATCH=need["version"])
    assert response.status_code == 409 and "closed emergency" in response.json()["detail"]
    response = manager_api.post_json(NEEDS, NEED)
    assert response.status_code == 409 and "no open emergency" in response.json()["detail"]


@pytest.mark.django_db
def test_site_names_are_normalised_before_the_uniqueness_check(cast, manager_api):
    assert manager_api.post_json(SITES, {"name": "Ort  school", "kind": "school"}).json()["name"] == "Ort school"
    response = manager_api.post_json(SITES, {"name": "ort school\u200f ", "kind": "school"}, HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "name" and "ort school" in body["errors"][0]["message"]
    assert body["title"] != "The request has errors"  # titled in Hebrew
    assert _count(Site) == 1


@pytest.mark.django_db
def test_archiving_a_site_through_an_edit_and_no_status_on_an_archived_site(cast, manager_api):
    site = manager_api.post_json(SITES, {"name": "Ort", "kind": "school"}).json()
    url = f"{SITES}{site['id']}/"
    archived = manager_api.patch_json(url, {"is_active": False}, HTTP_IF_MATCH=site["version"]).json()
    assert archived["is_active"] is False
    assert manager_api.get(SITES).json()["results"] == []
    assert [s["id"] for s in manager_api.get(SITES + "?active=false").json()["results"]] == [site["id"]]
    response = manager_api.post_json(f"{url}statuses/", {"status": "open"})
    assert response.status_code == 409 and _count(SiteStatus) == 0


@pytest.mark.django_db
def test_status_reports_are_added_and_listed_newest_last_page_by_page(cast, manager_api):
    site = manager_api.post_json(SITES, {"name": "Ort", "kind": "school"}).json()
    url = f"{SITES}{site['id']}/statuses/"
    for state, present in (("open", 300), ("partial", 120), ("closed", None)):
        response = manager_api.post_json(url, {"status": state, "present": present,
                                               "protected_space_available": state != "closed"})
        assert response.status_code == 201
    statuses = manager_api.get(url).json()["results"]
    assert [s["status"] for s in statuses] == ["open", "partial", "closed"]
    assert statuses[0]["present"] == 300 and statuses[0]["protected_space_available"] is True
    assert statuses[2]["protected_space_available"] is False
    bad = manager_api.post_json(url, {"status": "open", "present": -3})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "present"


# ---- lists -------------------------------------------------------------------------------------------------


def _needs(cast, n, **fields):
    with scopes_disabled():
        Need.objects.bulk_create([Need(authority=cast.authority, emergency=cast.emergency, audience="students",
                                       category=fields.get("category", "food"), description=f"need {i}",
                                       urgency=fields.get("urgency", 2)) for i in range(n)])


@pytest.mark.django_db
def test_pages_follow_one_another_by_cursor_and_nothing_is_skipped(cast, manager_api):
    _needs(cast, 120)
    seen, url, pages = [], f"{NEEDS}?limit=50", 0
    while url:
        body = manager_api.get(url).json()
        seen += [n["id"] for n in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 120 and seen == sorted(seen)
    bad = manager_api.get(f"{NEEDS}?cursor=not-a-cursor")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
    assert manager_api.get(f"{NEEDS}?limit=500").status_code == 422


@pytest.mark.django_db
def test_the_needs_pages_filters_work_in_the_api(cast, manager_api):
    _needs(cast, 3, category="food", urgency=4)
    _needs(cast, 2, category="equipment", urgency=1)
    assert len(manager_api.get(f"{NEEDS}?category=food").json()["results"]) == 3
    assert len(manager_api.get(f"{NEEDS}?urgency=1").json()["results"]) == 2
    assert len(manager_api.get(f"{NEEDS}?status=unmet").json()["results"]) == 5
    assert len(manager_api.get(f"{NEEDS}?q=need 1").json()["results"]) == 2  # "need 1" of each batch
    bad = manager_api.get(f"{NEEDS}?category=spaceships")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "category"


@pytest.mark.django_db
def test_the_needs_csv_is_the_pages_export_with_its_hxl_row(cast, manager_api):
    _needs(cast, 2, category="food")
    manager_api.post_json(NEEDS, NEED | {"description": "=HYPERLINK(\"http://evil\")"})
    response = manager_api.get(f"{NEEDS}?format=csv&category=equipment", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("number,created,category") and lines[1].startswith("#meta+id,#date+reported")
    assert len(lines) == 3 and "'=HYPERLINK" in lines[2]


@pytest.mark.django_db
def test_a_list_costs_the_same_queries_for_ten_records_or_a_hundred(cast, manager_api, django_assert_num_queries):
    _needs(cast, 10)
    manager_api.get(NEEDS)  # the token's last-used time is written once a minute: not part of the count
    with connection.execute_wrapper(lambda execute, sql, params, many, context: execute(sql, params, many, context)):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            assert manager_api.get(NEEDS).status_code == 200
        _needs(cast, 90)
        with CaptureQueriesContext(connection) as many:
            assert len(manager_api.get(f"{NEEDS}?limit=200").json()["results"]) == 100
    assert len(few) == len(many) <= 8, [q["sql"][:80] for q in many.captured_queries]


@pytest.mark.django_db
def test_the_urgent_filter_is_the_pages_urgent(cast, manager_api):
    _needs(cast, 2, urgency=4)
    _needs(cast, 1, urgency=3)
    _needs(cast, 3, urgency=1)
    assert len(manager_api.get(f"{NEEDS}?urgent=true").json()["results"]) == 3
    assert len(manager_api.get(f"{NEEDS}?urgent=false").json()["results"]) == 3


@pytest.mark.django_db
def test_a_number_beyond_the_database_is_a_clear_422_not_a_500(cast, manager_api):
    response = manager_api.get(f"{NEEDS}{2**70}/")
    assert response.status_code in (404, 422)
    # SQLite cannot hold the number (422); PostgreSQL compares it and finds no site (an empty page).
    response = manager_api.get(f"{NEEDS}?site={2**70}")
    assert response.status_code == 422 or (response.status_code == 200 and response.json()["results"] == [])


@pytest.mark.django_db
def test_a_body_that_is_not_a_json_object_is_refused(cast, manager_api):
    response = manager_api.post(f"/api/v1/authorities/alpha/emergencies/{cast.emergency.pk}/rounds/", "[null, null]",
                                content_type="application/json")
    assert response.status_code == 422
    assert manager_api.post_json(NEEDS, [NEED]).status_code == 422
    assert _count(Need) == 0
