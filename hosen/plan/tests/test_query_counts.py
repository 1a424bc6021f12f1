"""Queries per work-plan and KPI page: a small constant that does not grow with the number of rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.plan import services
from hosen.plan.models import Kpi, KpiTemplate, Measurement

from .matrix_plan import make_activity, make_kpi

pytestmark = pytest.mark.django_db

# page: (role, url name, bound)
PAGES = {
    "plan": ("team", "plan:activities", 10),
    "plan_filtered": ("team", "plan:activities", 10),
    "activity": ("team", "plan:activity", 9),
    "kpis": ("viewer", "plan:kpis", 11),
    "kpi": ("team", "plan:kpi", 7),
    "choose": ("manager", "plan:kpi_choose", 11),
}


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def grow(cast, activity, kpi, n):
    """n more activities with decisions and history, KPIs with values, set switches."""
    from hosen.resources.models import Facility

    with scopes_disabled():
        shelter = Facility.objects.create(authority=cast.authority, name=f"מקלט {n}", kind="shelter", is_protected=True)
        templates = list(KpiTemplate.objects.filter(kind="emergency"))
        services.choose(cast.authority, cast.emergency, cast.manager, offered=templates, chosen_templates=templates)
        services.choose(cast.authority, None, cast.manager, offered=list(KpiTemplate.objects.filter(kind="routine")),
                        chosen_templates=list(KpiTemplate.objects.filter(kind="routine")))
        for i in range(n):
            a = make_activity(cast.authority, f"פעילות {n}-{i}", essential=i % 2 == 0, facility=shelter,
                              born_in=cast.emergency if i % 3 == 0 else None)
            services.decide(a, cast.emergency, decision="pause", reason="r", user=cast.team)
            services.decide(a, cast.emergency, decision="adapt", ways=["online"], reason="r", user=cast.manager)
            services.decide(activity, cast.emergency, decision="pause" if i % 2 else "stop", reason=f"r{i}",
                            user=cast.team)
            Measurement.objects.create(authority=cast.authority, kpi=kpi, value=i,
                                       measured_for=timezone.localdate() - timedelta(days=i), entered_by=cast.team)
        for other in Kpi.objects.filter(authority=cast.authority):
            for day in range(n):
                Measurement.objects.create(authority=cast.authority, kpi=other, value=day, computed=day % 2 == 0,
                                           measured_for=timezone.localdate() - timedelta(days=day))
        custom = make_kpi(cast.authority, cast.emergency, name=f"שלי {n}")
        services.record_change(cast.authority, cast.emergency, cast.manager, added=[custom.pk])


@pytest.mark.parametrize("page", sorted(PAGES))
def test_queries_per_page_are_bounded_and_do_not_grow(cast, client_for, kpi_templates, page):
    role, name, bound = PAGES[page]
    activity = make_activity(cast.authority, "תמיד כאן", essential=True)
    kpi = make_kpi(cast.authority, cast.emergency, name="ידני", target=Decimal(10))
    grow(cast, activity, kpi, 2)
    kwargs = {"plan:activity": {"activity_pk": activity.pk}, "plan:kpi": {"kpi_pk": kpi.pk}}.get(name, {})
    path = reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})
    if page == "plan_filtered":
        path += "?decision=running&essential=1"
    client = client_for(cast.user(role))
    client.get(path)  # warm the session and language caches; computed KPIs compute once here
    small = count_queries(client, path)
    grow(cast, activity, kpi, 30)
    client.get(path)  # the KPIs page may compute the KPIs that joined the set
    large = count_queries(client, path)
    assert large <= bound, f"{page}: {large} queries"
    assert large == small, f"{page}: {small} queries with little data, {large} with more"
