"""The situation room's operations in the API's permission matrix (see objects.py)."""

from hosen.situation.models import LogEntry


def _entry(authority, emergency, made):
    return LogEntry.objects.create(authority=authority, emergency=emergency, kind="event", text="sirens at 9:40").pk


def _task(authority, emergency, made):
    return LogEntry.objects.create(authority=authority, emergency=emergency, kind="task",
                                   text="call the school principals", owner="Dana").pk


PATH_OBJECTS = {"entry_id": _entry, "task_id": _task}

MODELS = {"entry_id": LogEntry, "task_id": LogEntry}

BODIES = {
    "hosen_api_resources_situation_add_entry": lambda: {"kind": "decision", "text": "schools open at 10:00"},
    "hosen_api_resources_situation_edit_entry": lambda: {"text": "sirens at 9:45"},
    "hosen_api_resources_situation_add_task": lambda: {"text": "count the laptops", "due_in": "2h"},
    "hosen_api_resources_situation_edit_task": lambda: {"owner": "Yossi"},
    "hosen_api_resources_situation_mark_done": lambda: {"done": True},
}
