"""The situation room (חמ"ל) in the API: the log of the current emergency — events, decisions, tasks and notes —
with the room's filters, and its tasks on their own: open, overdue, done in place."""

from typing import Annotated, Literal

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, ModelSchema, Query, Router, Schema

from hosen.integrity.versions import locked, version_of
from hosen.situation.forms import DUE_IN, OWNER_MAX, TEXT_MAX, EntryForm
from hosen.situation.models import EntryKind, LogEntry, Priority

from ..forms_bridge import bind
from ..guard import authority_scope, current_for_edit, etag, sent_version, write
from ..listing import ListQuery, page_of, paginate
from ..problems import Problem
from ..schemas import documented
from .common import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    Flag,
    Moment,
    Text,
    Versioned,
    chosen_emergency,
    created,
    one_of,
    open_emergency,
    present,
    saved,
)

router = Router(tags=["situation room"])

DueIn = Literal[tuple(DUE_IN)]


def _name(user):
    return (user.full_name or None) if user is not None else None


class EntryOut(Versioned, ModelSchema):
    urgent: bool
    overdue: bool = Field(description="A task past its due time and not done.")
    created_by: str | None = Field(None, description="The name of who logged it.")
    done_by: str | None = Field(None, description="The name of who marked the task done.")

    class Meta:
        model = LogEntry
        fields = ["id", "emergency", "kind", "text", "priority", "happened_at", "created_at", "edited_at", "owner",
                  "owner_person", "due_at", "done_at"]

    @staticmethod
    def resolve_urgent(obj):
        return obj.priority == Priority.URGENT

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()

    @staticmethod
    def resolve_created_by(obj):
        return _name(obj.created_by)

    @staticmethod
    def resolve_done_by(obj):
        return _name(obj.done_by)


TIME_HELP = ("ISO 8601; without an offset it is the local time in Israel. Not in the future: log it when it "
             "happens. Now when not given.")
DUE_HELP = "ISO 8601; wins over due_in."


# The limits of the room's form, stated in the schema too (the form still checks them, in the caller's language).
Line = Annotated[Text, Field(min_length=1, max_length=TEXT_MAX)]
Owner = Annotated[Text, Field(max_length=OWNER_MAX)]


class EntryIn(Body):
    kind: one_of(EntryKind) = EntryKind.EVENT.value
    text: Line = Field(description="What happened, what was decided or what is to be done.")
    urgent: Flag = False
    owner: Owner = Field("", description="Tasks: who carries it, a name (matched with the people on record).")
    due_in: DueIn | None = Field(None, description="Tasks: due in 30 minutes, an hour, 2 or 4 hours, or a day.")
    due_at: Moment | None = Field(None, description=f"Tasks: the due time, {DUE_HELP}")
    happened_at: Moment | None = Field(None, description=TIME_HELP)


class EntryPatch(Body):
    kind: one_of(EntryKind) | None = None
    text: Line | None = None
    urgent: Flag | None = None
    owner: Owner | None = None
    due_at: Moment | None = None
    happened_at: Moment | None = None


class TaskIn(Body):
    text: Line = Field(description="What is to be done.")
    urgent: Flag = False
    owner: Owner = Field("", description="Who carries it: a name (matched with the people on record).")
    due_in: DueIn | None = Field(None, description="Due in 30 minutes, an hour, 2 or 4 hours, or a day.")
    due_at: Moment | None = Field(None, description=f"The due time, {DUE_HELP}")
    happened_at: Moment | None = Field(None, description=TIME_HELP)


class TaskPatch(Body):
    text: Line | None = None
    urgent: Flag | None = None
    owner: Owner | None = None
    due_at: Moment | None = None
    happened_at: Moment | None = None


class TaskDone(Body):
    done: Flag = Field(True, description="false opens the task again.")


class LogFilters(Schema):
    emergency: int | None = Field(None, description="An emergency's id; the current one when not given.")
    show: Literal["open", "overdue", "decisions", "events"] | None = Field(
        None, description="The room's filters: open tasks, overdue tasks, decisions or events; everything when not "
                          "given.")


class TaskFilters(Schema):
    emergency: int | None = Field(None, description="An emergency's id; the current one when not given.")
    show: Literal["open", "overdue"] | None = Field(
        None, description="Open tasks, or the overdue ones among them; every task, done or not, when not given.")


def _entries(authority):
    return LogEntry.objects.filter(authority=authority).select_related("created_by", "done_by", "emergency")


def _shown(entries, show, now):
    """The room's filters (hosen/situation/views.py), in the API's order: by id."""
    open_tasks = entries.filter(kind=EntryKind.TASK, done_at__isnull=True)
    if show == "open":
        return open_tasks
    if show == "overdue":
        return open_tasks.filter(due_at__lt=now)
    if show == "decisions":
        return entries.filter(kind=EntryKind.DECISION)
    if show == "events":
        return entries.filter(kind=EntryKind.EVENT)
    return entries


def _entry_url(slug, pk):
    return reverse("api-v1:room_entry", kwargs={"slug": slug, "entry_id": pk})


def _task_url(slug, pk):
    return reverse("api-v1:task", kwargs={"slug": slug, "task_id": pk})


def _add(request, authority, data):
    """An entry in the current emergency's log, as the room's quick add makes it."""
    emergency = open_emergency(authority)
    entry = bind(EntryForm, data, authority=authority, now=timezone.now()).save(commit=False)
    entry.authority, entry.emergency, entry.created_by = authority, emergency, request.user
    entry.save()
    return entry


