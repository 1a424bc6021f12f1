"""The admin does not list check-ins anywhere: not a page of their own, not an inline, and not in the
summary of a delete confirmation (where Django counts everything a deletion cascades to)."""

import pytest
from django.contrib import admin
from django.db.models import CASCADE
from django_scopes import scopes_disabled

from hosen.accounts.models import User
from hosen.accounts.two_step import enrol_totp
from hosen.workmodel.admin_privacy import PRIVATE_MODELS, HidePrivateOnDelete
from hosen.workmodel.models import CheckIn


def _cascades_to(model, target, seen=None):
    """Whether deleting a `model` row deletes `target` rows (through any chain of CASCADE foreign keys)."""
    seen = seen or set()
    if model in seen:
        return False
    seen.add(model)
    # include_hidden: the check-in's foreign keys have no reverse name (related_name="+").
    relations = [f for f in model._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete
                 and (f.one_to_many or f.one_to_one)]
    for relation in relations:
        if relation.on_delete is CASCADE and (relation.related_model is target
                                              or _cascades_to(relation.related_model, target, seen)):
            return True
    return False


@pytest.fixture
def superuser_client(client):
    root = User.objects.create_superuser("root@test.org", "x" * 12)
    enrol_totp(root, "JBSWY3DPEHPK3PXP")  # the admin site requires two-step sign-in
    client.force_login(root)
    return client


@pytest.fixture
def checkins(cast):
    with scopes_disabled():
        for author in (cast.manager, cast.outsider):
            authority = cast.authority if author == cast.manager else cast.other_authority
            CheckIn.objects.create(author=author, authority=authority, feeling="private")
    return cast


def _mentions_checkins(html):
    text = html.lower().replace("checklist", "")
    return any(word in text for word in ("check in", "check-in", "checkin"))


def test_no_private_model_is_registered_or_inline():
    for model, model_admin in admin.site._registry.items():
        assert model not in PRIVATE_MODELS
        assert not any(issubclass(inline.model, PRIVATE_MODELS) for inline in model_admin.inlines), model


def test_every_admin_whose_deletion_reaches_a_private_model_hides_it():
    reaching = [m for m in admin.site._registry if any(_cascades_to(m, p) for p in PRIVATE_MODELS)]
    assert reaching, "the check-in cascades from users and authorities at least"
    not_hiding = [m.__name__ for m in reaching if not isinstance(admin.site._registry[m], HidePrivateOnDelete)]
    assert not not_hiding, f"use HidePrivateOnDelete in the admin of {not_hiding}"


@pytest.mark.django_db
def test_delete_confirmations_do_not_mention_checkins(checkins, superuser_client):
    cast = checkins
    pages = {  # the page, and what it says: a cluster or network with authorities in it cannot be deleted
        f"/admin/accounts/user/{cast.manager.pk}/delete/": "Are you sure",
        f"/admin/tenancy/authority/{cast.authority.pk}/delete/": "Are you sure",
        f"/admin/tenancy/cluster/{cast.cluster.pk}/delete/": "Cannot delete",
        f"/admin/tenancy/network/{cast.network.pk}/delete/": "Cannot delete",
    }
    for page, says in pages.items():
        response = superuser_client.get(page, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and says in response.content.decode(), page
        assert not _mentions_checkins(response.content.decode()), page
    for changelist, pks in [("/admin/accounts/user/", [cast.manager.pk, cast.outsider.pk]),
                            ("/admin/tenancy/authority/", [cast.authority.pk, cast.other_authority.pk])]:
        response = superuser_client.post(changelist, {"action": "delete_selected", "_selected_action": pks},
                                         HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and "Are you sure" in response.content.decode(), changelist
        assert not _mentions_checkins(response.content.decode()), changelist


@pytest.mark.django_db
def test_deleting_a_user_still_deletes_her_checkins(checkins, superuser_client):
    response = superuser_client.post(f"/admin/accounts/user/{checkins.manager.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    with scopes_disabled():
        assert list(CheckIn.objects.values_list("author__email", flat=True)) == ["outsider@test.org"]


@pytest.mark.django_db
def test_no_admin_page_mentions_checkins(checkins, superuser_client):
    for path in ["/admin/", "/admin/workmodel/", "/admin/accounts/user/",
                 f"/admin/accounts/user/{checkins.manager.pk}/change/", "/admin/tenancy/authority/",
                 f"/admin/tenancy/authority/{checkins.authority.pk}/change/"]:
        response = superuser_client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, path
        assert not _mentions_checkins(response.content.decode()), path
    assert superuser_client.get("/admin/workmodel/checkin/").status_code == 404
