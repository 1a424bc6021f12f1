"""Loading the working model's content from `hosen/model_content/working_model.json`.

Rows are matched by their stable keys, so loading twice changes nothing, and a newer file updates
texts in place without touching any checklist answer. A file whose version is not newer than the
one loaded leaves the database alone, so edits network admins made in the admin are kept.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import (
    Action,
    ChecklistItem,
    Component,
    ContentVersion,
    DesignPhase,
    FieldVoice,
    GuidingQuestion,
    LeadershipLevel,
    ModelText,
    Principle,
    Stage,
)
from .translated import LANGS

CONTENT_FILE = Path(settings.BASE_DIR) / "hosen" / "model_content" / "working_model.json"


def _texts(prefix: str, value: dict) -> dict:
    missing = [lang for lang in LANGS if not value.get(lang)]
    if missing:
        raise ValueError(f"{prefix}: missing {', '.join(missing)}")
    return {f"{prefix}_{lang}": value[lang] for lang in LANGS}


def _ordered(model, parent_field, parent, entries, prefix):
    """Upsert ordered child texts (actions, voices, questions) and drop the ones no longer listed."""
    for order, text in enumerate(entries, start=1):
        model.objects.update_or_create(**{parent_field: parent, "order": order}, defaults=_texts(prefix, text))
    model.objects.filter(**{parent_field: parent, "order__gt": len(entries)}).delete()


CONTENT_MODELS = [ModelText, Stage, Component, Action, FieldVoice, Principle, DesignPhase, GuidingQuestion,
                  LeadershipLevel, ChecklistItem]
EDITORS_GROUP = "Model content editors"


def content_editors_group():
    """The admin group of network admins who edit the model's texts: the content models and nothing else."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    types = ContentType.objects.get_for_models(*CONTENT_MODELS).values()
    group.permissions.set(Permission.objects.filter(content_type__in=types,
                                                    codename__regex=r"^(view|change)_"))
    return group


@transaction.atomic
def load(path: Path = CONTENT_FILE, force: bool = False) -> tuple[bool, int]:
    """Load the content; returns (whether anything was written, the file's version)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    content_editors_group()
    version = ContentVersion.current()
    if not force and data["version"] <= version.version and Stage.objects.exists():
        return False, data["version"]

    ModelText.objects.update_or_create(key="title", defaults=_texts("text", data["title"]))
    ModelText.objects.update_or_create(key="intro", defaults=_texts("text", data["intro"]))
    ModelText.objects.update_or_create(key="leadership.intro", defaults=_texts("text", data["leadership"]["intro"]))
    for task in data.get("crisis_tasks", []):
        ModelText.objects.update_or_create(key=f"crisis.{task['key']}.title", defaults=_texts("text", task["title"]))
        ModelText.objects.update_or_create(key=f"crisis.{task['key']}.description",
                                           defaults=_texts("text", task["description"]))

    component_order = 0
    for stage_order, entry in enumerate(data["stages"], start=1):
        stage, _ = Stage.objects.update_or_create(key=entry["key"], defaults={
            "order": stage_order, **_texts("title", entry["title"]), **_texts("wheel_label", entry["wheel_label"]),
            **_texts("purpose", entry["purpose"]),
        })
        for comp in entry["components"]:
            component_order += 1
            component, _ = Component.objects.update_or_create(key=comp["key"], defaults={
                "stage": stage, "order": component_order, **_texts("title", comp["title"]),
                **_texts("description", comp["description"]),
            })
            _ordered(Action, "component", component, comp["actions"], "text")
        _ordered(FieldVoice, "stage", stage, entry.get("field_voices", []), "text")

    for order, entry in enumerate(data["principles"], start=1):
        Principle.objects.update_or_create(
            key=entry["key"], defaults={"order": order, **_texts("title", entry["title"])}
        )
    for order, entry in enumerate(data["design_phases"], start=1):
        phase, _ = DesignPhase.objects.update_or_create(key=entry["key"], defaults={
            "order": order, **_texts("name", entry["name"]), **_texts("meaning", entry["meaning"])})
        _ordered(GuidingQuestion, "phase", phase, entry.get("questions", []), "text")
    for order, entry in enumerate(data["leadership"]["levels"], start=1):
        LeadershipLevel.objects.update_or_create(key=entry["key"], defaults={
            "order": order, "style_key": entry["style_key"], **_texts("readiness", entry["readiness"]),
            **_texts("style", entry["style"]), **_texts("advice", entry["advice"])})

    components = {c.key: c for c in Component.objects.all()}
    for entry in data["checklist"]:
        ChecklistItem.objects.update_or_create(number=entry["number"], defaults={
            "component": components[entry["component"]], "kind": entry["kind"], **_texts("text", entry["text"])})

    version.version = data["version"]
    version.edits = 0
    version.save()
    return True, data["version"]
