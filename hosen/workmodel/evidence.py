"""Evidence from the registers next to the manager's own checklist answers.

Each checklist item can have one provider: a function that looks at the authority's registers for
the current emergency and returns what they show (`Evidence`), or None when they show nothing yet.
Registers in other apps register their providers with `@provides(6)` and are imported in their
AppConfig.ready(). Providers must stay cheap: a page calls every provider of the items it shows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Evidence:
    text: str
    url: str = ""


@dataclass
class EvidenceContext:
    authority: object
    emergency: object
    round: object | None


Provider = Callable[[EvidenceContext], Evidence | None]
_providers: dict[int, Provider] = {}


def provides(*numbers: int):
    def register(func: Provider) -> Provider:
        for number in numbers:
            if number in _providers:
                raise ValueError(f"checklist item {number} already has an evidence provider")
            _providers[number] = func
        return func

    return register


def provider_numbers() -> set[int]:
    return set(_providers)


def evidence_for(ctx: EvidenceContext, numbers) -> dict[int, Evidence]:
    """The evidence for each item that has some; a provider serving several items runs once."""
    if ctx.emergency is None:
        return {}
    found, ran = {}, {}
    for number in numbers:
        provider = _providers.get(number)
        if provider is None:
            continue
        if provider not in ran:
            ran[provider] = provider(ctx)
        if ran[provider] is not None:
            found[number] = ran[provider]
    return found


# ---- providers whose data the foundation already holds -----------------------------------------


@provides(4)
def team_took_part_in_round(ctx: EvidenceContext):
    """Item 4 — did I lead the teams: how many people answered checklist items in this round."""
    from .models import Answer

    if ctx.round is None:
        return None
    people = (
        Answer.objects.filter(round=ctx.round, carried_over=False, answered_by__isnull=False)
        .values("answered_by").distinct().count()
    )
    return Evidence(
        ngettext(
            "%(count)d person answered checklist items in this round",
            "%(count)d people answered checklist items in this round",
            people,
        ) % {"count": people}
    )


@provides(5)
def support_circle(ctx: EvidenceContext):
    """Item 5 — did I activate the ecosystem's support: the team and decision makers on Hosen."""
    from django.db.models import Count, Q

    from hosen.accounts.models import Role

    counts = ctx.authority.memberships.aggregate(
        team=Count("pk", filter=Q(role=Role.TEAM)), viewers=Count("pk", filter=Q(role=Role.VIEWER))
    )
    team = ngettext("%(count)d team member", "%(count)d team members", counts["team"]) % {"count": counts["team"]}
    viewers = ngettext("%(count)d decision maker", "%(count)d decision makers", counts["viewers"]) % {
        "count": counts["viewers"]}
    return Evidence(_("Working with you in Hosen: %(team)s, %(viewers)s") % {"team": team, "viewers": viewers})