def _correct(request, authority, model_id, changes, task=False):
    """A correction, as the room's edit page makes it: not in a closed emergency; the earlier wording stays in
    the history."""
    entry = current_for_edit(request, LogEntry, model_id, present(EntryOut))
    if task and entry.kind != EntryKind.TASK:
        raise Http404
    if not entry.emergency.is_open:
        raise Problem(409, "bad-request", _("This entry belongs to a closed emergency and can no longer change."))
    entry = bind(EntryForm, changes, instance=entry, authority=authority).save(commit=False)
    entry.edited_at = timezone.now()
    entry._history_user = request.user
    entry.save()
    return entry


# ---- the log -----------------------------------------------------------------------------------------


@router.get("/{slug}/room/", response=page_of(EntryOut), url_name="room", openapi_extra=documented(READ_ERRORS))
def list_log(request, slug: str, filters: Query[LogFilters], page: Query[ListQuery]):
    """The room's log of an emergency, with the room's filters."""
    with authority_scope(request, slug) as authority:
        emergency = chosen_emergency(authority, filters.emergency)
        entries = _entries(authority).filter(emergency=emergency)
        return paginate(request, _shown(entries, filters.show, timezone.now()), page)


@router.get("/{slug}/room/{entry_id}/", response=EntryOut, url_name="room_entry",
            openapi_extra=documented(READ_ERRORS))
def get_entry(request, response: HttpResponse, slug: str, entry_id: int):
    with authority_scope(request, slug) as authority:
        entry = get_object_or_404(_entries(authority), pk=entry_id)
        response["ETag"] = etag(entry)
        return entry


@router.post("/{slug}/room/", response={201: EntryOut}, openapi_extra=documented(WRITE_ERRORS))
def add_entry(request, slug: str, payload: EntryIn):
    """A line in the current emergency's log: an event, a decision, a task or a note. Owner and due time belong to
    tasks only. Send an Idempotency-Key: the same key again adds nothing."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            entry = _add(request, authority, payload.dict())
            return created(EntryOut, entry, _entry_url(slug, entry.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/room/{entry_id}/", response=EntryOut, openapi_extra=documented(EDIT_ERRORS))
def edit_entry(request, slug: str, entry_id: int, payload: EntryPatch):
    """Correct an entry: send its version in If-Match. An entry of a closed emergency no longer changes."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            return saved(EntryOut, _correct(request, authority, entry_id, payload.dict(exclude_unset=True)))

        return write(request, make)


# ---- tasks -------------------------------------------------------------------------------------------


def _tasks(authority):
    return _entries(authority).filter(kind=EntryKind.TASK)


@router.get("/{slug}/tasks/", response=page_of(EntryOut), url_name="tasks", openapi_extra=documented(READ_ERRORS))
def list_tasks(request, slug: str, filters: Query[TaskFilters], page: Query[ListQuery]):
    """The tasks of an emergency's log: all of them, the open ones, or the overdue ones."""
    with authority_scope(request, slug) as authority:
        emergency = chosen_emergency(authority, filters.emergency)
        tasks = _tasks(authority).filter(emergency=emergency)
        return paginate(request, _shown(tasks, filters.show, timezone.now()), page)


@router.get("/{slug}/tasks/{task_id}/", response=EntryOut, url_name="task", openapi_extra=documented(READ_ERRORS))
def get_task(request, response: HttpResponse, slug: str, task_id: int):
    with authority_scope(request, slug) as authority:
        task = get_object_or_404(_tasks(authority), pk=task_id)
        response["ETag"] = etag(task)
        return task


@router.post("/{slug}/tasks/", response={201: EntryOut}, openapi_extra=documented(WRITE_ERRORS))
def add_task(request, slug: str, payload: TaskIn):
    """A task in the current emergency's log. Send an Idempotency-Key: the same key again adds nothing."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            entry = _add(request, authority, payload.dict() | {"kind": EntryKind.TASK})
            return created(EntryOut, entry, _task_url(slug, entry.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/tasks/{task_id}/", response=EntryOut, openapi_extra=documented(EDIT_ERRORS))
def edit_task(request, slug: str, task_id: int, payload: TaskPatch):
    """Change a task — its text, owner, due time: send its version in If-Match."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            return saved(EntryOut, _correct(request, authority, task_id, payload.dict(exclude_unset=True), task=True))

        return write(request, make)


@router.put("/{slug}/tasks/{task_id}/done/", response=EntryOut, openapi_extra=documented(EDIT_ERRORS))
def mark_done(request, slug: str, task_id: int, payload: TaskDone):
    """Mark a task done (or, with `done: false`, open again), as the room's checkbox does. Send its version in
    If-Match: a task changed meanwhile is 412 with it in `current` — unless it is already as you ask."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            task = locked(LogEntry, task_id)
            if task is None or task.authority_id != authority.pk or task.kind != EntryKind.TASK:
                raise Http404
            if not task.emergency.is_open:
                raise Problem(409, "bad-request",
                              _("This entry belongs to a closed emergency and can no longer change."))
            is_done = task.done_at is not None
            if sent_version(request) != version_of(task):
                if is_done == payload.done:
                    return saved(EntryOut, task)
                raise Problem(412, "conflict",
                              _("This record was changed since you loaded it, so your change was not applied. The "
                                "record as it is now is in \"current\": apply your change to it and send again."),
                              extra={"current": present(EntryOut)(task)}, headers={"ETag": etag(task)})
            if payload.done != is_done:
                task.done_at, task.done_by = (timezone.now(), request.user) if payload.done else (None, None)
                task._history_user = request.user
                task.save(update_fields=["done_at", "done_by"])
            return saved(EntryOut, task)

        return write(request, make)
