"""What the work plan tells the checklist (items 26, 27, 28, 30, 31, 41). One query each."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hosen.workmodel.evidence import Evidence, provides

from .kpis import current_decision, in_protected_space, plan_activities
from .models import RUNNING, ActivityAudience, ActivityDecision, AdaptWay, Decision, has_way


def _url(ctx, query=""):
    return reverse("plan:activities", kwargs={"authority_slug": ctx.authority.slug}) + query


@provides(26)
def community_support(ctx):
    """Item 26 — community support mechanisms: new responses born in the emergency for parents and the
    community."""
    n = plan_activities(ctx.authority).filter(
        born_in=ctx.emergency, audience__in=[ActivityAudience.PARENTS, ActivityAudience.COMMUNITY]).count()
    if not n:
        return Evidence(_("No new activities for parents or the community born in this emergency yet"),
                        _url(ctx, "?born=1"))
    return Evidence(ngettext(
        "%(n)d new activity for parents and the community was born in this emergency",
        "%(n)d new activities for parents and the community were born in this emergency", n) % {"n": n},
        _url(ctx, "?born=1"))


@provides(27)
def activities_adapted(ctx):
    """Item 27 — teams ready to adapt: how many of the plan's activities adapted."""
    n = ActivityDecision.objects.filter(emergency=ctx.emergency, is_current=True, decision=Decision.ADAPT,
                                        activity__is_active=True).count()
    return Evidence(ngettext("%(n)d activity of the plan adapted to the emergency",
                             "%(n)d activities of the plan adapted to the emergency", n) % {"n": n},
                    _url(ctx, "?decision=adapt"))


@provides(28)
def essential_continuing(ctx):
    """Item 28 — are essential activities continuing: x of y essential activities continue or adapt."""
    counts = (plan_activities(ctx.authority).filter(is_essential=True)
              .annotate(current=current_decision(ctx.emergency))
              .aggregate(total=Count("pk"), running=Count("pk", filter=Q(current__in=RUNNING)),
                         undecided=Count("pk", filter=Q(current__isnull=True))))
    if not counts["total"]:
        return Evidence(_("No activity of the plan is marked essential yet"), _url(ctx))
    return Evidence(_("%(running)d of %(total)d essential activities continue or adapt (%(undecided)d not decided "
                      "yet)") % counts, _url(ctx, "?essential=1"))


@provides(30)
def protected_spaces_used(ctx):
    """Item 30 — protected spaces used for essential activity: activities running in protected spaces."""
    counts = plan_activities(ctx.authority).filter(in_protected_space(ctx.emergency)).aggregate(
        total=Count("pk"), essential=Count("pk", filter=Q(is_essential=True)))
    return Evidence(ngettext(
        "%(total)d running activity is held in a protected space, %(essential)d of them essential",
        "%(total)d running activities are held in protected spaces, %(essential)d of them essential",
        counts["total"]) % counts, _url(ctx))


@provides(31)
def activities_moved(ctx):
    """Item 31 — buildings and facilities adapted: activities moved to another place or into a protected space."""
    moved = ActivityDecision.objects.filter(activity=OuterRef("pk"), emergency=ctx.emergency, is_current=True,
                                            decision=Decision.ADAPT)
    counts = plan_activities(ctx.authority).aggregate(
        other_place=Count("pk", filter=Q(Exists(moved.filter(has_way(AdaptWay.OTHER_PLACE))))),
        protected=Count("pk", filter=Q(Exists(moved.filter(has_way(AdaptWay.PROTECTED_SPACE))))),
    )
    return Evidence(ngettext(
        "%(other_place)d activity moved to another place, %(protected)d into a protected space",
        "%(other_place)d activities moved to another place, %(protected)d into a protected space",
        counts["other_place"]) % counts, _url(ctx, "?decision=adapt"))


@provides(41)
def basic_activity_continues(ctx):
    """Item 41 — the ecosystem's basic activity continues: the share of the plan not paused or stopped."""
    counts = plan_activities(ctx.authority).annotate(current=current_decision(ctx.emergency)).aggregate(
        total=Count("pk"), halted=Count("pk", filter=Q(current__in=[Decision.PAUSE, Decision.STOP])))
    if not counts["total"]:
        return Evidence(_("No activities in the work plan yet"), _url(ctx))
    going = counts["total"] - counts["halted"]
    return Evidence(_("%(share)d%% of the plan's activities are not paused or stopped (%(going)d of %(total)d)") % {
        "share": round(100 * going / counts["total"]), "going": going, "total": counts["total"]}, _url(ctx))
