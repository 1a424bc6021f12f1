"""The situation room: the log and its filters, the quick add (and what a failed add keeps), overdue tasks,
the polled partial, marking a task done in place, corrections with their history, and queries per page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.integrity.testing import loaded, with_version
from hosen.resources.models import Person, PersonKind
from hosen.situation.models import EntryKind, LogEntry, Priority
from hosen.workmodel.models import Emergency, EmergencyKind, Phase, Severity

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}
POLL = {**HTMX, "HTTP_HX_TARGET": "room-log", "HTTP_HX_TRIGGER": "room-log"}


def url(cast, name, **kwargs):
    return reverse(f"situation:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def entry(cast, text, kind=EntryKind.EVENT, *, minutes_ago=5, emergency=None, authority=None, **fields):
    with scopes_disabled():
        return LogEntry.objects.create(
            authority=authority or cast.authority, emergency=emergency or cast.emergency, kind=kind, text=text,
            happened_at=timezone.now() - timedelta(minutes=minutes_ago), **fields)


def other_emergency(cast):
    with scopes_disabled():
        return Emergency.objects.get(authority=cast.other_authority)


def texts(response):
    return [e.text for e in response.context["page"].object_list]


@pytest.fixture
def log(cast):
    """A log counted by hand: 2 events, 1 decision, 1 note, 3 tasks (one overdue, one open and not yet due,
    one done though its due time has passed), plus entries that must never show."""
    now = timezone.now()
    made = {
        "siren": entry(cast, "אזעקה באזור הצפון", minutes_ago=50),
        "closed": entry(cast, "בית הספר הצפוני סגור", minutes_ago=40),
        "decide": entry(cast, "הוחלט לעבור ללמידה מרחוק", EntryKind.DECISION, minutes_ago=30),
        "note": entry(cast, "לבדוק שוב בערב", EntryKind.NOTE, minutes_ago=20),
        "late": entry(cast, "להפיץ ערכות לימוד", EntryKind.TASK, minutes_ago=60, owner="רונית",
                      due_at=now - timedelta(hours=1), priority=Priority.URGENT),
        "soon": entry(cast, "לפתוח מרחב מוגן", EntryKind.TASK, minutes_ago=10, owner="אבי",
                      due_at=now + timedelta(hours=2)),
        "done": entry(cast, "לעדכן את ההורים", EntryKind.TASK, minutes_ago=90, owner="דנה",
                      due_at=now - timedelta(hours=3), done_at=now - timedelta(hours=2)),
    }
    entry(cast, "סוד של רשות ב", authority=cast.other_authority, emergency=other_emergency(cast))
    with scopes_disabled():
        old = Emergency.objects.create(authority=cast.authority, name="ישן", kind=EmergencyKind.FIRE,
                                       started_on="2025-01-01", severity=Severity.LOW, phase=Phase.CLOSED)
    entry(cast, "מאירוע שנסגר", emergency=old)
    return made


# ---- the log ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_room_shows_the_current_emergencys_log_newest_first(cast, client_for, log):
    response = client_for(cast.viewer).get(url(cast, "room"), **EN)
    assert response.status_code == 200
    assert texts(response) == [
        "לפתוח מרחב מוגן", "לבדוק שוב בערב", "הוחלט לעבור ללמידה מרחוק", "בית הספר הצפוני סגור",
        "אזעקה באזור הצפון", "להפיץ ערכות לימוד", "לעדכן את ההורים"]
    body = response.content.decode()
    assert "סוד של רשות ב" not in body and "מאירוע שנסגר" not in body
    # a viewer reads, and gets neither the add form nor the buttons
    assert 'id="quick-add"' not in body
    assert url(cast, "task_done", entry_pk=log["late"].pk) not in body
    assert 'dir="auto"' in body


@pytest.mark.django_db
def test_overdue_tasks_stand_out_with_a_label_not_colour_alone(cast, client_for, log):
    response = client_for(cast.team).get(url(cast, "room"), **EN)
    page = {e.pk: e for e in response.context["page"].object_list}
    assert [pk for pk, e in page.items() if e.overdue] == [log["late"].pk]
    body = response.content.decode()
    late = body.split(f'id="entry-{log["late"].pk}"')[1].split("</li>")[0]
    assert " overdue" in late.split(">")[0]  # the card's class: a stronger border and background
    assert "Overdue" in late and "Urgent" in late
    soon = body.split(f'id="entry-{log["soon"].pk}"')[1].split("</li>")[0]
    done = body.split(f'id="entry-{log["done"].pk}"')[1].split("</li>")[0]
    assert "Overdue" not in soon and "Overdue" not in done  # done in time or not, a done task is not overdue
    assert "Done" in done


@pytest.mark.django_db
@pytest.mark.parametrize("show, expected", [
    ("open", ["להפיץ ערכות לימוד", "לפתוח מרחב מוגן"]),  # by due time, the most pressing first
    ("overdue", ["להפיץ ערכות לימוד"]),
    ("decisions", ["הוחלט לעבור ללמידה מרחוק"]),
    ("events", ["בית הספר הצפוני סגור", "אזעקה באזור הצפון"]),
    ("nonsense", None),  # an unknown filter shows everything
])
def test_filters(cast, client_for, log, show, expected):
    response = client_for(cast.manager).get(url(cast, "room"), {"show": show}, **EN)
    assert response.status_code == 200
    if expected is None:
        assert len(texts(response)) == 7
    else:
        assert texts(response) == expected


@pytest.mark.django_db
def test_filter_counts_match_a_hand_count(cast, client_for, log):
    filters = client_for(cast.manager).get(url(cast, "room"), **EN).context["filters"]
    assert {f["value"]: f["n"] for f in filters} == {"": 7, "open": 2, "overdue": 1, "decisions": 1, "events": 2}


@pytest.mark.django_db
def test_older_entries_are_on_further_pages(cast, client_for):
    for n in range(35):
        entry(cast, f"אירוע {n}", minutes_ago=100 - n)
    client = client_for(cast.manager)
    first = client.get(url(cast, "room"), **EN)
    assert len(texts(first)) == 30 and texts(first)[0] == "אירוע 34"
    assert "?page=2" in first.content.decode()
    second = client.get(url(cast, "room"), {"page": 2}, **EN)
    assert texts(second) == [f"אירוע {n}" for n in range(4, -1, -1)]
    # only the newest page refreshes itself
    assert "data-hx-trigger" in first.content.decode().split('id="room-log"')[1].split(">")[0]
    assert "data-hx-trigger" not in second.content.decode().split('id="room-log"')[1].split(">")[0]


@pytest.mark.django_db
def test_no_open_emergency_is_said_calmly(cast, client_for):
    with scopes_disabled():
        cast.emergency.phase = Phase.CLOSED
        cast.emergency.save()
    client = client_for(cast.manager)
    response = client.get(url(cast, "room"), **EN)
    assert response.status_code == 200
    assert "no open emergency" in response.content.decode()
    response = client.post(url(cast, "room"), {"kind": "event", "text": "x"}, **EN)
    assert response.status_code == 302
    # an open room whose emergency has just closed reloads itself, by its poll or its form
    for response in (client.get(url(cast, "room"), **POLL), client.post(url(cast, "room"), {"text": "x"}, **HTMX)):
        assert response.status_code == 204 and response["HX-Refresh"] == "true"
    with scopes_disabled():
        assert not LogEntry.objects.exists()


# ---- polling ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_poll_gets_only_the_log_never_the_form(cast, client_for, log, settings):
    settings.HOSEN_ROOM_POLL_SECONDS = 20
    client = client_for(cast.team)
    page = client.get(url(cast, "room"), **EN).content.decode()
    # the page polls the log partial every 20 s; the form is outside it
    log_tag = page.split('id="room-log"')[1].split(">")[0]
    assert 'data-hx-trigger="every 20s"' in log_tag and f'data-hx-get="{url(cast, "room")}"' in log_tag
    assert 'data-poll="20"' in log_tag
    assert page.index('id="quick-add"') < page.index('id="room-log"')
    assert 'id="quick-add"' not in page.split('id="room-log"')[1]

    entry(cast, "אירוע חדש שנוסף עכשיו", minutes_ago=0)
    response = client.get(url(cast, "room"), **EN, **POLL)
    assert response.status_code == 200
    assert response["X-Hosen-Log"] == "1"
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="room-log"')
    assert "אירוע חדש שנוסף עכשיו" in body
    assert 'name="text"' not in body and 'id="quick-add"' not in body and "<html" not in body


@pytest.mark.django_db
def test_the_poll_keeps_the_filter_and_the_interval_follows_the_setting(cast, client_for, log, settings):
    settings.HOSEN_ROOM_POLL_SECONDS = 2
    page = client_for(cast.team).get(url(cast, "room"), {"show": "open"}, **EN).content.decode()
    log_tag = page.split('id="room-log"')[1].split(">")[0]
    assert 'data-hx-trigger="every 2s"' in log_tag and 'data-poll="2"' in log_tag
    assert f'data-hx-get="{url(cast, "room")}?show=open"' in log_tag


# ---- adding ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plain_add_redirects_and_keeps_who_and_when(cast, client_for):
    response = client_for(cast.team).post(url(cast, "room"), {"kind": "decision", "text": "  פותחים מוקד טלפוני  "})
    with scopes_disabled():
        added = LogEntry.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#entry-{added.pk}")
    assert (added.kind, added.text, added.created_by, added.emergency) == (
        "decision", "פותחים מוקד טלפוני", cast.team, cast.emergency)
    assert timezone.now() - added.happened_at < timedelta(seconds=30)
    assert added.owner == "" and added.due_at is None


@pytest.mark.django_db
def test_a_task_with_owner_and_due_time_matches_the_person_on_record(cast, client_for):
    with scopes_disabled():
        volunteer = Person.objects.create(authority=cast.authority, name="Ronit Levi", kind=PersonKind.VOLUNTEER)
        Person.objects.create(authority=cast.other_authority, name="Avi", kind=PersonKind.VOLUNTEER)
    client = client_for(cast.manager)
    client.post(url(cast, "room"), {"kind": "task", "text": "ערכות", "owner": "ronit levi",
                                    "due_at": "2026-10-08T14:30", "urgent": "on"})
    client.post(url(cast, "room"), {"kind": "task", "text": "מרחב", "owner": "Avi", "due_in": "2h"})
    with scopes_disabled():
        first, second = LogEntry.objects.order_by("pk")
    assert first.owner_person == volunteer and first.priority == Priority.URGENT
    assert timezone.localtime(first.due_at).strftime("%Y-%m-%d %H:%M") == "2026-10-08 14:30"
    # "Avi" is a person of another authority only: kept as a name, never linked
    assert second.owner == "Avi" and second.owner_person is None
    assert timedelta(minutes=119) < second.due_at - timezone.now() <= timedelta(hours=2)


@pytest.mark.django_db
def test_owner_and_due_time_are_dropped_from_an_event(cast, client_for):
    client_for(cast.manager).post(url(cast, "room"), {"kind": "event", "text": "אזעקה", "owner": "דנה",
                                                      "due_in": "1h"})
    with scopes_disabled():
        added = LogEntry.objects.get()
    assert added.owner == "" and added.due_at is None


@pytest.mark.django_db
def test_an_entry_logged_after_the_fact_keeps_its_earlier_time_but_not_a_future_one(cast, client_for):
    client = client_for(cast.manager)
    earlier = timezone.localtime() - timedelta(hours=3)
    client.post(url(cast, "room"), {"kind": "event", "text": "מוקדם",
                                    "happened_at": earlier.strftime("%Y-%m-%dT%H:%M")})
    response = client.post(url(cast, "room"), {
        "kind": "event", "text": "עתידי", "happened_at": (timezone.localtime() + timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M")}, **EN)
    assert response.status_code == 422
    assert "still in the future" in response.content.decode()
    with scopes_disabled():
        assert [e.text for e in LogEntry.objects.all()] == ["מוקדם"]
        assert abs(LogEntry.objects.get().happened_at - earlier.replace(second=0, microsecond=0)) < timedelta(seconds=1)


@pytest.mark.django_db
@pytest.mark.parametrize("data, field", [
    ({"kind": "event", "text": "   "}, "text"),
    ({"kind": "rumour", "text": "שמועה על סגירה"}, "kind"),
    ({"kind": "task", "text": "משימה", "due_at": "מחר"}, "due_at"),
    ({"kind": "event", "text": "א" * 2001}, "text"),
])
def test_a_failed_plain_add_keeps_what_was_typed(cast, client_for, data, field):
    response = client_for(cast.team).post(url(cast, "room"), data, **EN)
    assert response.status_code == 422
    form = response.context["form"]
    assert field in form.errors
    body = response.content.decode()
    if data["text"].strip() and len(data["text"]) < 100:
        assert data["text"] in body  # what was typed is still in the form
    with scopes_disabled():
        assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_a_failed_htmx_add_returns_only_the_form_with_the_text(cast, client_for, log):
    response = client_for(cast.team).post(url(cast, "room"), {"kind": "task", "text": "לחלק מחשבים",
                                                              "due_at": "not a time"}, **EN, **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#quick-add" and response["HX-Reswap"] == "outerHTML"
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="quick-add"')
    assert "לחלק מחשבים" in body and re.search(r'value="task"[^>]*checked', body)
    assert 'id="room-log"' not in body


@pytest.mark.django_db
def test_an_htmx_add_returns_the_log_with_the_entry_and_a_fresh_form(cast, client_for, log):
    response = client_for(cast.team).post(url(cast, "room"), {"kind": "task", "text": "לתאם הסעה", "owner": "אבי",
                                                              "due_in": "1h"}, **EN, **HTMX)
    assert response.status_code == 200 and response["X-Hosen-Log"] == "1"
    body = response.content.decode()
    log_part, form_part = body.split('<form id="quick-add"', 1)
    assert "לתאם הסעה" in log_part
    assert 'data-hx-swap-oob="true"' in form_part and "לתאם הסעה" not in form_part  # the form comes back empty
    assert re.search(r'value="task"[^>]*checked', form_part)  # still on "task"


# ---- tasks done ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_marking_a_task_done_in_place_and_opening_it_again(cast, client_for, log):
    client = client_for(cast.team)
    done_url = url(cast, "task_done", entry_pk=log["late"].pk)
    response = client.post(done_url, with_version(log["late"], done="1"), **EN, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li id="entry-{log["late"].pk}"')
    assert "Overdue" not in body and "Marked done" in body
    log["late"].refresh_from_db()
    assert log["late"].done_at is not None and log["late"].done_by == cast.team

    response = client.post(done_url, with_version(log["late"], done="0"), **EN, **HTMX)
    log["late"].refresh_from_db()
    assert log["late"].done_at is None and log["late"].done_by is None
    assert "Overdue" in response.content.decode()  # open again, and still late
    with scopes_disabled():
        assert log["late"].history.count() == 3  # created, done, opened again


@pytest.mark.django_db
def test_only_a_task_can_be_done_and_a_plain_post_goes_back(cast, client_for, log):
    client = client_for(cast.team)
    response = client.post(url(cast, "task_done", entry_pk=log["decide"].pk), with_version(log["decide"], done="1"),
                           **EN, **HTMX)
    assert response.status_code == 422
    log["decide"].refresh_from_db()
    assert log["decide"].done_at is None
    response = client.post(url(cast, "task_done", entry_pk=log["soon"].pk), with_version(log["soon"], done="1"))
    assert response.status_code == 302 and response["Location"].endswith(f"#entry-{log['soon'].pk}")


@pytest.mark.django_db
def test_another_authoritys_entry_is_not_found(cast, client_for):
    theirs = entry(cast, "סוד", EntryKind.TASK, authority=cast.other_authority, emergency=other_emergency(cast))
    client = client_for(cast.manager)
    assert client.post(url(cast, "task_done", entry_pk=theirs.pk), {"done": "1"}).status_code == 404
    assert client.get(url(cast, "entry_edit", entry_pk=theirs.pk)).status_code == 404
    assert client.get(url(cast, "entry_edit", entry_pk=999999)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.done_at is None


# ---- corrections -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_keeps_the_original_in_the_history(cast, client_for, log):
    client = client_for(cast.manager)
    edit = url(cast, "entry_edit", entry_pk=log["decide"].pk)
    response = client.get(edit, **EN)
    assert response.status_code == 200 and "הוחלט לעבור ללמידה מרחוק" in response.content.decode()
    response = client.post(edit, loaded(client, edit, having="text", text="הוחלט לעבור ללמידה מרחוק מיום ראשון",
                                        happened_at=""))
    assert response.status_code == 302
    log["decide"].refresh_from_db()
    assert log["decide"].text == "הוחלט לעבור ללמידה מרחוק מיום ראשון" and log["decide"].edited_at
    with scopes_disabled():
        versions = [v.text for v in log["decide"].history.order_by("history_date", "history_id")]
    assert versions == ["הוחלט לעבור ללמידה מרחוק", "הוחלט לעבור ללמידה מרחוק מיום ראשון"]
    assert versions[0] in client.get(edit, **EN).content.decode()  # "earlier wording" shows the original
    # the time it happened is kept when the correction leaves it empty
    assert abs(log["decide"].happened_at - (timezone.now() - timedelta(minutes=30))) < timedelta(minutes=1)


@pytest.mark.django_db
def test_a_bad_correction_changes_nothing(cast, client_for, log):
    client = client_for(cast.manager)
    edit = url(cast, "entry_edit", entry_pk=log["note"].pk)
    response = client.post(edit, loaded(client, edit, having="text", text=""), **EN)
    assert response.status_code == 422
    log["note"].refresh_from_db()
    assert log["note"].text == "לבדוק שוב בערב"


# ---- queries per page ------------------------------------------------------------------------


def _count(client, path, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    assert response.status_code == 200, path
    return len(queries)


def _grow(cast, n):
    with scopes_disabled():
        people = [Person.objects.create(authority=cast.authority, name=f"מתנדב {cast.authority.pk}-{i}-{n}",
                                        kind=PersonKind.VOLUNTEER) for i in range(3)]
    for i in range(n):
        entry(cast, f"משימה {i}", EntryKind.TASK, minutes_ago=i, owner=people[i % 3].name,
              owner_person=people[i % 3], created_by=cast.team, due_at=timezone.now() - timedelta(minutes=i),
              done_by=cast.manager if i % 2 else None, done_at=timezone.now() if i % 2 else None)
        entry(cast, f"החלטה {i}", EntryKind.DECISION, minutes_ago=i, created_by=cast.manager)


@pytest.mark.django_db
@pytest.mark.parametrize("query, extra", [({}, {}), ({"show": "overdue"}, {}), ({}, POLL)])
def test_the_room_makes_the_same_few_queries_however_long_the_log(cast, client_for, query, extra):
    client = client_for(cast.manager)
    path = url(cast, "room") + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    _grow(cast, 2)
    client.get(path, **extra)
    small = _count(client, path, **extra)
    _grow(cast, 40)
    large = _count(client, path, **extra)
    assert large == small, f"{small} queries with a short log, {large} with a long one"
    assert large <= 14


# ---- two people, one log ---------------------------------------------------------------------


def _two(cast):
    from django.test import Client

    team, manager = Client(**EN), Client(**EN)
    team.force_login(cast.team)
    manager.force_login(cast.manager)
    return team, manager


@pytest.mark.django_db
def test_done_twice_from_two_pages_is_done_once_by_the_first(cast, log):
    team, manager = _two(cast)
    task = log["soon"]
    done_url = url(cast, "task_done", entry_pk=task.pk)
    his = loaded(team, url(cast, "room"), form_action=done_url)
    hers = loaded(manager, url(cast, "room"), form_action=done_url)
    assert team.post(done_url, his, **HTMX).status_code == 200
    # Her page still showed it open: she asks for what is already so, and that is no refusal.
    response = manager.post(done_url, hers, **HTMX)
    assert response.status_code == 200 and "Marked done" in response.content.decode()
    task.refresh_from_db()
    assert task.done_by == cast.team
    with scopes_disabled():
        assert task.history.count() == 2  # created, done: her tap changed nothing


@pytest.mark.django_db
def test_a_plain_tap_on_a_task_corrected_meanwhile_goes_back_and_says_why(cast, log):
    team, manager = _two(cast)
    task = log["late"]
    done_url = url(cast, "task_done", entry_pk=task.pk)
    hers = loaded(manager, url(cast, "room"), form_action=done_url)
    # Meanwhile the task is corrected: it is not what she was about to mark done.
    edit = url(cast, "entry_edit", entry_pk=task.pk)
    assert team.post(edit, loaded(team, edit, having="text", text="לא להפיץ: הערכות עוד לא הגיעו")).status_code == 302
    response = manager.post(done_url, hers)
    assert response.status_code == 302
    page = manager.get(response["Location"]).content.decode()
    assert "team changed this meanwhile, so your change was not applied" in page
    task.refresh_from_db()
    assert task.done_at is None


@pytest.mark.django_db
def test_a_quick_add_sent_twice_adds_once(cast):
    team, _manager = _two(cast)
    data = loaded(team, url(cast, "room"), having="submission", kind="event", text="נפל טיל ליד בית הספר")
    first, second = (team.post(url(cast, "room"), data, **HTMX) for _ in range(2))
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content and second["X-Hosen-Replayed"] == "1"
    with scopes_disabled():
        assert LogEntry.objects.filter(text="נפל טיל ליד בית הספר").count() == 1
    # The blank form that comes back carries a new key, for the next entry.
    fresh = re.search(r'name="submission" value="([^"]+)"', first.content.decode()).group(1)
    assert fresh != data["submission"]


@pytest.mark.django_db
def test_a_correction_from_a_page_loaded_before_a_done_tap_keeps_the_done(cast, log):
    team, manager = _two(cast)
    task = log["soon"]
    edit = url(cast, "entry_edit", entry_pk=task.pk)
    hers = loaded(manager, edit, having="text")
    assert team.post(url(cast, "task_done", entry_pk=task.pk), with_version(task, done="1")).status_code == 302
    # Marking it done changed nothing she edits: her correction applies, and it stays done.
    assert manager.post(edit, {**hers, "text": "לפתוח מרחב מוגן בבית הספר הדרומי"}).status_code == 302
    task.refresh_from_db()
    assert task.text == "לפתוח מרחב מוגן בבית הספר הדרומי" and task.done_by == cast.team


@pytest.mark.django_db
def test_a_stale_correction_shows_only_what_differs(cast, log):
    team, manager = _two(cast)
    task = log["soon"]
    edit = url(cast, "entry_edit", entry_pk=task.pk)
    hers = loaded(manager, edit, having="text")
    assert team.post(edit, loaded(team, edit, having="text", urgent="on")).status_code == 302
    response = manager.post(edit, {**hers, "text": "לפתוח מרחב מוגן בבית הספר הדרומי"})
    assert response.status_code == 409
    rows = response.context["form"].conflict.rows
    assert [(r["label"], r["yours"], r["current"]) for r in rows] == [
        ("What happened", "לפתוח מרחב מוגן בבית הספר הדרומי", "לפתוח מרחב מוגן"), ("Urgent", "no", "yes")]
    task.refresh_from_db()
    assert (task.text, task.priority) == ("לפתוח מרחב מוגן", Priority.URGENT)
