"""What the stage-3 registers tell the checklist: people mapped (13), volunteers found (15), channels used and
active (16, 17), partners' organisations (18), facilities (19) and funding (20). One or two queries each."""

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hosen.workmodel.evidence import Evidence, provides

from .models import Availability, Channel, Facility, FundingSource, Person, PersonKind

AVAILABLE_NOW = (Availability.AVAILABLE, Availability.PARTLY)
USABLE = (Availability.AVAILABLE, Availability.PARTLY)


def _url(ctx, name, query=""):
    return reverse(name, kwargs={"authority_slug": ctx.authority.slug}) + query


def _people(ctx):
    return Person.objects.filter(authority=ctx.authority, is_active=True)


@provides(13)
def staff_mapped(ctx):
    """Staff of the ecosystem and of its partners on record, and how many have their skills recorded."""
    counts = _people(ctx).filter(kind__in=[PersonKind.STAFF, PersonKind.PARTNER]).aggregate(
        total=Count("pk", distinct=True), skilled=Count("pk", filter=Q(skills__isnull=False), distinct=True))
    if not counts["total"]:
        return Evidence(_("No staff or partner staff on record yet"), _url(ctx, "resources:people"))
    return Evidence(ngettext("%(total)d staff or partner person mapped, %(skilled)d with skills recorded",
                             "%(total)d staff and partner people mapped, %(skilled)d with skills recorded",
                             counts["total"]) % counts, _url(ctx, "resources:people", "?kind=staff"))


@provides(15)
def volunteers_found(ctx):
    counts = _people(ctx).filter(kind__in=[PersonKind.VOLUNTEER, PersonKind.ACTIVIST]).aggregate(
        total=Count("pk"), now=Count("pk", filter=Q(availability_emergency=ctx.emergency,
                                                     availability__in=AVAILABLE_NOW)))
    if not counts["total"]:
        return Evidence(_("No volunteers or community activists on record yet"),
                        _url(ctx, "resources:volunteer_links"))
    return Evidence(ngettext("%(total)d volunteer or activist on record, %(now)d available in this emergency",
                             "%(total)d volunteers and activists on record, %(now)d available in this emergency",
                             counts["total"]) % counts, _url(ctx, "resources:people", "?kind=volunteer"))


@provides(16, 17)
def channels_active(ctx):
    counts = Channel.objects.filter(authority=ctx.authority).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(active_in=ctx.emergency)),
        reach=Sum("reach", filter=Q(active_in=ctx.emergency)))
    if not counts["total"]:
        return Evidence(_("No communication channels on record yet"), _url(ctx, "resources:channels"))
    from .views_funding import grouped

    counts["reach"] = grouped(counts["reach"] or 0)
    return Evidence(ngettext("%(active)d of %(total)d channels active in this emergency, reaching about "
                             "%(reach)s people",
                             "%(active)d of %(total)d channels active in this emergency, reaching about "
                             "%(reach)s people", counts["active"]) % counts,
                    _url(ctx, "resources:channels", "?active=1"))


@provides(18)
def partner_organisations(ctx):
    """Distinct organisations among partner staff: the bodies the ecosystem works with."""
    names = list(_people(ctx).filter(kind=PersonKind.PARTNER).exclude(organisation="").order_by()
                 .values_list("organisation", flat=True).distinct())
    organisations = {name.strip().casefold() for name in names}
    if not organisations:
        return None
    return Evidence(ngettext("Partner staff from %(n)d organisation on record",
                             "Partner staff from %(n)d organisations on record",
                             len(organisations)) % {"n": len(organisations)},
                    _url(ctx, "resources:people", "?kind=partner"))


@provides(19)
def facilities_mapped(ctx):
    protected = Q(is_protected=True)
    usable = Q(is_protected=True, availability__in=USABLE)
    counts = Facility.objects.filter(authority=ctx.authority, is_active=True).aggregate(
        total=Count("pk"), protected=Count("pk", filter=protected), usable=Count("pk", filter=usable),
        people=Sum("capacity", filter=usable))
    if not counts["total"]:
        return Evidence(_("No facilities on record yet"), _url(ctx, "resources:facilities"))
    counts["people"] = counts["people"] or 0
    return Evidence(ngettext("%(total)d facility mapped; %(protected)d protected spaces, %(usable)d of them "
                             "available now for %(people)d people",
                             "%(total)d facilities mapped; %(protected)d protected spaces, %(usable)d of them "
                             "available now for %(people)d people", counts["total"]) % counts,
                    _url(ctx, "resources:facilities", "?protected=1"))


@provides(20)
def funding_found(ctx):
    from .views_funding import money

    counts = FundingSource.objects.filter(authority=ctx.authority, emergency=ctx.emergency).aggregate(
        total=Count("pk"), approved=Sum("approved"), received=Sum("received"))
    if not counts["total"]:
        return Evidence(_("No funding sources for this emergency on record yet"), _url(ctx, "resources:funding"))
    return Evidence(ngettext("%(total)d funding source found for this emergency: %(approved)s approved, "
                             "%(received)s received",
                             "%(total)d funding sources found for this emergency: %(approved)s approved, "
                             "%(received)s received", counts["total"]) % {
        "total": counts["total"], "approved": money(counts["approved"] or 0),
        "received": money(counts["received"] or 0)}, _url(ctx, "resources:funding"))
