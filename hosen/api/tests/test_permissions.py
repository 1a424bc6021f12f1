"""The API's permission matrix: every operation in the schema × every role × own and foreign authority and
object, through the real HTTP stack. The roles come from the one permission table (hosen/accounts/access.py):
the API adds none of its own."""

import pytest
from django_scopes import scopes_disabled

from hosen.accounts.access import PERMISSIONS
from hosen.api.v1 import api
from hosen.integrity.versions import version_of
from hosen.workmodel.services import current_emergency

from .conftest import ApiClient, make_token
from .objects import BODIES, IF_MATCH, MODELS, NETWORK_ROLES, PATH_OBJECTS, PERMISSION

ROLES = ["manager", "team", "viewer", "network_admin", "coordinator", "other_coordinator", "outsider"]
# Role of each cast member towards the authority "alpha" (None: none at all).
ROLE_IN_ALPHA = {"manager": "manager", "team": "team", "viewer": "viewer", "network_admin": "overseer",
                 "coordinator": "overseer", "other_coordinator": None, "outsider": None}


def _operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield pytest.param(path, method, operation, id=operation["operationId"])


OPERATIONS = list(_operations())


def _permission(method, operation_id):
    return PERMISSION.get(operation_id, "view" if method == "get" else "change")


def _url(path, authority, emergency):
    made = {}
    url = path
    for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
        if name == "slug":
            url = url.replace("{slug}", authority.slug)
            continue
        assert name in PATH_OBJECTS, f"hosen/api/tests/objects.py: no PATH_OBJECTS entry for {name}"
        made[name] = PATH_OBJECTS[name](authority, emergency, made)
        url = url.replace("{" + name + "}", str(made[name]))
    return url, made


def _call(client, method, url, operation, made):
    operation_id = operation["operationId"]
    if method == "get":
        return client.get(url)
    assert operation_id in BODIES, f"hosen/api/tests/objects.py: no BODIES entry for {operation_id}"
    headers = {}
    if method in ("patch", "put", "delete"):
        last = list(made)[-1]
        with scopes_disabled():
            version = (IF_MATCH[operation_id](made) if operation_id in IF_MATCH
                       else version_of(MODELS[last]._base_manager.get(pk=made[last])))
            headers["HTTP_IF_MATCH"] = f'"{version}"'
    return getattr(client, method)(url, BODIES[operation_id](), content_type="application/json", **headers)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS)
def test_every_operation_answers_each_role_as_the_permission_table_says(cast, path, method, operation):
    needed = _permission(method, operation["operationId"])
    with scopes_disabled():
        for role in ROLES:
            url, made = _url(path, cast.authority, cast.emergency)
            _token, text = make_token(cast.user(role))
            response = _call(ApiClient(text), method, url, operation, made)
            in_alpha = ROLE_IN_ALPHA[role]
            if operation["operationId"] in NETWORK_ROLES:
                expected = NETWORK_ROLES[operation["operationId"]].get(role, 403)
            elif path == "/api/v1/authorities/":
                expected = "2xx"
            elif in_alpha is None:
                expected = 404
            elif in_alpha in PERMISSIONS[needed]:
                expected = "2xx"
            else:
                expected = 403
            got = "2xx" if 200 <= response.status_code < 300 else response.status_code
            assert got == expected, (role, method, url, response.status_code, response.content[:300])
            if expected != "2xx":
                assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "operation"), [op for op in OPERATIONS if "{slug}" in op.values[0]])
def test_another_authoritys_records_are_not_found_under_ones_own(cast, path, method, operation):
    """The manager of alpha asks, under alpha, for beta's records: 404, and nothing changes."""
    names = [part[1:-1] for part in path.split("/") if part.startswith("{") and part != "{slug}"]
    if not names:
        pytest.skip("no record in the path")
    with scopes_disabled():
        beta_emergency = current_emergency(cast.other_authority)
        foreign_url, made = _url(path, cast.other_authority, beta_emergency)
        url = foreign_url.replace(f"/{cast.other_authority.slug}/", f"/{cast.authority.slug}/", 1)
        last = names[-1]
        before = version_of(MODELS[last]._base_manager.get(pk=made[last])) if last in MODELS else None
        _token, text = make_token(cast.manager)
        response = _call(ApiClient(text), method, url, operation, made)
        assert response.status_code == 404, (url, response.status_code, response.content[:300])
        if before is not None:
            assert version_of(MODELS[last]._base_manager.get(pk=made[last])) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "operation"), [op for op in OPERATIONS if op.values[1] != "get"])
def test_a_read_only_token_changes_nothing(cast, path, method, operation):
    with scopes_disabled():
        url, made = _url(path, cast.authority, cast.emergency)
        _token, text = make_token(cast.manager, can_write=False)
        response = _call(ApiClient(text), method, url, operation, made)
        assert response.status_code == 403, (url, response.content[:300])


@pytest.mark.django_db
def test_anonymous_callers_get_401_from_every_operation(cast, client):
    with scopes_disabled():
        for param in OPERATIONS:
            path, method, operation = param.values
            url, made = _url(path, cast.authority, cast.emergency)
            response = _call(client, method, url, operation, made)
            assert response.status_code == 401, (method, url)
