"""Loading the library of KPI templates from hosen/model_content/kpi_templates.json.

Templates are matched by key, so loading twice changes nothing and a newer file updates texts in place.
A template no longer in the file is retired (inactive), never deleted: authorities' KPIs point at it.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from hosen.workmodel.translated import LANGS

from .kpis import SOURCES
from .models import Cadence, Direction, KpiTemplate, TemplateKind, Unit

TEMPLATES_FILE = Path(settings.BASE_DIR) / "hosen" / "model_content" / "kpi_templates.json"


def _texts(key, name, value):
    missing = [lang for lang in LANGS if not (value or {}).get(lang)]
    if missing:
        raise ValueError(f"KPI template {key}: {name} is missing {', '.join(missing)}")
    return {f"{name}_{lang}": value[lang] for lang in LANGS}


def _checked(key, entry):
    for name, choices in (("kind", TemplateKind), ("unit", Unit), ("cadence", Cadence), ("direction", Direction)):
        if entry.get(name) not in choices.values:
            raise ValueError(f"KPI template {key}: {name} {entry.get(name)!r} is not one of {choices.values}")
    source = entry.get("source") or ""
    if source and source not in SOURCES:
        raise ValueError(f"KPI template {key}: no computation named {source!r} in hosen/plan/kpis.py")
    target = entry.get("default_target")
    return {
        "kind": entry["kind"], "unit": entry["unit"], "cadence": entry["cadence"], "direction": entry["direction"],
        "source": source, "default_target": None if target is None else Decimal(str(target)),
        **_texts(key, "name", entry.get("name")), **_texts(key, "description", entry.get("description")),
    }


@transaction.atomic
def load(path: Path = TEMPLATES_FILE) -> dict[str, int]:
    """Load the templates; returns how many were created, updated, left unchanged and retired."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    existing = {t.key: t for t in KpiTemplate.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "retired": 0}
    seen = set()
    for order, entry in enumerate(data["templates"], start=1):
        key = entry["key"]
        if key in seen:
            raise ValueError(f"KPI template {key} appears twice")
        seen.add(key)
        values = {**_checked(key, entry), "order": order, "is_active": True}
        template = existing.get(key)
        if template is None:
            KpiTemplate.objects.create(key=key, **values)
            counts["created"] += 1
        elif any(getattr(template, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(template, name, value)
            template.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    counts["retired"] = KpiTemplate.objects.exclude(key__in=seen).filter(is_active=True).update(is_active=False)
    return counts
