"""The situation room through the API, as a room works: lines logged by two people at once, corrections,
tasks with owners and due times, done in place, the room's filters."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.resources.models import Person
from hosen.situation.models import EntryKind, LogEntry
from hosen.workmodel.models import Phase

from .conftest import ApiClient, make_token

ROOM = "/api/v1/authorities/alpha/room/"
TASKS = "/api/v1/authorities/alpha/tasks/"


def _count(**filters):
    with scopes_disabled():
        return LogEntry.objects.filter(**filters).count()


def _entry(cast, kind="event", **fields):
    with scopes_disabled():
        return LogEntry.objects.create(authority=cast.authority, emergency=fields.pop("emergency", cast.emergency),
                                       kind=kind, text=fields.pop("text", f"{kind} line"), **fields)


def _close(cast):
    with scopes_disabled():
        cast.emergency.phase = Phase.CLOSED
        cast.emergency.save()


# ---- adding to the log ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_line_sent_twice_with_one_key_is_logged_once(cast, manager_api):
    line = {"kind": "decision", "text": "Schools open at 10:00", "urgent": True}
    answers = [manager_api.post_json(ROOM, line, HTTP_IDEMPOTENCY_KEY="room-1") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json()
    body = answers[0].json()
    assert body["kind"] == "decision" and body["urgent"] and body["priority"] == "urgent"
    assert body["emergency"] == cast.emergency.pk and body["created_by"] == "manager"
    assert answers[0]["Location"] == f"{ROOM}{body['id']}/" and _count() == 1
    other = manager_api.post_json(ROOM, line | {"text": "Schools open at 11:00"}, HTTP_IDEMPOTENCY_KEY="room-1")
    assert other.status_code == 422 and _count() == 1


@pytest.mark.django_db
def test_owner_and_due_time_belong_to_tasks_only(cast, manager_api):
    event = manager_api.post_json(ROOM, {"text": "Power cut in the north", "owner": "Dana", "due_in": "1h"}).json()
    assert event["kind"] == "event" and event["owner"] == "" and event["due_at"] is None


@pytest.mark.django_db
def test_a_line_logged_after_the_fact_keeps_its_time_and_the_future_is_refused(cast, manager_api):
    earlier = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    body = manager_api.post_json(ROOM, {"text": "Sirens", "happened_at": earlier.isoformat()}).json()
    assert datetime.fromisoformat(body["happened_at"]) == earlier.replace(second=0)
    later = (timezone.now() + timedelta(hours=3)).isoformat()
    response = manager_api.post_json(ROOM, {"text": "Sirens", "happened_at": later}, HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "happened_at", "message": (
        "המועד הזה עדיין בעתיד: אפשר לתעד את זה כשזה קורה, או להוסיף משימה עם מועד יעד.")}]
    # A time is ISO 8601 text: a number is not taken for seconds since 1970.
    response = manager_api.post_json(ROOM, {"text": "Sirens", "happened_at": 0})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "happened_at"
    assert _count() == 1


@pytest.mark.django_db
def test_an_empty_line_is_refused_in_hebrew_by_its_field(cast, manager_api):
    response = manager_api.post_json(ROOM, {"text": "   "}, HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "text", "message": "יש לכתוב מה קרה, מה הוחלט או מה צריך לעשות."}]
    assert _count() == 0


@pytest.mark.django_db
def test_nothing_is_logged_without_an_open_emergency(cast, manager_api):
    _close(cast)
    assert manager_api.post_json(ROOM, {"text": "Sirens"}).status_code == 409
    assert manager_api.post_json(TASKS, {"text": "Call"}).status_code == 409
    assert _count() == 0


# ---- corrections -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_callers_correct_one_line_the_second_gets_412_and_nothing_changes(cast, manager_api, team_api):
    line = manager_api.post_json(ROOM, {"text": "Sirens at 9:40"}).json()
    url = f"{ROOM}{line['id']}/"
    first = manager_api.patch_json(url, {"text": "Sirens at 9:45"}, HTTP_IF_MATCH=f'"{line["version"]}"')
    assert first.status_code == 200 and first.json()["text"] == "Sirens at 9:45" and first.json()["edited_at"]
    second = team_api.patch_json(url, {"text": "Sirens at 9:50"}, HTTP_IF_MATCH=f'"{line["version"]}"')
    assert second.status_code == 412 and second.json()["current"]["text"] == "Sirens at 9:45"
    with scopes_disabled():
        entry = LogEntry.objects.get()
        assert entry.text == "Sirens at 9:45"
        assert [v.text for v in entry.history.order_by("history_id")] == ["Sirens at 9:40", "Sirens at 9:45"]


@pytest.mark.django_db
def test_a_line_of_a_closed_emergency_is_not_corrected(cast, manager_api):
    line = manager_api.post_json(ROOM, {"text": "Sirens"}).json()
    _close(cast)
    response = manager_api.patch_json(f"{ROOM}{line['id']}/", {"text": "x"}, HTTP_IF_MATCH=line["version"])
    assert response.status_code == 409 and "closed emergency" in response.json()["detail"]


@pytest.mark.django_db
def test_a_viewer_reads_the_room_and_may_not_write(cast, manager_api):
    line = manager_api.post_json(ROOM, {"text": "Sirens"}).json()
    viewer = ApiClient(make_token(cast.viewer)[1])
    assert viewer.get(f"{ROOM}{line['id']}/").json()["text"] == "Sirens"
    assert viewer.post_json(ROOM, {"text": "x"}).status_code == 403
    assert viewer.patch_json(f"{ROOM}{line['id']}/", {"text": "x"}, HTTP_IF_MATCH=line["version"]).status_code == 403


# ---- tasks -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_gets_its_owner_on_record_and_its_due_time(cast, manager_api):
    with scopes_disabled():
        dana = Person.objects.create(authority=cast.authority, name="Dana Levi", kind="staff")
    before = timezone.now()
    response = manager_api.post_json(TASKS, {"text": "Count the laptops", "owner": "dana levi", "due_in": "2h"},
                                     HTTP_IDEMPOTENCY_KEY="task-1")
    assert response.status_code == 201 and response["Location"] == f"{TASKS}{response.json()['id']}/"
    task = response.json()
    assert task["kind"] == "task" and task["owner_person"] == dana.pk and task["done_at"] is None
    with scopes_disabled():
        due = LogEntry.objects.get().due_at
    assert timedelta(hours=2) <= due - before < timedelta(hours=2, minutes=1)
    assert manager_api.post_json(TASKS, {"text": "Count the laptops", "owner": "dana levi", "due_in": "2h"},
                                 HTTP_IDEMPOTENCY_KEY="task-1").status_code == 201
    assert _count() == 1


@pytest.mark.django_db
def test_a_task_is_done_in_place_and_opened_again(cast, manager_api, team_api):
    task = manager_api.post_json(TASKS, {"text": "Call the principals"}).json()
    url = f"{TASKS}{task['id']}/done/"
    done = team_api.put(url, {"done": True}, content_type="application/json", HTTP_IF_MATCH=f'"{task["version"]}"')
    assert done.status_code == 200 and done.json()["done_at"] and done.json()["done_by"] == "team"
    # The manager's screen still showed it open: her tap asks for what is already so, and that is no conflict.
    again = manager_api.put(url, {"done": True}, content_type="application/json", HTTP_IF_MATCH=f'"{task["version"]}"')
    assert again.status_code == 200 and again.json()["done_by"] == "team"
    # Opening it again from that old screen would undo the team member's tap unseen: 412.
    stale = manager_api.put(url, {"done": False}, content_type="application/json",
                            HTTP_IF_MATCH=f'"{task["version"]}"')
    assert stale.status_code == 412 and stale.json()["current"]["done_at"]
    reopened = manager_api.put(url, {"done": False}, content_type="application/json",
                               HTTP_IF_MATCH=f'"{done.json()["version"]}"')
    assert reopened.status_code == 200 and reopened.json()["done_at"] is None
    assert manager_api.put(url, {"done": True}, content_type="application/json").status_code == 428


@pytest.mark.django_db
def test_only_a_task_is_reached_as_a_task(cast, manager_api):
    event = _entry(cast, "event")
    assert manager_api.get(f"{TASKS}{event.pk}/").status_code == 404
    with scopes_disabled():
        from hosen.integrity.versions import version_of

        version = version_of(event)
    assert manager_api.put(f"{TASKS}{event.pk}/done/", {"done": True}, content_type="application/json",
                           HTTP_IF_MATCH=version).status_code == 404
    assert manager_api.patch_json(f"{TASKS}{event.pk}/", {"owner": "x"}, HTTP_IF_MATCH=version).status_code == 404


@pytest.mark.django_db
def test_two_callers_edit_one_task_the_second_gets_412(cast, manager_api, team_api):
    task = manager_api.post_json(TASKS, {"text": "Call the principals", "owner": "Dana"}).json()
    url = f"{TASKS}{task['id']}/"
    assert manager_api.patch_json(url, {"owner": "Yossi"}, HTTP_IF_MATCH=task["version"]).json()["owner"] == "Yossi"
    second = team_api.patch_json(url, {"owner": "Rina"}, HTTP_IF_MATCH=task["version"])
    assert second.status_code == 412 and second.json()["current"]["owner"] == "Yossi"
    with scopes_disabled():
        assert LogEntry.objects.get().owner == "Yossi"


@pytest.mark.django_db
def test_a_task_of_a_closed_emergency_is_not_done(cast, manager_api):
    task = manager_api.post_json(TASKS, {"text": "Call"}).json()
    _close(cast)
    response = manager_api.put(f"{TASKS}{task['id']}/done/", {"done": True}, content_type="application/json",
                               HTTP_IF_MATCH=task["version"])
    assert response.status_code == 409 and _count(done_at__isnull=False) == 0


# ---- the room's filters ------------------------------------------------------------------------------------


def _room(cast):
    now = timezone.now()
    return {
        "event": _entry(cast, "event"),
        "decision": _entry(cast, "decision"),
        "note": _entry(cast, "note"),
        "open": _entry(cast, "task", due_at=now + timedelta(hours=1)),
        "overdue": _entry(cast, "task", due_at=now - timedelta(hours=1)),
        "done": _entry(cast, "task", due_at=now - timedelta(hours=1), done_at=now),
    }


@pytest.mark.django_db
def test_the_rooms_filters_work_in_the_api(cast, manager_api):
    rows = _room(cast)
    with scopes_disabled():
        from hosen.workmodel.models import Emergency

        earlier = Emergency.objects.create(authority=cast.authority, name="Earlier", kind="fire", severity=1,
                                           started_on=cast.emergency.started_on, phase=Phase.CLOSED)
    old = _entry(cast, "event", emergency=earlier)

    def ids(url):
        response = manager_api.get(url)
        assert response.status_code == 200, response.content
        return {e["id"] for e in response.json()["results"]}

    def pks(*names):
        return {rows[name].pk for name in names}

    assert ids(ROOM) == pks(*rows)
    assert ids(f"{ROOM}?show=open") == pks("open", "overdue")
    assert ids(f"{ROOM}?show=overdue") == pks("overdue")
    assert ids(f"{ROOM}?show=decisions") == pks("decision")
    assert ids(f"{ROOM}?show=events") == pks("event")
    assert ids(f"{ROOM}?emergency={earlier.pk}") == {old.pk}
    assert ids(TASKS) == pks("open", "overdue", "done")
    assert ids(f"{TASKS}?show=open") == pks("open", "overdue")
    assert ids(f"{TASKS}?show=overdue") == pks("overdue")
    overdue = manager_api.get(f"{TASKS}{rows['overdue'].pk}/").json()
    assert overdue["overdue"] is True and manager_api.get(f"{TASKS}{rows['done'].pk}/").json()["overdue"] is False
    assert manager_api.get(f"{ROOM}?show=mine").status_code == 422


@pytest.mark.django_db
def test_the_log_costs_the_same_queries_for_few_or_many(cast, manager_api, django_assert_num_queries):
    def grow(n):
        for _ in range(n):
            for name, entry in _room(cast).items():
                if name == "done":
                    with scopes_disabled():
                        LogEntry.objects.filter(pk=entry.pk).update(done_by=cast.team, created_by=cast.manager)

    grow(2)
    for url in (f"{ROOM}?limit=200", f"{TASKS}?limit=200&show=open"):
        manager_api.get(url)
        with CaptureQueriesContext(connection) as few:
            assert manager_api.get(url).status_code == 200
        grow(10)
        with django_assert_num_queries(len(few)):
            assert manager_api.get(url).status_code == 200
    assert len(manager_api.get(f"{ROOM}?limit=200").json()["results"]) == 6 * 22
    assert _count(kind=EntryKind.TASK) == 3 * 22
