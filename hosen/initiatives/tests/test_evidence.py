"""Checklist items 29 and 32 show what the design-thinking board holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from hosen.initiatives import services
from hosen.workmodel.evidence import EvidenceContext, evidence_for

from .matrix_initiatives import make_facility, make_initiative, make_need

pytestmark = pytest.mark.django_db


def evidence(cast, number):
    with translation.override("en"), scope(authority=cast.authority):
        return evidence_for(EvidenceContext(cast.authority, cast.emergency, cast.round), [number]).get(number)


def linked(cast, initiative, kind, target):
    with scopes_disabled():
        services.link(initiative, kind, target, cast.manager)


def test_item_29_counts_initiatives_answering_emerging_needs_by_phase(cast):
    board = reverse("initiatives:board", kwargs={"authority_slug": cast.authority.slug})
    found = evidence(cast, 29)
    assert found.text == "No initiative on the design-thinking board answers an emerging need yet"
    assert found.url == board

    emerging = make_need(cast.authority, cast.emergency, "חדש", emerging=True)
    another = make_need(cast.authority, cast.emergency, "חדש גם", emerging=True)
    old = make_need(cast.authority, cast.emergency, "ישן")
    first = make_initiative(cast.authority, cast.emergency, "א", phase="ask")
    linked(cast, first, "need", emerging)
    linked(cast, first, "need", another)  # two emerging needs: still one initiative
    second = make_initiative(cast.authority, cast.emergency, "ב", phase="plan")
    linked(cast, second, "need", emerging)
    third = make_initiative(cast.authority, cast.emergency, "ג", phase="plan")
    linked(cast, third, "need", another)
    fourth = make_initiative(cast.authority, cast.emergency, "ד", phase="share")
    linked(cast, fourth, "need", old)  # not an emerging need
    make_initiative(cast.authority, None, "ה", phase="test")  # not in this emergency

    assert evidence(cast, 29).text == "3 initiatives answer emerging needs — Ask: 1, Plan: 2"


def test_item_32_counts_initiatives_answering_protection_constraints(cast):
    found = evidence(cast, 32)
    assert found.text.startswith("No initiative on the board answers a protection constraint yet")

    space = make_need(cast.authority, cast.emergency, "מרחב מוגן", category="space")
    equipment = make_need(cast.authority, cast.emergency, "מחשבים", category="equipment")
    shelter = make_facility(cast.authority, "מקלט", protected=True)
    lab = make_facility(cast.authority, "מעבדה", protected=False)
    by_need = make_initiative(cast.authority, cast.emergency, "א", phase="test")
    linked(cast, by_need, "need", space)
    linked(cast, by_need, "facility", shelter)  # both reasons: counted once
    by_place = make_initiative(cast.authority, cast.emergency, "ב", phase="imagine")
    linked(cast, by_place, "facility", shelter)
    neither = make_initiative(cast.authority, cast.emergency, "ג", phase="share")
    linked(cast, neither, "need", equipment)
    linked(cast, neither, "facility", lab)

    assert evidence(cast, 32).text == ("2 initiatives answer protection constraints (space and protection needs or "
                                       "protected spaces), 1 of them tested or shared")


def test_the_providers_are_cheap(cast):
    initiative = make_initiative(cast.authority, cast.emergency)
    linked(cast, initiative, "need", make_need(cast.authority, cast.emergency, emerging=True, category="space"))
    for number, bound in ((29, 2), (32, 1)):
        with CaptureQueriesContext(connection) as queries:
            evidence(cast, number)
        assert len(queries) <= bound, number


def test_the_stage_page_shows_the_evidence_and_links_the_board(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency)
    linked(cast, initiative, "need", make_need(cast.authority, cast.emergency, emerging=True))
    html = client_for(cast.viewer).get(reverse("workmodel:stage", kwargs={"authority_slug": cast.authority.slug,
                                                                        "key": "4"})).content.decode()
    board = reverse("initiatives:board", kwargs={"authority_slug": cast.authority.slug})
    assert "1 initiative answers emerging needs — Ask: 1" in html
    assert f'href="{board}">Design thinking: new responses</a>' in html
