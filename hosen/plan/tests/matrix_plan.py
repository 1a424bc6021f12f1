"""The work plan and KPI pages in the permission matrix (see tests/test_permissions.py), and the small
factories the plan's tests share."""

from django_scopes import scopes_disabled

# name -> (GET permission, POST permission or None)
AUTHORITY_PAGES = {
    # GET the plan; POST a decision for one of its activities
    "plan:activities": ("view", "change"),
    "plan:activity_new": ("change", "change"),
    "plan:activity_export": ("view", None),
    # GET the activity and its decision history; POST a decision
    "plan:activity": ("view", "change"),
    "plan:activity_edit": ("change", "change"),
    "plan:kpis": ("view", None),
    "plan:kpi_choose": ("manage", "manage"),
    # GET the KPI and its values; POST a value (or "compute now")
    "plan:kpi": ("view", "change"),
}


def make_activity(authority, name="רובוטיקה", *, kind="programme", audience="students", essential=False, **fields):
    from hosen.plan.models import Activity

    with scopes_disabled():
        return Activity.objects.create(authority=authority, name=name, kind=kind, audience=audience,
                                       is_essential=essential, **fields)


def make_kpi(authority, emergency, *, name="מדד", unit="count", target=None, direction="higher", cadence="weekly",
             source="", template=None):
    from hosen.plan.models import Kpi

    with scopes_disabled():
        return Kpi.objects.create(authority=authority, emergency=emergency, name=name, unit=unit, target=target,
                                  direction=direction, cadence=cadence, source=source, template=template)


def url_kwargs(cast):
    activity = make_activity(cast.authority, "Matrix plan: activity")
    kpi = make_kpi(cast.authority, cast.emergency, name="Matrix plan: KPI")
    return {"activity_pk": activity.pk, "kpi_pk": kpi.pk, "fmt": "csv"}
