"""The permission matrix: every URL the resolver knows, with every role and with outsiders.

A URL that is not described here fails `test_every_url_is_in_the_matrix`, so a new page cannot ship
without saying who may see it and who may change through it.
"""

import importlib
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ["anonymous", "outsider", "other_coordinator", "viewer", "team", "manager", "coordinator", "network_admin"]
MEMBERS = {"viewer", "team", "manager"}
OVERSEERS = {"coordinator", "network_admin"}

# What an authority page's permission means for each role (see hosen/accounts/access.py).
ALLOWED = {
    "view": MEMBERS | OVERSEERS,
    "change": {"team", "manager"},
    "manage": {"manager"},
    "checkin": {"manager"},
}

# name -> (GET permission or None when GET is not served, POST permission or None)
AUTHORITY_PAGES = {
    "workmodel:home": ("view", None),
    "workmodel:emergencies": ("view", None),
    "workmodel:emergency_new": ("manage", "manage"),
    "workmodel:emergency": ("view", "manage"),
    "workmodel:emergency_close": ("manage", "manage"),
    "workmodel:stage": ("view", None),
    "workmodel:checklist": ("view", None),
    "workmodel:checklist_evidence": ("view", None),
    "workmodel:answer": ("view", "change"),
    "workmodel:rounds": ("view", "manage"),
    "workmodel:round": ("view", None),
    "workmodel:checkin": ("checkin", "checkin"),
    "team:members": ("manage", "manage"),
    "audit:history": ("manage", None),
}

# Pages outside an authority: expected GET status per role.
OTHER_PAGES = {
    "home": {"anonymous": 302, "*": 302},
    "tenancy:network": {"anonymous": 302, "coordinator": 200, "other_coordinator": 200, "network_admin": 200,
                        "*": 403},
    "tenancy:network_emergency_new": {"anonymous": 302, "network_admin": 200, "*": 403},
    "tenancy:network_invite": {"anonymous": 302, "network_admin": 200, "*": 403},
    "accounts:accept": {"*": 404},  # an unknown token
    "set_language": {"*": 405},  # POST only
    "healthz": {"*": 200},
    "favicon": {"*": 301},
}

# Sign-in pages from django-allauth: public, they show no authority's data.
ALLAUTH_PUBLIC = {
    "account_login", "account_logout", "account_signup", "account_reset_password", "account_reset_password_done",
    "account_reset_password_from_key", "account_reset_password_from_key_done", "account_change_password",
    "account_set_password", "account_inactive", "account_email", "account_email_verification_sent",
    "account_confirm_email", "account_reauthenticate", "account_login_code_confirm",
    "account_request_login_code", "account_confirm_login_code", "account_change_email",
    "account_verify_email", "account_reset_password_code_confirm",
    "account_request_reauthentication_code", "account_confirm_reauthentication_code",
}



def _matrix_modules():
    """Apps describe their own pages in hosen/<app>/tests/matrix*.py: AUTHORITY_PAGES and OTHER_PAGES
    as above, and url_kwargs(cast) -> {kwarg name: value} creating the objects their URLs point at."""
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.glob("hosen/*/tests/matrix*.py")):
        yield importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))


for _module in _matrix_modules():
    AUTHORITY_PAGES.update(getattr(_module, "AUTHORITY_PAGES", {}))
    OTHER_PAGES.update(getattr(_module, "OTHER_PAGES", {}))

# With the cast's emergency open, "open an emergency" sends the manager back to the list instead.
ALLOWED_GET_STATUS = {"workmodel:emergency_new": 302}


def all_url_names(resolver=None, namespace="", prefix=""):
    """[(namespaced name, full route text)] for every pattern the resolver knows."""
    resolver = resolver or get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names.extend(all_url_names(pattern, inner, route))
        elif isinstance(pattern, URLPattern):
            names.append((f"{namespace}{pattern.name}" if pattern.name else None, route))
    return names


def route_kwargs(route):
    return re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


def test_every_url_is_in_the_matrix():
    missing = []
    for name, route in all_url_names():
        if route.startswith("admin/"):
            continue  # covered by test_admin_is_staff_only
        elif name is None:
            missing.append(route)
        elif name.startswith("api-v1:") and name not in OTHER_PAGES:
            continue  # an API operation: hosen/api/tests/test_permissions.py enumerates them from the schema
        elif name not in AUTHORITY_PAGES and name not in OTHER_PAGES and name not in ALLAUTH_PUBLIC:
            missing.append(name)
    assert not missing, f"URLs missing from the permission matrix: {missing}"


