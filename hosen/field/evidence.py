"""What the stage-2 registers tell the checklist (items 6–12)."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hosen.workmodel.evidence import Evidence, provides

from .models import Audience, Availability, Need, PulseRecipient, Site, SiteState, SiteStatus
from .queries import site_freshness


def _url(ctx, name):
    return reverse(name, kwargs={"authority_slug": ctx.authority.slug})


@provides(6)
def field_mapped(ctx):
    total, fresh = site_freshness(ctx.authority, ctx.emergency)
    if total == 0:
        return Evidence(_("No sites on record yet"), _url(ctx, "field:sites"))
    return Evidence(ngettext("%(fresh)d of %(total)d site has a status from the last 48 hours",
                             "%(fresh)d of %(total)d sites have a status from the last 48 hours", total)
                    % {"fresh": fresh, "total": total}, _url(ctx, "field:sites"))


@provides(8)
def field_damage(ctx):
    """Sites whose current status is closed or damaged, out of those with a status: one query."""
    counts = (
        Site.objects.filter(authority=ctx.authority, is_active=True)
        .annotate(current=Subquery(SiteStatus.objects.filter(site=OuterRef("pk"), emergency=ctx.emergency)
                                   .order_by("-reported_at", "-pk").values("status")[:1]))
        .aggregate(reported=Count("pk", filter=Q(current__isnull=False)),
                   hit=Count("pk", filter=Q(current__in=[SiteState.DAMAGED, SiteState.CLOSED])))
    )
    if not counts["reported"]:
        return None
    return Evidence(_("%(hit)d of %(reported)d reporting sites are closed or damaged right now") % counts,
                    _url(ctx, "field:sites") + "?status=damaged")


@provides(9)
def team_pulse(ctx):
    counts = PulseRecipient.objects.filter(pulse__emergency=ctx.emergency).aggregate(
        sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)),
        can=Count("pk", filter=Q(availability=Availability.CAN)),
        partly=Count("pk", filter=Q(availability=Availability.PARTLY)),
        cannot=Count("pk", filter=Q(availability=Availability.CANNOT)),
    )
    if not counts["sent"]:
        return Evidence(_("No team pulse sent yet"), _url(ctx, "field:pulses"))
    return Evidence(
        _("Team pulse: %(answered)d of %(sent)d answered — %(can)d can work, %(partly)d partly, "
          "%(cannot)d cannot") % counts, _url(ctx, "field:pulses"))


@provides(10)
def needs_by_audience(ctx):
    rows = Need.objects.filter(emergency=ctx.emergency).values("audience").annotate(n=Count("pk"))
    counts = {row["audience"]: row["n"] for row in rows}
    if not counts:
        return Evidence(_("No needs mapped yet"), _url(ctx, "field:needs"))
    parts = [f"{label}: {counts[value]}" for value, label in Audience.choices if value in counts]
    return Evidence(_("Needs mapped by audience — %(parts)s") % {"parts": ", ".join(parts)}, _url(ctx, "field:needs"))


@provides(11, 12)
def emerging_needs(ctx):
    counts = Need.objects.filter(emergency=ctx.emergency, is_emerging=True).aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=["open", "in_progress"])))
    return Evidence(ngettext("%(total)d emerging need on record, %(open)d of them not yet met",
                             "%(total)d emerging needs on record, %(open)d of them not yet met",
                             counts["total"]) % counts,
                    _url(ctx, "field:needs") + "?emerging=1")
