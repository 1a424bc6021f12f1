"""The audit history of one authority: every change to its records, who made it, before and after.

Every concrete TenantModel keeps a simple-history table; this module reads them all for one
authority. The private check-in is not a TenantModel and keeps no history, so it never appears here.
"""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps

from .models import TenantModel

HIDDEN_FIELDS = {"id", "authority"}


def tenant_models():
    return [m for m in apps.get_models() if issubclass(m, TenantModel) and hasattr(m, "history")]


@dataclass
class Change:
    when: datetime
    who: object
    kind: str  # "+", "~", "-"
    model_name: str
    object_id: int
    fields: list[tuple[str, object, object]]  # (label, before, after)


def _display(field, value):
    if value is None or value == "":
        return "—"
    choices = dict(field.flatchoices) if field.choices else None
    return choices.get(value, value) if choices else value


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def recent_changes(authority, limit=50, model_label=None, before=None) -> list[Change]:
    """The newest changes first; two queries per tenant model, whatever the size of the history."""
    changes: list[Change] = []
    for model in tenant_models():
        if model_label and model._meta.label_lower != model_label:
            continue
        historical = model.history.model
        rows = historical.objects.filter(authority_id=authority.pk).select_related("history_user")
        if before:
            rows = rows.filter(history_date__lt=before)
        rows = list(rows.order_by("-history_date", "-history_id")[:limit])
        if not rows:
            continue
        # The version before each row, fetched together in one query.
        earlier = historical.objects.filter(
            id__in={r.id for r in rows}, history_date__lte=rows[0].history_date
        ).order_by("id", "history_date", "history_id")
        by_object: dict[int, list] = {}
        for version in earlier:
            by_object.setdefault(version.id, []).append(version)
        fields = _tracked_fields(model)
        for row in rows:
            versions = by_object.get(row.id, [])
            index = next((i for i, v in enumerate(versions) if v.history_id == row.history_id), None)
            prev = versions[index - 1] if index else None
            diffs = []
            for field in fields:
                after = getattr(row, field.attname)
                before_value = getattr(prev, field.attname) if prev is not None else None
                if prev is None and row.history_type == "+" and after in (None, ""):
                    continue
                if prev is None or before_value != after:
                    diffs.append((field.verbose_name, _display(field, before_value) if prev else "—",
                                  _display(field, after)))
            changes.append(Change(row.history_date, row.history_user, row.history_type,
                                  model._meta.verbose_name, row.id, diffs))
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:limit]