def _kwargs(cast, name):
    pattern_kwargs = set()
    for candidate_name, route in all_url_names():
        if candidate_name == name:
            pattern_kwargs = set(route_kwargs(route))
    values = {}
    if not hasattr(cast, "_url_kwargs"):
        cast._url_kwargs = {}
        for module in _matrix_modules():
            if hasattr(module, "url_kwargs"):
                cast._url_kwargs.update(module.url_kwargs(cast))
    values.update(cast._url_kwargs)
    values |= {"authority_slug": cast.authority.slug, "pk": cast.emergency.pk, "key": "2",
              # checklist item 2 (item 1 is the private reflection), or round 1
              "number": 2 if name == "workmodel:answer" else 1,
              "token": "no-such-token"}
    return {k: v for k, v in values.items() if k in pattern_kwargs}


def _expected(permission, role):
    if permission is None:
        return None
    if role == "anonymous":
        return 302
    if role in ("outsider", "other_coordinator"):
        return 404
    return 200 if role in ALLOWED[permission] else 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(AUTHORITY_PAGES))
def test_authority_pages(cast, client_for, name, role):
    from django.urls import reverse

    read, write = AUTHORITY_PAGES[name]
    url = reverse(name, kwargs=_kwargs(cast, name))
    client = client_for(cast.user(role))

    response = client.get(url)
    expected = _expected(read, role)
    if expected == 200:
        expected = ALLOWED_GET_STATUS.get(name, 200)
    assert response.status_code == expected, f"GET {url} as {role}"

    response = client.post(url, {})
    if write is None:
        # Read-only pages refuse POST; an outsider still learns nothing (404), a visitor signs in.
        expected = {"anonymous": 302, "outsider": 404, "other_coordinator": 404}.get(role, 405)
        assert response.status_code == expected, f"POST {url} as {role}"
    else:
        expected = _expected(write, role)
        if expected == 200:
            # An empty POST to an edit form carries no version: a conflict (409), never a silent overwrite.
            assert response.status_code in {200, 302, 409, 422}, f"POST {url} as {role}: {response.status_code}"
        else:
            assert response.status_code == expected, f"POST {url} as {role}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(OTHER_PAGES))
def test_other_pages(cast, client_for, name, role):
    from django.urls import reverse

    rules = OTHER_PAGES[name]
    expected = rules.get(role, rules["*"])
    response = client_for(cast.user(role)).get(reverse(name, kwargs=_kwargs(cast, name)))
    assert response.status_code == expected, f"GET {name} as {role}"


@pytest.mark.django_db
def test_missing_authority_and_missing_objects_answer_404(cast, client_for):
    client = client_for(cast.manager)
    assert client.get("/a/no-such-place/").status_code == 404
    assert client.get(f"/a/{cast.authority.slug}/emergencies/999999/").status_code == 404
    assert client.get(f"/a/{cast.authority.slug}/stages/9/").status_code == 404
    assert client.get(f"/a/{cast.authority.slug}/checklist/99/").status_code == 404
    # Another authority's emergency, reached through this authority's URL, is just as missing.
    from django_scopes import scopes_disabled

    from hosen.workmodel.models import Emergency

    with scopes_disabled():
        theirs = Emergency.objects.get(authority=cast.other_authority)
    assert client.get(f"/a/{cast.authority.slug}/emergencies/{theirs.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "network_admin", "coordinator"])
def test_admin_is_staff_only(cast, client_for, role):
    """Every admin URL sends a user who is not staff to the admin's sign-in."""
    from django.urls import NoReverseMatch, reverse

    client = client_for(cast.user(role))
    checked = 0
    for name, route in all_url_names():
        if not name or not name.startswith("admin:") or name in {"admin:login", "admin:logout"}:
            continue
        kwargs = {k: {"object_id": "1", "app_label": "workmodel", "content_type_id": "1"}.get(k, "x")
                  for k in route_kwargs(route)}
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        response = client.get(url)
        assert response.status_code in {302, 404}, f"{url} as {role}"
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"]
        checked += 1
    assert checked > 20
