"""The work plan's and KPIs' operations in the API's permission matrix (see objects.py)."""

import uuid
from datetime import date

from hosen.plan.models import Activity, ActivityDecision, Kpi, Measurement


def _activity(authority, emergency, made):
    return Activity.objects.create(authority=authority, name=f"robotics {uuid.uuid4().hex[:8]}", kind="programme",
                                   audience="students").pk


def _kpi(authority, emergency, made):
    return Kpi.objects.create(authority=authority, emergency=emergency, name="tutoring hours", unit="hours").pk


def _value(authority, emergency, made):
    return Measurement.objects.create(authority=authority, kpi_id=made["kpi_id"], value=12,
                                      measured_for=date(2026, 10, 8)).pk


def _decision_version(made):
    """A fresh activity has no decision yet: the version a first decision sends is "new"."""
    assert not ActivityDecision.objects.filter(activity_id=made["activity_id"]).exists()
    return "new"


PATH_OBJECTS = {"activity_id": _activity, "kpi_id": _kpi, "value_id": _value}

MODELS = {"activity_id": Activity, "kpi_id": Kpi, "value_id": Measurement}

BODIES = {
    "hosen_api_resources_plan_create_activity": lambda: {"name": "chess club", "kind": "programme",
                                                         "audience": "students"},
    "hosen_api_resources_plan_edit_activity": lambda: {"place": "the library"},
    "hosen_api_resources_plan_decide": lambda: {"decision": "adapt", "ways": ["online"], "reason": "rockets"},
    "hosen_api_resources_plan_add_value": lambda: {"value": 14, "measured_for": "2026-10-09"},
}

IF_MATCH = {"hosen_api_resources_plan_decide": _decision_version}
