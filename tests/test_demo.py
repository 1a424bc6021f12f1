"""`make run`'s data: the whole demo loads, fills every register of the demo authority, and loads once."""

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from hosen.tenancy.audit import tenant_models


@pytest.mark.django_db
def test_the_demo_fills_every_register_once():
    for command in ["load_model_content", "load_skills", "load_kpi_templates", "load_demo"]:
        call_command(command, verbosity=0)
    with scopes_disabled():
        counts = {m._meta.label_lower: m.objects.filter(authority__slug="neve-hadgama").count()
                  for m in tenant_models()}
    for label in ["workmodel.emergency", "workmodel.answer", "field.site", "field.sitestatus", "field.need",
                  "field.pulse", "resources.person", "resources.facility", "resources.channel",
                  "resources.fundingsource", "plan.activity", "plan.kpi", "situation.logentry",
                  "partners.partner", "partners.achievement", "initiatives.initiative"]:
        assert counts[label] > 0, f"the demo has no {label}"
    call_command("load_demo", verbosity=0)
    with scopes_disabled():
        again = {m._meta.label_lower: m.objects.filter(authority__slug="neve-hadgama").count()
                 for m in tenant_models()}
    assert again == counts
