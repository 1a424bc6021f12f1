"""Design-thinking initiatives through the API: added from a need, edited by two people at once, moved one phase at
a time as the board's buttons move them — a second tap never moves two phases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from hosen.field.models import Need
from hosen.initiatives import services
from hosen.initiatives.models import Initiative, PhaseMove

from .conftest import ApiClient, make_token
from .conftest import count as _count

INITIATIVES = "/api/v1/authorities/alpha/initiatives/"


def _need(authority, emergency):
    with scopes_disabled():
        return Need.objects.create(authority=authority, emergency=emergency, audience="students", category="food",
                                   description="lunch for the evacuated")


def _move(client, initiative, version, direction="next", expected=None):
    return client.put(f"{INITIATIVES}{initiative}/phase/", {"direction": direction, "expected": expected},
                      content_type="application/json", HTTP_IF_MATCH=f'"{version}"')


@pytest.mark.django_db
def test_an_initiative_from_a_need_sent_twice_with_one_key_is_added_once_and_linked(cast, manager_api):
    need = _need(cast.authority, cast.emergency)
    body = {"title": "Lunch at the shelter", "owner": "Dana", "need": need.pk}
    answers = [manager_api.post_json(INITIATIVES, body, HTTP_IDEMPOTENCY_KEY="i-1") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json()
    made = answers[0].json()
    assert made["phase"] == "ask" and made["emergency"] == cast.emergency.pk and made["needs"] == 1
    detail = manager_api.get(answers[0]["Location"]).json()
    assert detail["links"] == {"needs": [need.pk], "people": [], "facilities": [], "kpis": []}
    assert detail["notes"] == [] and detail["moves"] == []
    assert _count(Initiative) == 1
    other = manager_api.post_json(INITIATIVES, body | {"title": "Other"}, HTTP_IDEMPOTENCY_KEY="i-1")
    assert other.status_code == 422 and _count(Initiative) == 1


@pytest.mark.django_db
def test_another_authoritys_need_cannot_start_an_initiative(cast, manager_api):
    with scopes_disabled():
        from hosen.workmodel.services import current_emergency

        theirs = _need(cast.other_authority, current_emergency(cast.other_authority))
    response = manager_api.post_json(INITIATIVES, {"title": "x", "need": theirs.pk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "need"
    response = manager_api.post_json(INITIATIVES, {"title": "", "need": None}, HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "title"
    assert _count(Initiative) == 0


@pytest.mark.django_db
def test_two_callers_edit_one_initiative_the_second_gets_412(cast, manager_api, team_api):
    made = manager_api.post_json(INITIATIVES, {"title": "Tutoring by phone"}).json()
    url = f"{INITIATIVES}{made['id']}/"
    first = manager_api.patch_json(url, {"owner": "Dana"}, HTTP_IF_MATCH=made["version"])
    assert first.status_code == 200 and first.json()["owner"] == "Dana"
    second = team_api.patch_json(url, {"owner": "Yossi"}, HTTP_IF_MATCH=made["version"])
    assert second.status_code == 412 and second.json()["current"]["owner"] == "Dana"
    with scopes_disabled():
        assert Initiative.objects.get().owner == "Dana"


@pytest.mark.django_db
def test_a_move_goes_one_phase_and_a_second_tap_moves_nothing(cast, manager_api, team_api):
    made = manager_api.post_json(INITIATIVES, {"title": "Tutoring by phone"}).json()
    moved = _move(manager_api, made["id"], made["version"], expected="ask")
    assert moved.status_code == 200, moved.content
    answer = moved.json()
    assert answer["moved"] and (answer["from_phase"], answer["to_phase"]) == ("ask", "imagine")
    assert answer["initiative"]["phase"] == "imagine" and answer["detail"].startswith("Moved to")
    # The same tap again, from the screen that still showed ASK: it is already where that tap goes.
    again = _move(team_api, made["id"], made["version"], expected="ask")
    assert again.status_code == 200 and not again.json()["moved"] and again.json()["initiative"]["phase"] == "imagine"
    # Back to ASK from that old screen would undo a move it never saw.
    stale = _move(team_api, made["id"], made["version"], direction="previous", expected="ask")
    assert stale.status_code == 412 and stale.json()["current"]["phase"] == "imagine"
    assert _count(PhaseMove) == 1
    journey = manager_api.get(f"{INITIATIVES}{made['id']}/").json()["moves"]
    assert [(m["from_phase"], m["to_phase"], m["moved_by"]) for m in journey] == [("ask", "imagine", "manager")]


@pytest.mark.django_db
def test_no_move_beyond_the_first_phase_and_share_says_what_notes_are_missing(cast, manager_api):
    made = manager_api.post_json(INITIATIVES, {"title": "Science at the shelter"}).json()
    back = _move(manager_api, made["id"], made["version"], direction="previous")
    assert back.status_code == 409 and back.json()["detail"] == "It is already in the first phase."
    with scopes_disabled():
        initiative = Initiative.objects.get()
        services.add_note(initiative, "who needs it?", cast.manager)
        for _ in range(4):
            services.move(initiative, services.NEXT, cast.manager)
        initiative.refresh_from_db()
        from hosen.integrity.versions import version_of

        version = version_of(initiative)
    shared = _move(manager_api, made["id"], version, expected="test")
    assert shared.status_code == 200 and shared.json()["to_phase"] == "share"
    assert shared.json()["missing_notes"] == ["imagine", "plan", "create", "test"]
    assert shared.json()["initiative"]["shared_at"]
    assert manager_api.get(f"{INITIATIVES}{made['id']}/").json()["notes"][0]["phase"] == "ask"


@pytest.mark.django_db
def test_the_boards_filters_work_in_the_api(cast, manager_api):
    ask = manager_api.post_json(INITIATIVES, {"title": "One"}).json()
    later = manager_api.post_json(INITIATIVES, {"title": "Two"}).json()
    _move(manager_api, later["id"], later["version"])
    assert {i["id"] for i in manager_api.get(INITIATIVES).json()["results"]} == {ask["id"], later["id"]}
    assert [i["id"] for i in manager_api.get(f"{INITIATIVES}?phase=imagine").json()["results"]] == [later["id"]]
    assert manager_api.get(f"{INITIATIVES}?phase=dream").status_code == 422
    viewer = ApiClient(make_token(cast.viewer)[1])
    assert viewer.get(INITIATIVES).status_code == 200
    assert _move(viewer, ask["id"], ask["version"]).status_code == 403


@pytest.mark.django_db
def test_the_board_costs_the_same_queries_for_few_or_many(cast, manager_api, django_assert_num_queries):
    def grow(n):
        with scopes_disabled():
            for i in range(n):
                initiative = Initiative.objects.create(authority=cast.authority, emergency=cast.emergency,
                                                       title=f"Initiative {i}")
                services.add_note(initiative, "a note", cast.team)
                services.link(initiative, "need", _need(cast.authority, cast.emergency), cast.team)

    grow(3)
    url = f"{INITIATIVES}?limit=200"
    manager_api.get(url)
    with CaptureQueriesContext(connection) as few:
        assert manager_api.get(url).status_code == 200
    grow(30)
    with django_assert_num_queries(len(few)):
        response = manager_api.get(url)
    assert len(response.json()["results"]) == 33 and {i["needs"] for i in response.json()["results"]} == {1}
