"""What the API's permission matrix (test_permissions.py) needs to call every operation of the schema as a real
caller would. Each resource module's tests add their own entries here:

- `PATH_OBJECTS`: path parameter name → `make(authority, emergency, made)`: the id of a fresh record of that kind
  in that authority (`made` holds the ids already made for the same path, for a record nested in another).
- `MODELS`: path parameter name → its model, for the `If-Match` of an edit.
- `BODIES`: operationId → `body()`: a valid JSON body, so that a permitted caller gets a 2xx answer.
- `PERMISSION`: operationId → the permission it needs, when not "view" for GET and "change" for the rest.
- `IF_MATCH`: operationId → `version(made)`: the version an edit sends in If-Match, when it is not the version of
  the record its path ends with (a decision on an activity sends its current decision's version, say).
- `NETWORK_ROLES`: operationId → {role: expected answer} for an operation outside `/authorities/{slug}/` (the
  network's summaries): "2xx" or a status code per role of the matrix; a role not named gets 403.

The matrix fails for an operation that it cannot call (a path parameter or a body missing here).
"""

import uuid

from hosen.field.models import Need, Site, SiteStatus
from hosen.workmodel.models import Emergency


def _unique(word):
    return f"{word} {uuid.uuid4().hex[:8]}"


PATH_OBJECTS = {
    "emergency_id": lambda authority, emergency, made: emergency.pk,
    "site_id": lambda authority, emergency, made: Site.objects.create(
        authority=authority, name=_unique("site"), kind="school").pk,
    "need_id": lambda authority, emergency, made: Need.objects.create(
        authority=authority, emergency=emergency, audience="students", category="food", description="bread").pk,
    "status_id": lambda authority, emergency, made: SiteStatus.objects.create(
        authority=authority, emergency=emergency, site_id=made["site_id"], status="open").pk,
}

MODELS = {"site_id": Site, "need_id": Need, "emergency_id": Emergency}

BODIES = {
    "hosen_api_resources_field_create_site": lambda: {"name": _unique("school"), "kind": "school"},
    "hosen_api_resources_field_edit_site": lambda: {"notes": "gate on the north side"},
    "hosen_api_resources_field_report_status": lambda: {"status": "partial", "present": 40},
    "hosen_api_resources_field_create_need": lambda: {"audience": "students", "category": "equipment",
                                                      "description": "laptops"},
    "hosen_api_resources_field_edit_need": lambda: {"status": "in_progress"},
}

PERMISSION: dict[str, str] = {}

IF_MATCH: dict = {}

NETWORK_ROLES: dict[str, dict] = {}


def _gather_siblings():
    """Each resource module's tests keep their entries in `objects_<module>.py` beside this file, with the same
    names; they are gathered here so the matrix sees every operation."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("objects_"):
            module = importlib.import_module(f"{__package__}.{info.name}")
            for name in ("PATH_OBJECTS", "MODELS", "BODIES", "PERMISSION", "IF_MATCH", "NETWORK_ROLES"):
                globals()[name].update(getattr(module, name, {}))


_gather_siblings()
