"""Stage 4's work plan and KPIs for the no-lost-work tests (see hosen/integrity/registry.py and
tests/test_no_lost_work.py).

A KPI's target and cadence are for managers only, so two managers edit them. The choice of the KPI set is
not here (its fields are the library's template ids, known only once it is loaded):
hosen/plan/tests/test_no_lost_work_plan.py drives it with two managers, as well as the targets."""

from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.integrity.registry import Create, Edit

from .matrix_plan import make_activity, make_kpi


def _count(model_name):
    def count(cast):
        from django.apps import apps

        with scopes_disabled():
            return apps.get_model("plan", model_name).objects.filter(authority=cast.authority).count()

    return count


def _decided(cast):
    """An activity that already has a decision in the emergency, so the page carries that decision's version."""
    from hosen.plan import services

    activity = make_activity(cast.authority, "מועדון רובוטיקה", essential=True)
    with scopes_disabled():
        services.decide(activity, cast.emergency, decision="continue", user=cast.manager)
    return {"activity_pk": activity.pk}, activity


def _reason(activity):
    from hosen.plan.models import ActivityDecision

    with scopes_disabled():
        return ActivityDecision.objects.get(activity=activity, is_current=True).reason


def _decided_in_the_plan(cast):
    """The same, for the plan's URL (which names no activity: the form says which)."""
    _kwargs, activity = _decided(cast)
    return {}, activity


def _card_form_page(cast, kwargs):
    """Where the card's form comes from: the activity's page (the plan opens the same form in the card)."""
    from hosen.plan.models import Activity

    with scopes_disabled():
        activity = Activity.objects.get(authority=cast.authority, name="מועדון רובוטיקה")
    return reverse("plan:activity", kwargs={"authority_slug": cast.authority.slug, "activity_pk": activity.pk})


def _kpi(cast):
    return {"kpi_pk": make_kpi(cast.authority, cast.emergency, name="שעות למידה מרחוק", unit="hours").pk}


def _kpi_with_target(cast):
    kpi = make_kpi(cast.authority, cast.emergency, name="שעות למידה מרחוק", unit="hours", target=100)
    return {"kpi_pk": kpi.pk}, kpi


FIRST = {"decision": "pause", "reason": "אין הסעות עד יום ראשון"}
SECOND = {"decision": "stop", "reason": "המימון נגמר השנה"}

EDITS = [
    Edit("plan:activity_edit", make=lambda cast: ({"activity_pk": (a := make_activity(cast.authority)).pk}, a),
         first={"notes": "עובר למקלט של בית הספר"}, second={"notes": "נפגשים בזום בימי שלישי"},
         read=lambda activity: activity.notes, having="name"),
    # A decision from the activity's page, and from its card in the plan (the same form, sent by htmx).
    Edit("plan:activity", make=_decided, first=FIRST, second=SECOND, read=_reason),
    Edit("plan:activities", make=_decided_in_the_plan, first=FIRST, second=SECOND, read=_reason, page=_card_form_page,
         htmx=True),
    Edit("plan:kpi", make=_kpi_with_target, first={"target": "120"}, second={"target": "80", "cadence": "daily"},
         read=lambda kpi: (kpi.target, kpi.cadence), having="baseline", users=("manager", "manager")),
]

CREATES = [
    Create("plan:activity_new", count=_count("Activity"),
           fill={"name": "קו חם להורים", "kind": "programme", "audience": "parents"}),
    Create("plan:kpi", count=_count("Measurement"), make=_kpi, having="value",
           fill={"value": "12.5", "note": "לפי דיווח המורים"}),
    Create("plan:kpi_choose", count=_count("Kpi"), having="custom-name",
           fill={"custom-name": "מתנדבים פעילים", "custom-unit": "count", "custom-cadence": "weekly",
                 "custom-direction": "higher"}),
]

OTHER_WRITES = {}
