"""The registers that serve each stage of the model, for the stage pages' "registers" section.

Apps add theirs in AppConfig.ready(): `add("2", "field:sites", _("Sites and their status"))`.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Register:
    stage_key: str
    url_name: str
    label: object  # lazy translation
    permission: str = "view"


_registers: list[Register] = []


def add(stage_key, url_name, label, permission="view"):
    _registers.append(Register(stage_key, url_name, label, permission))


def for_stage(stage_key, authority, access):
    return [
        {"label": r.label, "url": reverse(r.url_name, kwargs={"authority_slug": authority.slug})}
        for r in _registers
        if r.stage_key == stage_key and access.can(r.permission)
    ]


def by_stage(stages, authority, access):
    """[(stage, [register links])] for every stage that has registers, in the model's order."""
    return [(stage, links) for stage in stages if (links := for_stage(stage.key, authority, access))]
