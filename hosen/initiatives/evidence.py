"""What the design-thinking board tells the checklist (items 29 and 32). One query each."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hosen.field.models import NeedCategory
from hosen.workmodel.evidence import Evidence, provides

from .models import PHASES, Initiative, InitiativeFacility, InitiativeNeed, PhaseKey
from .services import phase_names


def _url(ctx):
    return reverse("initiatives:board", kwargs={"authority_slug": ctx.authority.slug})


@provides(29)
def new_responses_to_emerging_needs(ctx):
    """Item 29 — new responses to the emerging needs: initiatives linked to an emerging need, by phase."""
    emerging = InitiativeNeed.objects.filter(initiative=OuterRef("pk"), need__is_emerging=True)
    rows = (Initiative.objects.filter(authority=ctx.authority, emergency=ctx.emergency)
            .filter(Exists(emerging)).order_by().values("phase").annotate(n=Count("pk")))
    counts = {row["phase"]: row["n"] for row in rows}
    total = sum(counts.values())
    if not total:
        return Evidence(_("No initiative on the design-thinking board answers an emerging need yet"), _url(ctx))
    names = phase_names()
    parts = ", ".join(f"{names[key][0]}: {counts[key]}" for key in PHASES if key in counts)
    return Evidence(ngettext(
        "%(n)d initiative answers emerging needs — %(parts)s",
        "%(n)d initiatives answer emerging needs — %(parts)s", total) % {"n": total, "parts": parts}, _url(ctx))


@provides(32)
def creative_solutions_to_protection(ctx):
    """Item 32 — creative solutions to protection constraints: initiatives answering a need for space and
    protection, or using a facility that is a protected space; how many of them got as far as testing."""
    space_need = InitiativeNeed.objects.filter(initiative=OuterRef("pk"), need__category=NeedCategory.SPACE)
    protected = InitiativeFacility.objects.filter(initiative=OuterRef("pk"), facility__is_protected=True)
    counts = (Initiative.objects.filter(authority=ctx.authority, emergency=ctx.emergency)
              .filter(Exists(space_need) | Exists(protected))
              .aggregate(total=Count("pk"), tested=Count("pk", filter=Q(phase__in=[PhaseKey.TEST, PhaseKey.SHARE]))))
    if not counts["total"]:
        return Evidence(_("No initiative on the board answers a protection constraint yet (a need for space and "
                          "protection, or a protected space)"), _url(ctx))
    return Evidence(ngettext(
        "%(total)d initiative answers protection constraints (space and protection needs or protected spaces), "
        "%(tested)d of them tested or shared",
        "%(total)d initiatives answer protection constraints (space and protection needs or protected spaces), "
        "%(tested)d of them tested or shared", counts["total"]) % counts, _url(ctx))
