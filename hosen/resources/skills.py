"""The shared skills vocabulary: loading it from `hosen/model_content/skills.json`, growing it from a
person's form, and reading skill names written in any of the three languages (imports).

Skills are not owned by an authority: one vocabulary serves every authority, so that matching and the
network's dashboards speak one language. An authority that adds a skill adds it for everyone.
"""

import json
import re
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from hosen.field.models import NeedCategory
from hosen.names import normalize_name
from hosen.workmodel.translated import LANGS

from .models import Skill

SKILLS_FILE = Path(settings.BASE_DIR) / "hosen" / "model_content" / "skills.json"
NAME_MAX = 120


def normalize(text) -> str:
    """Names compare case-insensitively, trimmed, with runs of spaces as one and bidi marks dropped."""
    return normalize_name(text).casefold()


@transaction.atomic
def load_skills(path: Path = SKILLS_FILE) -> tuple[int, int]:
    """Create or update every skill of the file by its key; returns (created, updated).

    Safe to re-run. Skills that authorities added, and skills no longer in the file, are left alone:
    people may hold them."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    valid = set(NeedCategory.values)
    created = updated = 0
    existing = {skill.key: skill for skill in Skill.objects.all()}
    for entry in data["skills"]:
        names = entry["name"]
        missing = [lang for lang in LANGS if not names.get(lang)]
        if missing:
            raise ValueError(f"skill {entry['key']}: missing name in {', '.join(missing)}")
        unknown = set(entry.get("categories", [])) - valid
        if unknown:
            raise ValueError(f"skill {entry['key']}: unknown categories {sorted(unknown)}")
        values = {f"name_{lang}": names[lang] for lang in LANGS} | {"categories": list(entry.get("categories", []))}
        skill = existing.get(entry["key"])
        if skill is None:
            Skill.objects.create(key=entry["key"], **values)
            created += 1
        elif any(getattr(skill, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(skill, name, value)
            skill.save(update_fields=list(values))
            updated += 1
    return created, updated


def sorted_skills(skills):
    """Skills in alphabetical order of their name in the active language."""
    return sorted(skills, key=lambda skill: normalize(skill.tr("name")))


def lookup_table(skills=None) -> dict[str, Skill]:
    """{normalized name in any language, or key: skill} — how a typed or imported name finds its skill.
    Only the shared vocabulary's keys count as names: an added skill's key is just its name made a slug."""
    table: dict[str, Skill] = {}
    for skill in skills if skills is not None else Skill.objects.all():
        if skill.added_by_id is None:
            table.setdefault(normalize(skill.key), skill)
        for lang in LANGS:
            name = normalize(getattr(skill, f"name_{lang}"))
            if name:
                table.setdefault(name, skill)
    return table


def split_names(text) -> list[str]:
    """Skill names as written in one cell or field: separated by commas (or semicolons, or new lines)."""
    seen, names = set(), []
    for part in re.split(r"[,;\n،]", text or ""):
        part = normalize_name(part)
        if part and normalize(part) not in seen:
            seen.add(normalize(part))
            names.append(part)
    return names


def _unique_key(text: str) -> str:
    base = slugify(text, allow_unicode=True)[:48].strip("-") or "skill"
    key, number = base, 1
    taken = set(Skill.objects.filter(key__startswith=base).values_list("key", flat=True))
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    return key


def add_skill(text: str, authority) -> Skill:
    """The skill named `text` in any language; a new skill (the same name in all three languages, no
    categories yet) when there is none. Typing an existing name twice never makes a second skill."""
    name = normalize_name(text)
    if len(name) > NAME_MAX:  # the forms say so first (PersonForm.clean_new_skills): never cut a name
        raise ValueError(f"a skill's name has at most {NAME_MAX} characters, not {len(name)}")
    found = lookup_table().get(normalize(name))
    if found is not None:
        return found
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Skill.objects.create(key=_unique_key(name), name_he=name, name_ar=name, name_en=name,
                                            categories=[], added_by=authority)
        except IntegrityError:
            # Someone took the same key at the same moment: most often by adding the very same skill, which
            # is then the one to use; else the next free key.
            found = lookup_table().get(normalize(name))
            if found is not None:
                return found
    raise IntegrityError("could not find a free key for the new skill")
