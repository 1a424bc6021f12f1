"""What matching and the donors' list tell the checklist: skills re-purposed (14) and a donors' list
prepared (21). One query each."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hosen.field.models import NeedStatus
from hosen.workmodel.evidence import Evidence, provides

from .models import Allocation, DonorLink


def _url(ctx, name):
    return reverse(name, kwargs={"authority_slug": ctx.authority.slug})


@provides(14)
def skills_repurposed(ctx):
    """People allocated to needs of this emergency (active allocations), and the needs met with them."""
    counts = Allocation.objects.filter(
        authority=ctx.authority, need__emergency=ctx.emergency, person__isnull=False, released_at__isnull=True,
    ).aggregate(allocations=Count("pk"), people=Count("person", distinct=True), needs=Count("need", distinct=True),
                met=Count("need", distinct=True, filter=Q(need__status=NeedStatus.MET)))
    if not counts["allocations"]:
        return Evidence(_("No one allocated to a need yet"), _url(ctx, "resources:matching"))
    text = ngettext("%(allocations)d active allocation of people to needs",
                    "%(allocations)d active allocations of people to needs", counts["allocations"]) % counts
    text += " — " + ngettext("%(people)d person", "%(people)d people", counts["people"]) % counts
    text += ", " + ngettext("%(met)d need met with allocated people", "%(met)d needs met with allocated people",
                            counts["met"]) % counts
    return Evidence(text, _url(ctx, "resources:matching"))


@provides(21)
def donors_list_prepared(ctx):
    newest = (DonorLink.objects.filter(authority=ctx.authority, emergency=ctx.emergency)
              .order_by("-created_at").values_list("created_at", flat=True).first())
    if newest is None:
        return Evidence(_("Donors' needs list: not shared yet"), _url(ctx, "resources:donors"))
    when = formats.date_format(timezone.localtime(newest), "j.n.Y")  # as the pages write dates
    return Evidence(_("Donors' needs list shared on %(date)s") % {"date": when}, _url(ctx, "resources:donors"))
