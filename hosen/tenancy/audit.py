"""The audit history of one authority: every change to its records, who made it, before and after.

Every concrete TenantModel keeps a simple-history table; this module reads them all for one
authority. The private check-in is not a TenantModel and keeps no history, so it never appears here.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import CharField, Value

from .models import TenantModel

HIDDEN_FIELDS = {"id", "authority"}
# hosen/api/audit.py writes this before the name of the token that made a change.
API_PREFIX = "API: "


@functools.cache
def tenant_models():
    """Every concrete tenant-owned model with its audit history (computed once: the app registry is fixed)."""
    return [m for m in apps.get_models() if issubclass(m, TenantModel) and hasattr(m, "history")]


@functools.cache
def historical(model):
    # simple-history builds a new manager class on every `model.history`; the history model itself is fixed.
    return model.history.model


@dataclass
class Change:
    when: datetime
    who: object
    kind: str  # "+", "~", "-"
    model_name: str
    object_id: int
    fields: list[tuple[str, object, object]]  # (label, before, after)
    reason: str = ""  # the history row's change reason: "API: <token name>" for a change made through the API

    @property
    def api_token(self) -> str:
        """The name of the access token that made the change through the API, or ""."""
        return self.reason[len(API_PREFIX):] if self.reason.startswith(API_PREFIX) else ""


def _display(field, value):
    if value is None or value == "":
        return "—"
    choices = dict(field.flatchoices) if field.choices else None
    return choices.get(value, value) if choices else value


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def recent_changes(authority, limit=50, model_label=None, before=None) -> list[Change]:
    """The newest changes first. One UNION query over every history table finds the page; then two
    queries for each kind of record that is on it (the rows and the versions before them)."""
    models = {m._meta.label_lower: m for m in tenant_models()
              if not model_label or m._meta.label_lower == model_label}
    if not models:
        return []
    parts = []
    for label, model in models.items():
        rows = historical(model).objects.filter(authority_id=authority.pk)
        if before:
            rows = rows.filter(history_date__lt=before)
        parts.append(rows.order_by().annotate(hosen_record_kind=Value(label, output_field=CharField()))
                     .values_list("history_id", "history_date", "hosen_record_kind"))
    page = list(parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")[:limit]
                if len(parts) > 1 else parts[0].order_by("-history_date", "-history_id")[:limit])
    ids_by_label: dict[str, list[int]] = {}
    for history_id, _when, label in page:
        ids_by_label.setdefault(label, []).append(history_id)

    changes: list[Change] = []
    for label, history_ids in ids_by_label.items():
        model = models[label]
        history_model = historical(model)
        rows = list(history_model.objects.filter(history_id__in=history_ids).select_related("history_user"))
        # The versions before each row, fetched together in one query.
        earlier = history_model.objects.filter(
            id__in={r.id for r in rows}, history_date__lte=max(r.history_date for r in rows)
        ).order_by("id", "history_date", "history_id")
        by_object: dict[int, list] = {}
        for version in earlier:
            by_object.setdefault(version.id, []).append(version)
        fields = _tracked_fields(model)
        for row in rows:
            versions = by_object.get(row.id, [])
            index = next((i for i, v in enumerate(versions) if v.history_id == row.history_id), None)
            prev = versions[index - 1] if index else None
            changes.append(Change(row.history_date, row.history_user, row.history_type,
                                  model._meta.verbose_name, row.id, _diff(fields, row, prev),
                                  row.history_change_reason or ""))
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes


def _diff(fields, row, prev):
    diffs = []
    for field in fields:
        after = getattr(row, field.attname)
        before_value = getattr(prev, field.attname) if prev is not None else None
        if prev is None and row.history_type == "+" and after in (None, ""):
            continue
        if prev is None or before_value != after:
            diffs.append((field.verbose_name, _display(field, before_value) if prev else "—", _display(field, after)))
    return diffs
