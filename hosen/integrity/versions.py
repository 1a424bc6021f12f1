"""Versioned edits: every edit carries the version of the record it was loaded from, and a save over a
record that changed meanwhile is refused with a conflict view instead of overwriting someone's work.

A record's version is a fingerprint of its stored values (and of the many-to-many links a form edits).
It needs no column, and it changes with every change, whichever path made it: a form, an in-place change,
an import, the admin. The check reads the record locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's
write transactions are exclusive already) inside the request's one transaction, so nothing can slip in
between the check and the save.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _

VERSION_FIELD = "version"
# The version of a record that does not exist yet (a first checklist answer, say): if someone else creates
# it first, the second save is a conflict too.
NEW = "new"


def version_of(instance, m2m=(), fields=None) -> str:
    """The record's version: all its stored values, or only `fields` (the ones a form edits)."""
    if instance is None or instance.pk is None:
        return NEW
    values = [(field.attname, field.value_to_string(instance)) for field in instance._meta.concrete_fields
              if fields is None or field.name in fields]
    for name in m2m:
        values.append((name, sorted(getattr(instance, name).values_list("pk", flat=True))))
    return hashlib.blake2b(repr(values).encode(), digest_size=10).hexdigest()


def locked(model, pk):
    """The record as stored now, locked until the request's transaction ends (None if it is gone)."""
    rows = model._base_manager.filter(pk=pk)
    if connection.in_atomic_block and connection.features.has_select_for_update:
        rows = rows.select_for_update()
    return rows.first()


def sent_version(request, prefix="") -> str | None:
    name = f"{prefix}-{VERSION_FIELD}" if prefix else VERSION_FIELD
    value = request.POST.get(name)
    return value.strip() if value else None


def last_change(record):
    """Who saved the record last and when, from its history (None when it keeps none)."""
    history = getattr(record, "history", None)
    if record is None or history is None:
        return None
    latest = history.select_related("history_user").order_by("-history_date", "-history_id").first()
    if latest is None:
        return None
    return {"who": latest.history_user.display_name if latest.history_user else None, "when": latest.history_date}


def is_stale(request, instance, *, prefix="", m2m=()):
    """For an in-place change: the record as stored now when the request's version is not its version,
    else None. A request without a version is stale: it cannot say what it was looking at."""
    current = locked(type(instance), instance.pk)
    sent = sent_version(request, prefix)
    if current is None:
        return None  # gone: the view's own lookup answers 404
    if sent != version_of(current, m2m):
        return current
    return None


def changed_meanwhile(current) -> str:
    """The message of an in-place change refused because the record changed since the page was loaded."""
    change = last_change(current)
    if change and change["who"]:
        return _("%(who)s changed this meanwhile, so your change was not applied. Here it is as it is now: "
                 "choose again if it is still needed.") % {"who": change["who"]}
    return _("This was changed meanwhile, so your change was not applied. Here it is as it is now: choose again "
             "if it is still needed.")


def shown(field, value) -> str:
    """A value as the form shows it, for the side-by-side view."""
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(field, forms.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, forms.ModelMultipleChoiceField):
        return ", ".join(sorted(str(item) for item in value)) or "—"  # links have no order
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): label for key, label in _flat_choices(field.choices)}
        if isinstance(value, (list, tuple, set)):
            return ", ".join(str(labels.get(str(v), v)) for v in value)
        return str(labels.get(str(value), value))
    if isinstance(value, Decimal):
        return formats.localize(value.normalize() if value == value.to_integral() else value)
    if isinstance(value, datetime):
        return formats.localize(timezone.localtime(value) if timezone.is_aware(value) else value)
    if isinstance(value, date):
        return formats.localize(value)
    return str(value)


def _flat_choices(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield key, label


@dataclass
class Conflict:
    rows: list  # [{"label", "yours", "current"}] for every field where the two differ
    change: dict | None  # {"who", "when"} of the save that came first, when known


def _yours(form, name):
    field = form.fields[name]
    if name in getattr(form, "cleaned_data", {}):
        return form.cleaned_data[name]
    raw = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
    try:
        return field.clean(raw)
    except forms.ValidationError:
        # A widget of several inputs (a time and its occurrence) gives a list: its first part is the text.
        multiple = isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField))
        return raw[0] if isinstance(raw, (list, tuple)) and raw and not multiple else raw


def _current(form, record, name):
    field = form.fields[name]
    if isinstance(field, forms.ModelMultipleChoiceField):
        return list(getattr(record, name).all())
    model_fields = {f.name for f in record._meta.get_fields()}
    return getattr(record, name, None) if name in model_fields else form.initial.get(name)


def conflict_rows(form, record, names=None):
    rows = []
    for name in names or form.fields:
        field = form.fields[name]
        if field.widget.is_hidden:
            continue
        yours, current = shown(field, _yours(form, name)), shown(field, _current(form, record, name))
        if yours != current:
            rows.append({"label": field.label, "yours": yours, "current": current})
    return rows


class VersionedForm:
    """Mixin for a ModelForm that edits a stored record: it refuses to save over a newer version.

    The page carries the version in a hidden input (`{% form_guard form %}` renders it). On a stale save
    the form is invalid, `form.conflict` holds the side by side of the user's text and the record as it is
    now, and the version in the page becomes the current one, so that saving again (after merging) applies.
    The version covers the fields the form edits (and the many-to-many links it names in `versioned_m2m`):
    a change elsewhere in the record (a status tapped on a card, a move on the board) is no conflict, and the
    save keeps it — the record's other fields are taken from the locked row, not from the page.
    """

    versioned_m2m: tuple = ()
    conflict: Conflict | None = None

    @classmethod
    def versioned_fields(cls):
        return set(cls.base_fields)

    @classmethod
    def version_for(cls, instance) -> str:
        """The version a page shows for `instance` when it writes this form out by hand."""
        return version_of(instance, cls.versioned_m2m, cls.versioned_fields())

    @property
    def version_token(self) -> str:
        if self.conflict is not None:
            return self._current_version
        if self.is_bound:
            return self.data.get(self.add_prefix(VERSION_FIELD), "")
        return version_of(self.instance, self.versioned_m2m, self.versioned_fields())

    def _accept_others(self, current, edited):
        """What others changed outside this form since the page was loaded is kept."""
        for field in current._meta.concrete_fields:
            if field.name not in edited and not field.primary_key:
                setattr(self.instance, field.attname, getattr(current, field.attname))

    def _post_clean(self):
        super()._post_clean()
        if self.is_bound and self.instance.pk is not None:
            self._check_version()

    def _check_version(self):
        current = locked(type(self.instance), self.instance.pk)
        if current is None:
            return
        edited = self.versioned_fields()
        self._current_version = version_of(current, self.versioned_m2m, edited)
        sent = (self.data.get(self.add_prefix(VERSION_FIELD)) or "").strip()
        # The whole record's version (an in-place form's, a client that keeps one per record) is good too: if
        # nothing at all changed, the fields this form edits did not either.
        if sent in (self._current_version, version_of(current, self.versioned_m2m)):
            self._accept_others(current, edited)
            return
        rows = conflict_rows(self, current)
        if not rows:
            # What was sent is what is saved now (the same form sent twice, or both wrote the same): no conflict.
            self._accept_others(current, edited)
            return
        self.conflict = Conflict(rows, last_change(current))
        self.add_error(None, forms.ValidationError(
            _("Someone else saved this while you were editing, so nothing of yours was saved yet. Your text is "
              "kept below, next to what is saved now: merge what you need and save again."), code="conflict"))
