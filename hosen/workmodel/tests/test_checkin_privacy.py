"""The private check-in: only its author can ever read it."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from hosen.accounts.models import Membership, Role, User
from hosen.accounts.two_step import enrol_totp
from hosen.workmodel.models import CheckIn

MARKER = "סוד-פרטי-7f3a"


def write_checkin(client_for, user, authority, text=MARKER):
    response = client_for(user).post(
        reverse("workmodel:checkin", kwargs={"authority_slug": authority.slug}),
        {"feeling": text, "stability": "3", "reflection": f"{text} reflection", "arrangements": "", "notes": ""},
    )
    assert response.status_code == 302
    return response


@pytest.mark.django_db
def test_author_writes_and_reads_her_own_checkin(cast, client_for):
    write_checkin(client_for, cast.manager, cast.authority)
    page = client_for(cast.manager).get(f"/a/{cast.authority.slug}/checkin/")
    assert MARKER in page.content.decode()
    with scope(author=cast.manager):
        entry = CheckIn.objects.get()
    assert entry.stability == 3 and entry.authority == cast.authority and entry.emergency == cast.emergency


@pytest.mark.django_db
def test_empty_checkin_is_refused_with_a_message(cast, client_for):
    response = client_for(cast.manager).post(f"/a/{cast.authority.slug}/checkin/", {"feeling": "   "},
                                            HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "The check-in is empty" in response.content.decode()
    with scopes_disabled():
        assert CheckIn.objects.count() == 0


@pytest.mark.django_db
def test_a_second_manager_of_the_same_authority_cannot_read_it(cast, client_for):
    colleague = User.objects.create_user("second@test.org", "x" * 12)
    Membership.objects.create(user=colleague, role=Role.MANAGER, authority=cast.authority)
    write_checkin(client_for, cast.manager, cast.authority)
    page = client_for(colleague).get(f"/a/{cast.authority.slug}/checkin/")
    assert page.status_code == 200
    assert MARKER not in page.content.decode()


@pytest.mark.django_db
def test_the_marker_appears_on_no_other_page_for_anyone(cast, client_for):
    """Every GET page of the resolver, as every role: the check-in text shows only to its author,
    only on her check-in page. This includes the audit history and the network's pages."""
    from tests.test_permissions import AUTHORITY_PAGES, OTHER_PAGES, ROLES, _kwargs

    write_checkin(client_for, cast.manager, cast.authority)
    for role in ROLES:
        client = client_for(cast.user(role))
        for name in list(AUTHORITY_PAGES) + list(OTHER_PAGES):
            response = client.get(reverse(name, kwargs=_kwargs(cast, name)), follow=True)
            # Downloads are bytes, and a static file (the icon) streams: search them too.
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode("utf-8", errors="replace")
            if role == "manager" and name == "workmodel:checkin":
                assert MARKER in body
            else:
                assert MARKER not in body, f"{name} as {role} shows the private check-in"


@pytest.mark.django_db
def test_unscoped_queries_are_refused():
    with pytest.raises(ScopeError):
        list(CheckIn.objects.all())


@pytest.mark.django_db
def test_a_superuser_cannot_read_it_in_the_admin(cast, client_for):
    write_checkin(client_for, cast.manager, cast.authority)
    admin = User.objects.create_superuser("root@test.org", "x" * 12)
    enrol_totp(admin, "JBSWY3DPEHPK3PXP")  # the admin site requires two-step sign-in
    client = client_for(admin)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "check" not in index.content.decode().lower().replace("checklist", "")
    assert client.get("/admin/workmodel/checkin/").status_code == 404
    for path in ["/admin/workmodel/", "/admin/accounts/user/", f"/admin/accounts/user/{cast.manager.pk}/change/"]:
        assert MARKER not in client.get(path).content.decode()


@pytest.mark.django_db
def test_checkin_keeps_no_history(cast, client_for):
    write_checkin(client_for, cast.manager, cast.authority)
    assert not hasattr(CheckIn, "history")
    history = client_for(cast.manager).get(f"/a/{cast.authority.slug}/history/")
    assert history.status_code == 200
    assert MARKER not in history.content.decode()


@pytest.mark.django_db
def test_team_members_and_overseers_cannot_open_the_checkin(cast, client_for):
    for role, status in [("team", 403), ("viewer", 403), ("network_admin", 403), ("coordinator", 403),
                         ("outsider", 404)]:
        assert client_for(cast.user(role)).get(f"/a/{cast.authority.slug}/checkin/").status_code == status
