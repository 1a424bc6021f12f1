"""The situation room's pages in the permission matrix (see tests/test_permissions.py)."""

from django_scopes import scopes_disabled

# name -> (GET permission, POST permission or None)
AUTHORITY_PAGES = {
    "situation:room": ("view", "change"),
    "situation:entry_edit": ("change", "change"),
    # GET answers with the entry; POST marks the task done
    "situation:task_done": ("view", "change"),
    # POST tries a failed e-mail again
    "situation:updates": ("view", "change"),
    "situation:update_new": ("change", "change"),
}


def url_kwargs(cast):
    from hosen.situation.models import EntryKind, LogEntry

    with scopes_disabled():
        entry = LogEntry.objects.create(authority=cast.authority, emergency=cast.emergency, kind=EntryKind.TASK,
                                        text="לתאם הסעות לבית הספר המארח", owner="דנה")
    return {"entry_pk": entry.pk}
