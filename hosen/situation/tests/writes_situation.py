"""The situation room's writes for the no-lost-work tests (see hosen/integrity/registry.py and
tests/test_no_lost_work.py)."""

from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.integrity.registry import Create, Edit, InPlace


def _task(cast):
    from hosen.situation.models import EntryKind, LogEntry

    with scopes_disabled():
        entry = LogEntry.objects.create(authority=cast.authority, emergency=cast.emergency, kind=EntryKind.TASK,
                                        text="לתאם הסעות לבית הספר המארח", owner="דנה")
    return {"entry_pk": entry.pk}, entry


def _count(model_name):
    def count(cast):
        from django.apps import apps

        with scopes_disabled():
            return apps.get_model("situation", model_name).objects.filter(authority=cast.authority).count()

    return count


def _mailing_list(cast):
    """The authority's only channel, with e-mail recipients: the composer chooses it."""
    from hosen.resources.models import Channel

    with scopes_disabled():
        Channel.objects.create(authority=cast.authority, name="רשימת מנהלי בתי הספר", kind="mailing_list",
                               email_recipients="a@example.org\nb@example.org")
    return {}


def _page(name):
    return lambda cast, kwargs: reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


EDITS = [
    Edit("situation:entry_edit", make=_task, first={"text": "לתאם הסעות לבית הספר המארח עד 16:00"},
         second={"text": "לתאם שתי הסעות לבית הספר המארח"}, read=lambda entry: entry.text),
]

IN_PLACE = [
    InPlace("situation:task_done", make=_task, page=lambda cast, kw: _page("situation:room")(cast, {}),
            action=_page("situation:task_done"), first={"done": "1"}, second={"done": "0"},
            read=lambda entry: entry.done_at is not None),
]

CREATES = [
    Create("situation:room", count=_count("LogEntry"),
           fill={"kind": "task", "text": "לבדוק את המקלט בבית הספר הדרומי", "owner": "רונית", "due_in": "2h"}),
    # Sent by e-mail: the same update sent three times goes out once (and is recorded once).
    Create("situation:update_new", count=_count("OutgoingUpdate"), make=_mailing_list,
           fill={"text": "*עדכון מצב*\nכל בתי הספר בלמידה מרחוק מחר.", "send": "email"}),
]

OTHER_WRITES = {
    "situation:updates": "trying a failed e-mail again sends it once: the failed update is held while it is sent, "
                         "and once it went out it says so and cannot be sent again (test_updates.py)",
}
