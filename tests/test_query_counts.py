"""Queries per page: a small constant that does not grow with the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from hosen.accounts.models import Membership, Role, User
from hosen.tenancy.models import Authority
from hosen.workmodel import services
from hosen.workmodel.models import Answer, ChecklistItem, EmergencyKind, Severity

PAGES = {
    # page: (user role, path template, bound)
    "wheel": ("manager", "/a/{slug}/", 14),
    "checklist": ("manager", "/a/{slug}/checklist/", 16),
    "checklist evidence": ("manager", "/a/{slug}/checklist/evidence/", 60),
    "stage": ("manager", "/a/{slug}/stages/2/", 30),
    "rounds": ("manager", "/a/{slug}/rounds/", 14),
    "round": ("manager", "/a/{slug}/rounds/1/", 14),
    "emergencies": ("manager", "/a/{slug}/emergencies/", 10),
    "checkin": ("manager", "/a/{slug}/checkin/", 14),
    "team": ("manager", "/a/{slug}/team/", 12),
    "history": ("manager", "/a/{slug}/history/", 24),
    "network": ("network_admin", "/network/", 16),
}


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def grow(cast):
    """Many more rows of everything a page could loop over."""
    with scopes_disabled():
        items = list(ChecklistItem.objects.exclude(kind="reflection"))
        for round_number in range(3):
            current = services.start_round(cast.emergency, cast.manager)
            for item in items[: 10 + 10 * round_number]:
                Answer.objects.update_or_create(round=current, item=item, authority=cast.authority, defaults={
                    "status": "done", "answered_by": cast.team, "carried_over": False})
        for n in range(6):
            authority = Authority.objects.create(cluster=cast.cluster, name=f"רשות {n}", slug=f"grown-{n}")
            services.open_emergency(authority, cast.manager, name=f"אירוע {n}", kind=EmergencyKind.WAR,
                                    started_on="2026-10-07", severity=Severity.HIGH)
            user = User.objects.create_user(f"m{n}@test.org", "x" * 12)
            Membership.objects.create(user=user, role=Role.TEAM, authority=cast.authority)


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_queries_per_page_are_bounded_and_do_not_grow(cast, client_for, page):
    role, template, bound = PAGES[page]
    client = client_for(cast.user(role))
    path = template.format(slug=cast.authority.slug)
    with scopes_disabled():  # one row of each kind, so no page skips a query for want of rows
        Answer.objects.create(round=cast.round, item=ChecklistItem.objects.get(number=2), authority=cast.authority,
                              status="done")
    client.get(path)  # warm the session and language caches
    small = count_queries(client, path)
    grow(cast)
    large = count_queries(client, path)
    assert large <= bound, f"{page}: {large} queries"
    if page == "history":
        return  # one query per kind of record on the page, never per row: bounded above, not constant
    assert large == small, f"{page}: {small} queries with little data, {large} with more"
