"""No lost work, for every register: two people editing one record, a form sent three times, a one-tap change
on a stale page. The writes are described by each app in hosen/<app>/tests/writes*.py (see
hosen/integrity/registry.py); every POST the permission matrix knows must be described there."""

import importlib
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.integrity.testing import form_data, loaded

from .test_permissions import AUTHORITY_PAGES

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _modules():
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.glob("hosen/*/tests/writes*.py")):
        yield importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))


EDITS, IN_PLACE, CREATES, OTHER_WRITES = [], [], [], {}
for _module in _modules():
    EDITS += getattr(_module, "EDITS", [])
    IN_PLACE += getattr(_module, "IN_PLACE", [])
    CREATES += getattr(_module, "CREATES", [])
    OTHER_WRITES.update(getattr(_module, "OTHER_WRITES", {}))


def _url(cast, name, kwargs):
    return reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


def _signed_in(user):
    client = Client(**EN)
    client.force_login(user)
    return client


def _errors(response):
    """What a refused form says, for a failing test's message."""
    html = response.content.decode()
    return re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</', html, re.S) or html[:2000]


def _fresh(record):
    with scopes_disabled():
        return type(record)._base_manager.get(pk=record.pk)


def test_every_write_is_described():
    described = {e.url_name for e in EDITS} | {e.url_name for e in IN_PLACE} | {c.url_name for c in CREATES}
    writes = {name for name, (_get, post) in AUTHORITY_PAGES.items() if post is not None}
    missing = writes - described - set(OTHER_WRITES)
    assert not missing, f"describe these writes in hosen/<app>/tests/writes*.py: {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.id)
def test_a_stale_save_shows_both_texts_and_overwrites_nothing(edit, cast):
    kwargs, record = edit.make(cast)
    post_url = _url(cast, edit.url_name, kwargs)
    page = edit.page(cast, kwargs) if edit.page else post_url
    extra = HTMX if edit.htmx else {}
    team, manager = (_signed_in(cast.user(role)) for role in edit.users)
    hers = loaded(manager, page, having=edit.having or "version")
    his = loaded(team, page, having=edit.having or "version")

    response = team.post(post_url, {**his, **edit.first}, **extra)
    assert response.status_code in (200, 302), _errors(response)
    first_value = edit.read(_fresh(record))

    response = manager.post(post_url, {**hers, **edit.second}, **extra)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Saved meanwhile by someone else" in html
    for value in edit.second.values():
        if isinstance(value, str) and len(value) > 3:
            assert value in html, "her text is kept in the form"
    assert edit.read(_fresh(record)) == first_value, "nothing was overwritten"

    # She merges on the conflict view and saves again: now it applies.
    again = form_data(html, having=edit.having or "version", **edit.second)
    response = manager.post(post_url, again, **extra)
    assert response.status_code in (200, 302), _errors(response)
    assert edit.read(_fresh(record)) != first_value


@pytest.mark.django_db
@pytest.mark.parametrize("change", IN_PLACE, ids=lambda e: e.id)
def test_a_tap_on_a_stale_page_does_not_apply(change, cast):
    kwargs, record = change.make(cast)
    post_url = _url(cast, change.url_name, kwargs)
    page = change.page(cast, kwargs)
    action = change.action(cast, kwargs) if change.action else None
    extra = HTMX if change.htmx else {}
    team, manager = (_signed_in(cast.user(role)) for role in change.users)
    hers = loaded(manager, page, having=change.having or "version", form_action=action)
    his = loaded(team, page, having=change.having or "version", form_action=action)

    response = team.post(post_url, {**his, **change.first}, **extra)
    assert response.status_code in (200, 302)
    first_value = change.read(_fresh(record))

    response = manager.post(post_url, {**hers, **change.second}, **extra)
    assert response.status_code in (409, 302)
    if response.status_code == 409:
        assert "changed this meanwhile" in response.content.decode()
    else:
        follow = manager.get(response["Location"])
        assert "changed this meanwhile" in follow.content.decode()
    assert change.read(_fresh(record)) == first_value


@pytest.mark.django_db
@pytest.mark.parametrize("create", CREATES, ids=lambda c: c.id)
def test_a_form_sent_three_times_creates_one_record(create, cast):
    kwargs = create.make(cast) if create.make else {}
    post_url = _url(cast, create.url_name, kwargs)
    page = create.page(cast, kwargs) if create.page else post_url
    client = _signed_in(cast.user(create.user))
    before = create.count(cast)
    data = loaded(client, page, having=create.having or "submission", **create.fill)
    assert data.get("submission"), "the form carries a submission key"

    answers = [client.post(post_url, data) for _ in range(3)]
    assert [a.status_code for a in answers] == [302] * 3, _errors(answers[0])
    assert len({a["Location"] for a in answers}) == 1, "a resend shows the first result"
    assert create.count(cast) == before + 1

    if not create.reload:
        return
    # Back, the page loads again (a new key), and the same text is sent: still one record.
    data = loaded(client, page, having=create.having or "submission", **create.fill)
    assert client.post(post_url, data).status_code == 302
    assert create.count(cast) == before + 1
