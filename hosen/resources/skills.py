"""Skills: the network's shared vocabulary, loaded from `hosen/model_content/skills.json`, and each authority's
own skills, typed in a person's form; reading skill names written in any of the three languages (imports).

One shared vocabulary serves every authority, so that matching and the network's dashboards speak one
language. A skill an authority types is its own — offered in its forms, filters and import templates only —
until a network admin adds it to the shared vocabulary (`promote`): a name typed in one authority reaches no
other authority's staff or volunteers unreviewed.
"""

import json
import re
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
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

    Safe to re-run. Authorities' own skills, and skills no longer in the file, are left alone: people may
    hold them."""
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
        if skill is not None and not skill.is_shared:
            # An authority typed a skill whose slug is now a key of the file: its own skill gets another key.
            skill.key = _unique_key(f"{skill.key}-{skill.authority_id}")
            skill.save(update_fields=["key"])
            skill = None
        if skill is None:
            Skill.objects.create(key=entry["key"], **values)
            created += 1
        elif any(getattr(skill, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(skill, name, value)
            skill.save(update_fields=list(values))
            updated += 1
    return created, updated


def offered_to(authority):
    """The skills an authority's forms, filters and import templates offer: the shared vocabulary and its own."""
    return Skill.objects.filter(Q(authority__isnull=True) | Q(authority=authority))


def shared_vocabulary():
    return Skill.objects.filter(authority__isnull=True)


def sorted_skills(skills):
    """Skills in alphabetical order of their name in the active language."""
    return sorted(skills, key=lambda skill: normalize(skill.tr("name")))


def lookup_table(skills) -> dict[str, Skill]:
    """{normalized name in any language, or key: skill} — how a typed or imported name finds its skill among
    `skills` (an authority's: `offered_to(authority)`). The shared vocabulary comes first, so a name it has
    finds the shared skill. Only the shared vocabulary's keys count as names: an authority's skill's key is
    just its name made a slug."""
    table: dict[str, Skill] = {}
    for skill in sorted(skills, key=lambda skill: (not skill.is_shared, skill.pk)):
        if skill.is_shared:
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
    """The skill named `text` in any language among those the authority is offered; else a new skill of the
    authority's own (the same name in all three languages, no categories yet). Typing an existing name twice
    never makes a second skill: one name is one skill per authority (a unique constraint on the name)."""
    name = normalize_name(text)
    if len(name) > NAME_MAX:  # the forms say so first (PersonForm.clean_new_skills): never cut a name
        raise ValueError(f"a skill's name has at most {NAME_MAX} characters, not {len(name)}")
    found = lookup_table(offered_to(authority)).get(normalize(name))
    if found is not None:
        return found
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Skill.objects.create(key=_unique_key(name), name_he=name, name_ar=name, name_en=name,
                                            categories=[], authority=authority)
        except IntegrityError:
            # Someone added the same skill at the same moment — then it is the one to use — or took the same
            # key for another name: then the next free key.
            found = lookup_table(offered_to(authority)).get(normalize(name))
            if found is not None:
                return found
    raise IntegrityError("could not find a free key for the new skill")


# ---- the network admin's review ------------------------------------------------------------------


def authorities_skills(authorities) -> list[dict]:
    """The skills these authorities typed, one entry per name (the same name typed in two authorities is two
    skills, one each): [{"name_key", "name", "skills": [skill with .authority and .holders], "holders"}], by
    name. Two queries."""
    skills = list(Skill.objects.filter(authority__in=authorities).select_related("authority")
                  .order_by("name_key", "authority__name", "pk"))
    holders = dict(_person_skills().objects.filter(skill__in=[skill.pk for skill in skills])
                   .values_list("skill_id").annotate(n=Count("person_id")).values_list("skill_id", "n"))
    by_name: dict[str, dict] = {}
    for skill in skills:
        skill.holders = holders.get(skill.pk, 0)
        entry = by_name.setdefault(skill.name_key, {"name_key": skill.name_key, "name": skill.name_en,
                                                    "skills": [], "holders": 0})
        entry["skills"].append(skill)
        entry["holders"] += skill.holders
    return sorted(by_name.values(), key=lambda entry: normalize(entry["name"]))


class NameTaken(ValueError):
    """Another shared skill already has one of the names."""

    def __init__(self, skill):
        super().__init__(skill.key)
        self.skill = skill


@transaction.atomic
def promote(skills, names: dict[str, str], categories=()) -> Skill:
    """Add the authorities' `skills` (copies of one name) to the shared vocabulary as one skill named `names`
    ({"he", "ar", "en"}): the first becomes the shared skill, the people holding the others now hold it, and
    the others are gone. When a shared skill already has one of the names, that one is kept instead (the same
    skill typed before it was in the vocabulary) and the names given are not applied; two such skills:
    NameTaken."""
    skills = sorted(skills, key=lambda skill: skill.pk)
    wanted = {normalize(name) for name in names.values() if name}
    existing = [skill for skill in shared_vocabulary()
                if wanted & ({normalize(getattr(skill, f"name_{lang}")) for lang in LANGS} | {normalize(skill.key)})]
    if len(existing) > 1:
        raise NameTaken(existing[1])
    if existing:
        target, merged = existing[0], skills
    else:
        target, merged = skills[0], skills[1:]
        for lang in LANGS:
            setattr(target, f"name_{lang}", normalize_name(names[lang]))
        target.categories = list(categories) or target.categories
        target.authority = None
        target.save()
    through = _person_skills()
    holders = set(through.objects.filter(skill_id=target.pk).values_list("person_id", flat=True))
    for skill in merged:
        rows = through.objects.filter(skill_id=skill.pk)
        rows.filter(person_id__in=holders).delete()
        holders |= set(rows.values_list("person_id", flat=True))
        rows.update(skill_id=target.pk)
        skill.delete()
    return target


def _person_skills():
    from .models import Person

    return Person.skills.through
