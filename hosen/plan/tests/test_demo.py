"""The demo work plan: loads once on top of the demo network, with decisions, a KPI set and values."""

import pytest
from django_scopes import scopes_disabled


@pytest.mark.django_db
def test_the_demo_plan_loads_once(model_content, kpi_templates):
    from hosen.plan.demo import load_plan_demo
    from hosen.plan.models import Activity, ActivityDecision, Kpi, KpiSetChange, Measurement
    from hosen.tenancy.demo import load_demo

    assert load_plan_demo() is False  # no demo authority yet
    load_demo()
    assert load_plan_demo() is True
    assert load_plan_demo() is False
    with scopes_disabled():
        assert Activity.objects.count() == 10
        assert Activity.objects.filter(born_in__isnull=False).count() == 2
        # The maths club's decision changed: its first decision is kept as history.
        assert ActivityDecision.objects.filter(is_current=False).count() == 1
        assert Kpi.objects.filter(is_active=True).count() == 8
        assert KpiSetChange.objects.count() == 1
        assert Measurement.objects.filter(computed=False).count() == 6
