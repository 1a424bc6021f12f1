"""The checklist and emergencies through the API, as a manager and her team work: the model's items in their
language, rounds and what moved in them, answers given by two people at once (one after the other, or at the
same moment), and the manager opening, phasing and closing an emergency."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from hosen.api.resources import checklist
from hosen.workmodel import services
from hosen.workmodel.models import Answer, ChecklistItem, Emergency, Phase

from .conftest import ApiClient, make_token

BASE = "/api/v1/authorities/alpha"
HE = {"HTTP_ACCEPT_LANGUAGE": "he"}


def rounds_url(cast):
    return f"{BASE}/emergencies/{cast.emergency.pk}/rounds/"


def answer_url(cast, number, round_number=1):
    return f"{rounds_url(cast)}{round_number}/answers/{number}/"


def put_answer(client, url, body, version, **extra):
    return client.put(url, body, content_type="application/json", HTTP_IF_MATCH=f'"{version}"', **extra)


def stored_answers(**filters):
    with scopes_disabled():
        return list(Answer.objects.filter(**filters).values_list("item__number", "status", "note"))


# ---- the model's items ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_41_items_come_in_one_page_in_the_callers_language_for_every_role_that_may_look(cast):
    viewer = ApiClient(make_token(cast.viewer)[1])
    body = viewer.get(f"{BASE}/checklist/items/").json()
    assert [item["number"] for item in body["results"]] == list(range(1, 42)) and body["next"] is None
    first, second = body["results"][:2]
    assert first == {"number": 1, "component": "1a", "stage": "1", "kind": "reflection", "private": True,
                     "text": "What feelings are coming up for me?"}
    assert second["private"] is False and second["kind"] == "check"
    assert {item["stage"] for item in body["results"]} == {"1", "2", "3", "4", "X"}
    hebrew = viewer.get(f"{BASE}/checklist/items/?limit=2", **HE).json()["results"]
    assert hebrew[0]["text"] == "מה הן התחושות שעולות אצלי?"
    arabic = viewer.get(f"{BASE}/checklist/items/?limit=2", HTTP_ACCEPT_LANGUAGE="ar").json()["results"]
    with scopes_disabled():
        assert arabic[1]["text"] == ChecklistItem.objects.get(number=2).text_ar


# ---- answers -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_first_answer_carries_new_and_the_second_person_to_answer_gets_the_first_answer_back(
        cast, manager_api, team_api):
    url = answer_url(cast, 6)
    assert manager_api.get(url).status_code == 404  # no answer yet
    first = put_answer(team_api, url, {"status": "partly", "note": "two schools not reached"}, "new")
    assert first.status_code == 201 and first["Location"] == url
    body = first.json()
    assert body["item"] == 6 and body["status"] == "partly" and body["answered_by"] == "team"
    assert body["carried_over"] is False and first["ETag"] == f'"{body["version"]}"'
    # The manager's page was loaded before the team's answer: her first answer is stale.
    second = put_answer(manager_api, url, {"status": "done"}, "new")
    assert second.status_code == 412
    assert second.json()["current"]["note"] == "two schools not reached" and second["ETag"] == first["ETag"]
    assert stored_answers() == [(6, "partly", "two schools not reached")]
    # On the current version her change applies.
    again = put_answer(manager_api, url, {"status": "done", "note": "all mapped"}, body["version"])
    assert again.status_code == 200 and again.json()["answered_by"] == "manager"
    read = manager_api.get(url)
    assert read.json()["version"] == again.json()["version"] and read["ETag"] == again["ETag"]
    assert stored_answers() == [(6, "done", "all mapped")]


@pytest.mark.django_db
def test_two_callers_change_one_answer_the_second_gets_412_with_the_current_answer_and_changes_nothing(
        cast, manager_api, team_api):
    url = answer_url(cast, 10)
    loaded = put_answer(manager_api, url, {"status": "not_yet"}, "new").json()["version"]
    assert put_answer(team_api, url, {"status": "partly", "note": "team"}, loaded).status_code == 200
    stale = put_answer(manager_api, url, {"status": "done", "note": "manager"}, loaded)
    assert stale.status_code == 412
    assert stale.json()["current"]["status"] == "partly" and stale.json()["current"]["note"] == "team"
    assert stored_answers() == [(10, "partly", "team")]


@pytest.mark.django_db
def test_two_first_answers_at_the_same_moment_end_in_412_not_an_error(cast, manager_api, team_api, monkeypatch):
    """The race the unique constraint one_answer_per_item catches: both read "no answer yet", the team's answer
    is saved first, the manager's insert then fails. Her request is tried again, sees the team's answer and
    answers 412 with it."""
    with scopes_disabled():
        item = ChecklistItem.objects.get(number=12)
        Answer.objects.create(authority=cast.authority, round=cast.round, item=item, status="done", note="team's")
    real, calls = checklist._stored_answer, []

    def read_before_the_other_commit(this_round, item):
        calls.append(item.number)
        return None if len(calls) == 1 else real(this_round, item)

    monkeypatch.setattr(checklist, "_stored_answer", read_before_the_other_commit)
    response = put_answer(manager_api, answer_url(cast, 12), {"status": "not_yet", "note": "manager's"}, "new")
    assert response.status_code == 412 and calls == [12, 12]
    assert response.json()["current"]["note"] == "team's"
    assert stored_answers() == [(12, "done", "team's")]


@pytest.mark.django_db(transaction=True)
def test_four_first_answers_sent_at_once_make_one_answer_and_three_412(cast):
    """The same race for real, on a database that serves several connections (PostgreSQL in CI)."""
    if connection.vendor == "sqlite" and "memory" in connection.settings_dict["NAME"]:
        pytest.skip("an in-memory SQLite database is one connection")
    tokens = [make_token(user)[1] for user in (cast.manager, cast.team, cast.manager, cast.team)]
    answers, start = [], threading.Barrier(len(tokens))

    def send(text, note):
        start.wait()
        answers.append(put_answer(ApiClient(text), answer_url(cast, 14), {"status": "done", "note": note}, "new"))
        connection.close()

    threads = [threading.Thread(target=send, args=(text, f"caller {i}")) for i, text in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(response.status_code for response in answers)
    assert codes[0] == 201 and all(code in (409, 412) for code in codes[1:]), codes
    stored = stored_answers()
    assert len(stored) == 1
    winner = next(r for r in answers if r.status_code == 201).json()
    assert stored[0] == (14, "done", winner["note"])
    assert all(r.json()["current"]["note"] == winner["note"] for r in answers if r.status_code == 412)


@pytest.mark.django_db
def test_a_race_that_cannot_be_settled_is_409(cast, manager_api, monkeypatch):
    with scopes_disabled():
        item = ChecklistItem.objects.get(number=12)
        Answer.objects.create(authority=cast.authority, round=cast.round, item=item, status="done")
    monkeypatch.setattr(checklist, "_stored_answer", lambda this_round, item: None)
    response = put_answer(manager_api, answer_url(cast, 12), {"status": "not_yet"}, "new")
    assert response.status_code == 409 and response.json()["type"].endswith("/race")
    assert stored_answers() == [(12, "done", "")]


@pytest.mark.django_db
def test_a_first_answer_sent_again_with_its_key_gets_its_first_reply(cast, manager_api):
    url = answer_url(cast, 7)
    first = put_answer(manager_api, url, {"status": "done"}, "new", HTTP_IDEMPOTENCY_KEY="answer-7")
    again = put_answer(manager_api, url, {"status": "done"}, "new", HTTP_IDEMPOTENCY_KEY="answer-7")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    other = put_answer(manager_api, url, {"status": "partly"}, "new", HTTP_IDEMPOTENCY_KEY="answer-7")
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-mismatch")
    assert stored_answers() == [(7, "done", "")]


@pytest.mark.django_db
def test_what_cannot_be_answered(cast, manager_api):
    # The reflection item lives in the manager's private check-in, not in the API.
    assert put_answer(manager_api, answer_url(cast, 1), {"status": "done"}, "new").status_code == 404
    assert put_answer(manager_api, answer_url(cast, 42), {"status": "done"}, "new").status_code == 404
    assert put_answer(manager_api, answer_url(cast, 3, round_number=9), {"status": "done"}, "new").status_code == 404
    missing = manager_api.put(answer_url(cast, 3), {"status": "done"}, content_type="application/json")
    assert missing.status_code == 428
    wrong = put_answer(manager_api, answer_url(cast, 3), {"status": "done"}, "0123456789abcdef0123")
    assert wrong.status_code == 412 and "current" not in wrong.json() and "new" in wrong.json()["detail"]
    assert stored_answers() == []


@pytest.mark.django_db
def test_bad_answers_name_their_field_in_the_callers_language(cast, manager_api):
    bad = put_answer(manager_api, answer_url(cast, 3), {"status": "finished"}, "new")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    long = put_answer(manager_api, answer_url(cast, 3), {"status": "done", "note": "x" * 5001}, "new", **HE)
    assert long.status_code == 422
    error = long.json()["errors"][0]
    assert error["field"] == "note" and any("\u0590" <= c <= "\u05ff" for c in error["message"]), error
    assert stored_answers() == []


@pytest.mark.django_db
def test_only_the_current_round_of_an_open_emergency_takes_answers(cast, manager_api):
    put_answer(manager_api, answer_url(cast, 5), {"status": "partly"}, "new")
    with scopes_disabled():
        services.start_round(cast.emergency, cast.manager)
    stale_round = put_answer(manager_api, answer_url(cast, 8), {"status": "done"}, "new")
    assert stale_round.status_code == 409 and "current round" in stale_round.json()["detail"]
    carried = manager_api.get(answer_url(cast, 5, round_number=2)).json()
    assert carried["carried_over"] is True and carried["status"] == "partly"
    confirmed = put_answer(manager_api, answer_url(cast, 5, round_number=2), {"status": "partly"}, carried["version"])
    assert confirmed.status_code == 200 and confirmed.json()["carried_over"] is False
    with scopes_disabled():
        services.close_emergency(cast.emergency, "lessons")
    closed = put_answer(manager_api, answer_url(cast, 8, round_number=2), {"status": "done"}, "new")
    assert closed.status_code == 409
    assert stored_answers(round__number=1) == [(5, "partly", "")]


@pytest.mark.django_db
def test_a_viewer_reads_answers_and_may_not_give_one(cast, manager_api):
    put_answer(manager_api, answer_url(cast, 4), {"status": "done", "note": "ok"}, "new")
    viewer = ApiClient(make_token(cast.viewer)[1])
    assert [a["item"] for a in viewer.get(f"{rounds_url(cast)}1/answers/").json()["results"]] == [4]
    refused = put_answer(viewer, answer_url(cast, 4), {"status": "not_yet"}, "new")
    assert refused.status_code == 403 and stored_answers() == [(4, "done", "ok")]


@pytest.mark.django_db
def test_the_private_reflection_is_never_listed_even_if_a_row_holds_it(cast, manager_api):
    with scopes_disabled():
        reflection = ChecklistItem.objects.get(number=1)
        Answer.objects.create(authority=cast.authority, round=cast.round, item=reflection, status="done",
                              note="how I feel")
    put_answer(manager_api, answer_url(cast, 2), {"status": "done"}, "new")
    listed = manager_api.get(f"{rounds_url(cast)}1/answers/").json()["results"]
    assert [a["item"] for a in listed] == [2] and "how I feel" not in str(listed)
    assert manager_api.get(answer_url(cast, 1)).status_code == 404


# ---- rounds ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rounds_show_their_progress_and_what_moved_since_the_previous_one(cast, manager_api):
    for number, status in ((2, "done"), (3, "partly"), (20, "not_relevant")):
        put_answer(manager_api, answer_url(cast, number), {"status": status}, "new")
    started = manager_api.post_json(rounds_url(cast), {"label": "week 2"})
    assert started.status_code == 201 and started["Location"] == f"{rounds_url(cast)}2/"
    assert started.json()["number"] == 2 and started.json()["is_current"] is True
    second = manager_api.get(answer_url(cast, 3, round_number=2)).json()
    put_answer(manager_api, answer_url(cast, 3, round_number=2), {"status": "done", "note": "finished"},
               second["version"])
    listed = manager_api.get(rounds_url(cast)).json()["results"]
    assert [(r["number"], r["label"], r["is_current"]) for r in listed] == [(1, "", False), (2, "week 2", True)]
    stage_one = {p["stage"]: p for p in listed[0]["progress"]}["1"]
    assert stage_one["answered"] == 2 and stage_one["total"] == 4 and stage_one["percent"] == 38  # (1 + ½) / 4
    detail = manager_api.get(f"{rounds_url(cast)}2/").json()
    assert detail["previous"] == 1
    assert detail["changes"] == [{"item": 3, "before": {"status": "partly", "note": ""},
                                  "after": {"status": "done", "note": "finished"}}]


@pytest.mark.django_db
def test_starting_a_round_is_the_managers_and_one_key_starts_one(cast, manager_api, team_api):
    assert team_api.post_json(rounds_url(cast), {}).status_code == 403
    first = manager_api.post_json(rounds_url(cast), {"label": "week 2"}, HTTP_IDEMPOTENCY_KEY="round-2")
    again = manager_api.post_json(rounds_url(cast), {"label": "week 2"}, HTTP_IDEMPOTENCY_KEY="round-2")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = manager_api.post_json(rounds_url(cast), {"label": "week 3"}, HTTP_IDEMPOTENCY_KEY="round-2")
    assert other.status_code == 422
    long = manager_api.post_json(rounds_url(cast), {"label": "x" * 101})
    assert long.status_code == 422 and long.json()["errors"][0]["field"] == "label"
    with scopes_disabled():
        assert list(cast.emergency.rounds.order_by("number").values_list("number", flat=True)) == [1, 2]
        services.close_emergency(cast.emergency, "lessons")
    closed = manager_api.post_json(rounds_url(cast), {})
    assert closed.status_code == 409
    # A closed emergency's rounds are still read.
    assert len(manager_api.get(rounds_url(cast)).json()["results"]) == 2


@pytest.mark.django_db
def test_another_authoritys_rounds_are_not_found(cast, manager_api):
    with scopes_disabled():
        theirs = Emergency.objects.get(authority=cast.other_authority)
    assert manager_api.get(f"{BASE}/emergencies/{theirs.pk}/rounds/").status_code == 404
    assert manager_api.get(f"/api/v1/authorities/beta/emergencies/{theirs.pk}/rounds/").status_code == 404


def _answer_many(cast, count):
    with scopes_disabled():
        items = list(ChecklistItem.objects.exclude(kind=ChecklistItem.REFLECTION).order_by("number")[:count])
        Answer.objects.filter(round=cast.round).delete()
        Answer.objects.bulk_create([Answer(authority=cast.authority, round=cast.round, item=item, status="done",
                                           answered_by=cast.team) for item in items])


@pytest.mark.django_db
def test_lists_cost_the_same_queries_for_few_rows_or_many(cast, manager_api):
    manager_api.get(f"{BASE}/checklist/items/")  # the token's last use is written once a minute: not counted

    def count(url, expected_rows):
        with CaptureQueriesContext(connection) as queries:
            assert len(manager_api.get(url).json()["results"]) == expected_rows
        return len(queries)

    _answer_many(cast, 3)
    few = count(f"{rounds_url(cast)}1/answers/", 3)
    _answer_many(cast, 40)
    assert count(f"{rounds_url(cast)}1/answers/", 40) == few
    one_round = count(rounds_url(cast), 1)
    with scopes_disabled():
        for _ in range(5):
            services.start_round(cast.emergency, cast.manager)
    assert count(rounds_url(cast), 6) == one_round
    assert count(f"{BASE}/checklist/items/?limit=5", 5) == count(f"{BASE}/checklist/items/", 41)


# ---- emergencies ---------------------------------------------------------------------------------------------

EMERGENCY = {"name": "Flood in the lower town", "kind": "flood", "started_on": "2026-11-01", "area": "lower town",
             "severity": 2}


def emergency_url(cast):
    return f"{BASE}/emergencies/{cast.emergency.pk}/"


def patch_phase(client, cast, phase, version):
    return client.patch_json(emergency_url(cast), {"phase": phase}, HTTP_IF_MATCH=f'"{version}"')


@pytest.mark.django_db
def test_two_managers_tools_change_the_phase_the_stale_one_gets_412_and_changes_nothing(cast):
    first_tool, second_tool = (ApiClient(make_token(cast.manager, name=name)[1]) for name in ("BI", "GIS"))
    loaded = first_tool.get(emergency_url(cast))
    version = loaded.json()["version"]
    assert loaded.json()["phase"] == "active"
    changed = patch_phase(first_tool, cast, "recovery", version)
    assert changed.status_code == 200 and changed.json()["phase"] == "recovery"
    stale = patch_phase(second_tool, cast, "readiness", version)
    assert stale.status_code == 412 and stale.json()["current"]["phase"] == "recovery"
    with scopes_disabled():
        assert Emergency.objects.get(pk=cast.emergency.pk).phase == "recovery"


@pytest.mark.django_db
def test_the_phase_is_the_managers_and_a_closed_emergency_keeps_its_phase(cast, team_api, manager_api):
    version = manager_api.get(emergency_url(cast)).json()["version"]
    assert patch_phase(team_api, cast, "recovery", version).status_code == 403
    closing = patch_phase(manager_api, cast, "closed", version)
    assert closing.status_code == 422 and closing.json()["errors"][0]["field"] == "phase"
    with scopes_disabled():
        services.close_emergency(cast.emergency, "we learned")
    version = manager_api.get(emergency_url(cast)).json()["version"]
    closed = patch_phase(manager_api, cast, "active", version, )
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]
    with scopes_disabled():
        assert Emergency.objects.get(pk=cast.emergency.pk).phase == Phase.CLOSED


@pytest.mark.django_db
def test_closing_keeps_the_lessons_and_a_second_close_adds_its_lessons_after_the_first(cast, manager_api):
    url = f"{emergency_url(cast)}close/"
    short = manager_api.post_json(url, {"lessons": "ok"}, **HE)
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "lessons"
    assert any("\u0590" <= c <= "\u05ff" for c in short.json()["errors"][0]["message"])
    assert manager_api.post_json(url, {"lessons": "Call the principals every morning."}).json()["is_open"] is False
    again = manager_api.post_json(url, {"lessons": "Keep a second list of volunteers."})
    assert again.status_code == 200
    assert again.json()["lessons"] == "Call the principals every morning.\n\nKeep a second list of volunteers."
    assert again.json()["phase"] == "closed" and again.json()["closed_at"]


@pytest.mark.django_db
def test_opening_an_emergency_needs_none_open_and_starts_round_one_once_per_key(cast, manager_api, team_api):
    busy = manager_api.post_json(f"{BASE}/emergencies/", EMERGENCY)
    assert busy.status_code == 409 and "already has an open emergency" in busy.json()["detail"]
    manager_api.post_json(f"{emergency_url(cast)}close/", {"lessons": "Call the principals every morning."})
    assert team_api.post_json(f"{BASE}/emergencies/", EMERGENCY).status_code == 403
    first = manager_api.post_json(f"{BASE}/emergencies/", EMERGENCY, HTTP_IDEMPOTENCY_KEY="flood")
    again = manager_api.post_json(f"{BASE}/emergencies/", EMERGENCY, HTTP_IDEMPOTENCY_KEY="flood")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    opened = first.json()
    assert opened["phase"] == "active" and opened["severity"] == 2 and opened["is_open"] is True
    assert first["Location"] == f"{BASE}/emergencies/{opened['id']}/"
    assert [r["number"] for r in manager_api.get(f"{BASE}/emergencies/{opened['id']}/rounds/").json()["results"]] == [1]
    with scopes_disabled():
        assert Emergency.objects.filter(authority=cast.authority).exclude(phase="closed").count() == 1


@pytest.mark.django_db
def test_an_emergency_cannot_start_in_the_future_or_closed(cast, manager_api):
    with scopes_disabled():
        services.close_emergency(cast.emergency, "lessons")
    future = manager_api.post_json(f"{BASE}/emergencies/", EMERGENCY | {"started_on": "2999-01-01"}, **HE)
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "started_on"
    assert any("\u0590" <= c <= "\u05ff" for c in future.json()["errors"][0]["message"])
    closed = manager_api.post_json(f"{BASE}/emergencies/", EMERGENCY | {"phase": "closed"})
    assert closed.status_code == 422 and closed.json()["errors"][0]["field"] == "phase"
    with scopes_disabled():
        assert not Emergency.objects.filter(authority=cast.authority).exclude(phase="closed").exists()
