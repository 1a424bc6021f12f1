"""Skills an authority typed become its own: until now one authority's typed skill was offered to every
authority. The shared vocabulary — the skills of hosen/model_content/skills.json — stays shared.

A typed skill is one with an authority that added it, or (when that authority is gone) one that is not in the
file and has one name for all three languages and no need categories, as the person's form creates them. It
goes to the authority whose people hold it; when people of several authorities hold it, each of them gets its
own copy, holding its own people. A typed skill nobody holds stays with the authority that added it, and is
dropped when that authority is gone."""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

from hosen.names import normalize_name

SKILLS_FILE = Path(settings.BASE_DIR) / "hosen" / "model_content" / "skills.json"


def _name_key(text):
    return normalize_name(text).casefold()[:120]


def _loaded_keys():
    try:
        return {entry["key"] for entry in json.loads(SKILLS_FILE.read_text(encoding="utf-8"))["skills"]}
    except (OSError, ValueError, KeyError):
        return set()


def _is_typed(skill, loaded):
    if skill.authority_id is not None:
        return True
    return skill.key not in loaded and skill.name_he == skill.name_ar == skill.name_en and not skill.categories


def _free_key(Skill, base):
    base = base[:52].strip("-") or "skill"
    key, number = base, 1
    while Skill.objects.filter(key=key).exists():
        number += 1
        key = f"{base}-{number}"
    return key


def own_typed_skills(apps, schema_editor):
    Skill = apps.get_model("resources", "Skill")
    Person = apps.get_model("resources", "Person")
    Authority = apps.get_model("tenancy", "Authority")
    Through = Person.skills.through
    for skill in Skill.objects.all():
        skill.name_key = _name_key(skill.name_en)
        skill.save(update_fields=["name_key"])

    loaded = _loaded_keys()
    slugs = dict(Authority.objects.values_list("pk", "slug"))
    owned = {}  # (authority pk, name key) -> the skill that authority keeps for the name
    for skill in [s for s in Skill.objects.order_by("pk") if _is_typed(s, loaded)]:
        holders = {}
        for row_id, authority_id in Through.objects.filter(skill_id=skill.pk).values_list("pk", "person__authority_id"):
            holders.setdefault(authority_id, []).append(row_id)
        if not holders:
            if skill.authority_id is None:
                skill.delete()
                continue
            holders = {skill.authority_id: []}
        first = skill.authority_id if skill.authority_id in holders else min(holders)
        kept = False
        for authority_id in [first, *sorted(a for a in holders if a != first)]:
            target = owned.get((authority_id, skill.name_key))
            if target is None and not kept:
                skill.authority_id = authority_id
                skill.save(update_fields=["authority"])
                owned[(authority_id, skill.name_key)] = target = skill
                kept = True
            elif target is None:
                target = Skill.objects.create(
                    key=_free_key(Skill, f"{skill.key}-{slugs.get(authority_id, authority_id)}"),
                    name_he=skill.name_he, name_ar=skill.name_ar, name_en=skill.name_en,
                    categories=skill.categories, authority_id=authority_id, name_key=skill.name_key)
                owned[(authority_id, skill.name_key)] = target
            if target.pk != skill.pk:
                rows = Through.objects.filter(pk__in=holders[authority_id])
                already = set(Through.objects.filter(skill_id=target.pk).values_list("person_id", flat=True))
                rows.filter(person_id__in=already).delete()
                rows.update(skill_id=target.pk)
        if not kept:
            skill.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("resources", "0002_text_limits"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="skill", old_name="added_by", new_name="authority"),
        migrations.AlterField(
            model_name="skill", name="authority",
            field=models.ForeignKey(blank=True, null=True, on_delete=models.deletion.CASCADE, related_name="+",
                                    to="tenancy.authority"),
        ),
        migrations.AddField(model_name="skill", name="name_key",
                            field=models.CharField(default="", editable=False, max_length=120)),
        migrations.RunPython(own_typed_skills, migrations.RunPython.noop),
    ]
