"""Queries per design-thinking page: a small constant that does not grow with the number of rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.initiatives import services
from hosen.initiatives.models import PHASES, Practice
from hosen.integrity.testing import with_version
from hosen.plan.models import Measurement
from hosen.plan.tests.matrix_plan import make_kpi

from .matrix_initiatives import make_facility, make_initiative, make_need, make_note, make_person

pytestmark = pytest.mark.django_db

# page: (role, url name, bound)
PAGES = {
    "board": ("team", "initiatives:board", 8),
    "detail": ("team", "initiatives:detail", 18),
    "detail_viewer": ("viewer", "initiatives:detail", 18),
    "edit": ("team", "initiatives:edit", 6),
    "new": ("team", "initiatives:new", 6),
    "practice": ("team", "initiatives:practice", 13),
    "practice_print": ("viewer", "initiatives:practice_print", 11),
}


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def grow(cast, initiative, n):
    """n more initiatives on the board, and n more of everything the initiative could link, note and move."""
    with scopes_disabled():
        for i in range(n):
            other = make_initiative(cast.authority, cast.emergency, f"יוזמה {n}-{i}", phase=PHASES[i % 6])
            need = make_need(cast.authority, cast.emergency, f"צורך {n}-{i}", emerging=i % 2 == 0,
                             category="space" if i % 3 == 0 else "equipment")
            person = make_person(cast.authority, f"אדם {n}-{i}")
            facility = make_facility(cast.authority, f"מתקן {n}-{i}", protected=i % 2 == 1)
            kpi = make_kpi(cast.authority, cast.emergency, name=f"מדד {n}-{i}")
            for day in range(3):
                Measurement.objects.create(authority=cast.authority, kpi=kpi, value=day + i,
                                           measured_for=timezone.localdate() - timedelta(days=day))
            for target in (initiative, other):
                services.link(target, "need", need, cast.team)
                services.link(target, "person", person, cast.team)
                services.link(target, "facility", facility, cast.team)
                services.link(target, "kpi", kpi, cast.team)
            make_note(other, f"הערה {i}", user=cast.team)
            make_note(initiative, f"הערה {n}-{i}", phase=PHASES[i % 6], user=cast.manager)
            # Back and forth: the journey grows, the initiative stays where it was (at SHARE).
            services.move(initiative, services.PREVIOUS, cast.team)
            services.move(initiative, services.NEXT, cast.team)
            # Unlinked records too: they are what the link forms offer.
            make_need(cast.authority, cast.emergency, f"פתוח {n}-{i}")
            make_person(cast.authority, f"מתנדב {n}-{i}")


@pytest.mark.parametrize("page", sorted(PAGES))
def test_queries_per_page_are_bounded_and_do_not_grow(cast, client_for, page):
    role, name, bound = PAGES[page]
    initiative = make_initiative(cast.authority, cast.emergency, "תמיד כאן", phase="share", owner="דנה")
    if page == "practice_print":
        with scopes_disabled():
            Practice.objects.create(authority=cast.authority, initiative=initiative, title="t", problem="p",
                                    what_we_did="w", written_by=cast.manager)
    grow(cast, initiative, 2)
    kwargs = {} if name in ("initiatives:board", "initiatives:new") else {"initiative_pk": initiative.pk}
    path = reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})
    client = client_for(cast.user(role))
    client.get(path)  # warm the session and language caches
    small = count_queries(client, path)
    grow(cast, initiative, 25)
    large = count_queries(client, path)
    assert large <= bound, f"{page}: {large} queries"
    assert large == small, f"{page}: {small} queries with little data, {large} with more"


def test_the_board_with_htmx_move_is_bounded(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency)
    grow(cast, initiative, 20)
    client = client_for(cast.team)
    path = reverse("initiatives:board", kwargs={"authority_slug": cast.authority.slug})
    client.get(path)
    with scopes_disabled():
        phase = type(initiative).objects.get(pk=initiative.pk).phase
    data = with_version(initiative, initiative=initiative.pk, expected=phase,
                        direction="previous" if phase == "share" else "next")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert len(queries) <= 20, len(queries)
