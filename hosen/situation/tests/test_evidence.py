"""The situation room's evidence for checklist items 22, 23, 24 and 40, against counts made by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from hosen.resources.models import Channel, Person, PersonKind
from hosen.situation import evidence
from hosen.situation.models import EntryKind, LogEntry, OutgoingUpdate, UpdateMethod, UpdateStatus
from hosen.workmodel.evidence import EvidenceContext, evidence_for
from hosen.workmodel.models import Emergency


def run(cast, provider):
    with scope(authority=cast.authority), translation.override("en"):
        return provider(EvidenceContext(cast.authority, cast.emergency, cast.round))


def log(cast, kind=EntryKind.EVENT, hours_ago=1, emergency=None, **fields):
    with scopes_disabled():
        return LogEntry.objects.create(authority=fields.pop("authority", cast.authority),
                                       emergency=emergency or cast.emergency, kind=kind, text="x",
                                       happened_at=timezone.now() - timedelta(hours=hours_ago), **fields)


def sent(cast, hours_ago, status=UpdateStatus.SENT, emergency=None, authority=None):
    with scopes_disabled():
        return OutgoingUpdate.objects.create(
            authority=authority or cast.authority, emergency=emergency or cast.emergency, channel_name="c",
            text="x", method=UpdateMethod.COPIED, status=status, sent_at=timezone.now() - timedelta(hours=hours_ago))


def theirs(cast):
    with scopes_disabled():
        return Emergency.objects.get(authority=cast.other_authority)


@pytest.mark.django_db
def test_item_22_counts_the_last_day_and_the_open_and_overdue_tasks(cast):
    assert run(cast, evidence.room_active).text == "Nothing logged in the situation room yet"
    now = timezone.now()
    log(cast, hours_ago=2)
    log(cast, EntryKind.DECISION, hours_ago=23)
    log(cast, hours_ago=30)  # more than a day ago
    log(cast, EntryKind.TASK, hours_ago=40, due_at=now - timedelta(hours=1))  # open, overdue
    log(cast, EntryKind.TASK, hours_ago=1, due_at=now + timedelta(hours=1))  # open
    log(cast, EntryKind.TASK, hours_ago=1, due_at=now - timedelta(hours=1), done_at=now)  # done
    log(cast, EntryKind.TASK, authority=cast.other_authority, emergency=theirs(cast))
    found = run(cast, evidence.room_active)
    assert found.text == "Situation room: 4 entries in the last 24 hours, 2 open tasks, 1 overdue"
    assert found.url == "/a/alpha/room/"


@pytest.mark.django_db
def test_item_23_counts_active_channels_and_updates_of_the_last_48_hours(cast):
    with scopes_disabled():
        Channel.objects.create(authority=cast.authority, name="a", kind="whatsapp", active_in=cast.emergency)
        Channel.objects.create(authority=cast.authority, name="b", kind="whatsapp", active_in=cast.emergency)
        Channel.objects.create(authority=cast.authority, name="c", kind="whatsapp")
        Channel.objects.create(authority=cast.other_authority, name="d", kind="whatsapp", active_in=theirs(cast))
    sent(cast, 1)
    sent(cast, 47)
    sent(cast, 49)
    sent(cast, 2, status=UpdateStatus.FAILED)
    sent(cast, 1, authority=cast.other_authority, emergency=theirs(cast))
    assert run(cast, evidence.fast_channels).text == (
        "2 channels active in this emergency; 2 updates sent in the last 48 hours")


@pytest.mark.django_db
def test_item_24_counts_tasks_carried_by_volunteers_and_activists(cast):
    assert "No task" in run(cast, evidence.community_tasks).text
    with scopes_disabled():
        volunteer = Person.objects.create(authority=cast.authority, name="v", kind=PersonKind.VOLUNTEER)
        activist = Person.objects.create(authority=cast.authority, name="a", kind=PersonKind.ACTIVIST)
        staff = Person.objects.create(authority=cast.authority, name="s", kind=PersonKind.STAFF)
    log(cast, EntryKind.TASK, owner_person=volunteer)
    log(cast, EntryKind.TASK, owner_person=volunteer, done_at=timezone.now())
    log(cast, EntryKind.TASK, owner_person=activist, done_at=timezone.now())
    log(cast, EntryKind.TASK, owner_person=staff)  # staff: not the community
    log(cast, EntryKind.TASK, owner="שם חופשי")  # a name not on record
    assert run(cast, evidence.community_tasks).text == "2 volunteers and activists carry tasks: 1 open, 2 done"


@pytest.mark.django_db
def test_item_40_counts_the_weeks_updates_and_gives_the_last(cast):
    assert run(cast, evidence.platforms_updated).text == "No update sent to the channels yet"
    sent(cast, 24 * 8)
    last = sent(cast, 3)
    sent(cast, 24 * 6)
    sent(cast, 1, status=UpdateStatus.FAILED)
    found = run(cast, evidence.platforms_updated)
    when = timezone.localtime(last.sent_at).strftime("%-d.%-m.%Y %H:%M")
    assert found.text == f"2 updates sent in the last 7 days; the last on {when}"


@pytest.mark.django_db
def test_the_checklist_shows_the_rooms_evidence(cast):
    log(cast, EntryKind.TASK, due_at=timezone.now() - timedelta(hours=2))
    with scope(authority=cast.authority), translation.override("en"):
        found = evidence_for(EvidenceContext(cast.authority, cast.emergency, cast.round), [22, 23, 24, 40])
    assert set(found) == {22, 23, 24, 40}
    assert "1 overdue" in found[22].text
