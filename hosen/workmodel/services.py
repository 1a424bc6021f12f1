"""The working model's operations, shared by the pages, the network and the demo data."""

import uuid

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .models import Answer, Emergency, Phase, Round


def current_emergency(authority):
    return Emergency.objects.filter(authority=authority).exclude(phase=Phase.CLOSED).first()


def current_round(emergency):
    if emergency is None:
        return None
    return emergency.rounds.order_by("-number").first()


def previous_lessons(authority, limit=5):
    """Lessons of the authority's closed emergencies, newest first: shown when the next one opens."""
    return (
        Emergency.objects.filter(authority=authority, phase=Phase.CLOSED)
        .exclude(lessons="").order_by("-closed_at")[:limit]
    )


@transaction.atomic
def open_emergency(authority, user, group=None, **fields) -> Emergency:
    emergency = Emergency.objects.create(authority=authority, created_by=user, group=group, **fields)
    Round.objects.create(authority=authority, emergency=emergency, number=1, started_by=user)
    return emergency


def open_for_many(authorities, user, **fields) -> tuple[list[Emergency], list]:
    """The network opens one emergency for several authorities; those already in one are skipped."""
    group = uuid.uuid4()
    opened, skipped = [], []
    for authority in authorities:
        if Emergency.objects.filter(authority=authority).exclude(phase=Phase.CLOSED).exists():
            skipped.append(authority)
        else:
            opened.append(open_emergency(authority, user, group=group, **fields))
    return opened, skipped


@transaction.atomic
def start_round(emergency, user, label="") -> Round:
    """A new round starts from the previous round's answers, marked as carried over until confirmed."""
    last = emergency.rounds.select_for_update().order_by("-number").first()
    new_round = Round.objects.create(
        authority=emergency.authority, emergency=emergency, number=(last.number + 1) if last else 1,
        started_by=user, label=label,
    )
    if last is not None:
        carried = [
            Answer(authority=emergency.authority, round=new_round, item_id=a.item_id, status=a.status,
                   note=a.note, answered_by=a.answered_by, answered_at=a.answered_at, carried_over=True)
            for a in last.answers.all()
        ]
        bulk_create_with_history(carried, Answer, default_user=user)
    return new_round


@transaction.atomic
def close_emergency(emergency, lessons: str):
    emergency.phase = Phase.CLOSED
    emergency.lessons = lessons
    emergency.closed_at = timezone.now()
    emergency.save(update_fields=["phase", "lessons", "closed_at"])


def round_changes(this_round, previous_round):
    """Items whose status or note differ between two rounds: [(item_id, before, after)]."""
    before = (
        {a.item_id: a for a in previous_round.answers.select_related("answered_by")} if previous_round else {}
    )
    changes = []
    for answer in this_round.answers.select_related("answered_by"):
        old = before.get(answer.item_id)
        if old is None or old.status != answer.status or old.note != answer.note:
            changes.append((answer.item_id, old, answer))
    return changes
