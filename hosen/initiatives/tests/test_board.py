"""The design-thinking board: its six columns, its cards, and moving an initiative one phase at a time."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from django_scopes import scopes_disabled

from hosen.initiatives import services
from hosen.initiatives.models import PHASES, Initiative, PhaseMove
from hosen.integrity.testing import with_version
from hosen.workmodel.models import DesignPhase

from .matrix_initiatives import make_initiative, make_need, make_note, make_person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def board_url(cast):
    return reverse("initiatives:board", kwargs={"authority_slug": cast.authority.slug})


def phase_of(initiative):
    with scopes_disabled():
        return Initiative.objects.get(pk=initiative.pk).phase


def moves_of(initiative):
    with scopes_disabled():
        return list(PhaseMove.objects.filter(initiative=initiative).order_by("moved_at", "pk")
                    .values_list("from_phase", "to_phase", "moved_by__email"))


def test_the_board_shows_six_translated_columns_with_their_meaning(cast, client_for):
    client = client_for(cast.viewer)
    client.cookies["django_language"] = "en"
    html = client.get(board_url(cast)).content.decode()
    positions = []
    with scopes_disabled():
        phases = list(DesignPhase.objects.order_by("order"))
    assert [p.key for p in phases] == PHASES
    for phase in phases:
        assert f'id="phase-{phase.key}"' in html
        assert escape(phase.name_en) in html and escape(phase.meaning_en) in html
        positions.append(html.index(f'id="phase-{phase.key}"'))
    assert positions == sorted(positions), "the columns follow the cycle's order"

    client.cookies["django_language"] = "ar"
    html = client.get(board_url(cast)).content.decode()
    assert escape(phases[0].name_ar) in html and escape(phases[0].meaning_ar) in html


def test_each_card_is_in_its_phase_column_with_its_counts_and_last_note(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, "ערכת מדע במקלט", phase="plan", owner="דנה")
    with scopes_disabled():
        services.link(initiative, "need", make_need(cast.authority, cast.emergency), cast.manager)
        services.link(initiative, "need", make_need(cast.authority, cast.emergency, "מרחב מוגן"), cast.manager)
        services.link(initiative, "person", make_person(cast.authority), cast.manager)
    make_note(initiative, "הערה ישנה", phase="ask")
    make_note(initiative, "התכנית: שש ערכות", phase="plan")
    html = client_for(cast.team).get(board_url(cast)).content.decode()
    plan_column = html[html.index('id="phase-plan"'):html.index('id="phase-create"')]
    assert "ערכת מדע במקלט" in plan_column and "דנה" in plan_column
    assert "2 needs" in plan_column and "1 person" in plan_column and "0 KPIs" in plan_column
    assert "התכנית: שש ערכות" in plan_column and "הערה ישנה" not in plan_column
    assert "ערכת מדע במקלט" not in html[:html.index('id="phase-plan"')]
    detail = reverse("initiatives:detail", kwargs={"authority_slug": cast.authority.slug,
                                                   "initiative_pk": initiative.pk})
    assert f'<a href="{detail}" dir="auto">ערכת מדע במקלט</a>' in plan_column


def test_the_board_follows_the_current_emergency(cast, client_for):
    make_initiative(cast.authority, cast.emergency, "של האירוע הנוכחי")
    make_initiative(cast.authority, None, "ללא אירוע")
    with scopes_disabled():
        from hosen.workmodel.models import Emergency

        theirs = Emergency.objects.get(authority=cast.other_authority)
    make_initiative(cast.other_authority, theirs, "של רשות אחרת")
    html = client_for(cast.manager).get(board_url(cast)).content.decode()
    assert "של האירוע הנוכחי" in html
    assert "ללא אירוע" not in html and "של רשות אחרת" not in html

    from hosen.workmodel import services as workmodel_services

    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "")
    html = client_for(cast.manager).get(board_url(cast)).content.decode()
    assert "There is no open emergency right now" in html
    assert "ללא אירוע" in html and "של האירוע הנוכחי" not in html


def test_a_viewer_sees_no_move_buttons_and_cannot_move(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency)
    client = client_for(cast.viewer)
    html = client.get(board_url(cast)).content.decode()
    assert 'name="direction"' not in html and "New initiative" not in html
    response = client.post(board_url(cast), {"initiative": initiative.pk, "direction": "next", "expected": "ask"})
    assert response.status_code == 403
    assert phase_of(initiative) == "ask"


def test_moving_next_with_htmx_swaps_the_board_and_focuses_the_moved_card(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, "ניידת")
    response = client_for(cast.team).post(
        board_url(cast), with_version(initiative, initiative=initiative.pk, direction="next", expected="ask"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="board"') and "<html" not in html
    imagine = html[html.index('id="phase-imagine"'):html.index('id="phase-plan"')]
    assert f'id="initiative-{initiative.pk}"' in imagine
    assert "autofocus" in imagine and 'role="status"' in imagine
    assert phase_of(initiative) == "imagine"
    assert moves_of(initiative) == [("ask", "imagine", "team@test.org")]


def test_moving_with_a_plain_form_redirects_back_to_the_card(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, phase="imagine")
    client = client_for(cast.manager)
    response = client.post(board_url(cast), with_version(initiative, {"initiative": initiative.pk,
                                                                       "direction": "previous", "expected": "imagine"}))
    assert response.status_code == 302
    assert response["Location"] == board_url(cast) + f"#initiative-{initiative.pk}"
    assert phase_of(initiative) == "ask"
    assert "Moved to" in client.get(response["Location"]).content.decode()


def test_no_move_beyond_either_end(cast, client_for):
    first = make_initiative(cast.authority, cast.emergency, phase="ask")
    last = make_initiative(cast.authority, cast.emergency, phase="share")
    client = client_for(cast.manager)
    response = client.post(board_url(cast), with_version(first, initiative=first.pk, direction="previous",
                                                         expected="ask"), **HTMX)
    assert response.status_code == 422 and "already in the first phase" in response.content.decode()
    response = client.post(board_url(cast), with_version(last, initiative=last.pk, direction="next", expected="share"),
                           **HTMX)
    assert response.status_code == 422 and "already in the last phase" in response.content.decode()
    assert (phase_of(first), phase_of(last)) == ("ask", "share")
    assert moves_of(first) == [] and moves_of(last) == []


def test_a_second_tap_on_a_stale_button_moves_nothing(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency)
    client = client_for(cast.manager)
    data = with_version(initiative, {"initiative": initiative.pk, "direction": "next", "expected": "ask"})
    client.post(board_url(cast), data, **HTMX)
    response = client.post(board_url(cast), data, **HTMX)
    assert response.status_code == 200 and "It was already in Imagine: nothing moved." in response.content.decode()
    assert phase_of(initiative) == "imagine"
    assert len(moves_of(initiative)) == 1


@pytest.mark.parametrize("data", [
    {"initiative": "", "direction": "next"},
    {"initiative": "abc", "direction": "next"},
    {"direction": "sideways", "initiative": "1"},
])
def test_a_bad_move_is_refused_and_changes_nothing(cast, client_for, data):
    initiative = make_initiative(cast.authority, cast.emergency)
    if data.get("initiative") == "1":
        data = {**data, "initiative": initiative.pk}
    response = client_for(cast.manager).post(board_url(cast), data, **HTMX)
    assert response.status_code == 422
    assert phase_of(initiative) == "ask"


def test_another_authoritys_initiative_cannot_be_moved(cast, client_for):
    theirs = make_initiative(cast.other_authority, None, "שלהם")
    response = client_for(cast.manager).post(board_url(cast), {"initiative": theirs.pk, "direction": "next"})
    assert response.status_code == 404
    assert phase_of(theirs) == "ask"


def test_the_journey_is_kept_in_order_and_in_the_audit_history(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency)
    client = client_for(cast.manager)
    for direction, expected in [("next", "ask"), ("next", "imagine"), ("previous", "plan"), ("next", "imagine")]:
        client.post(board_url(cast), with_version(initiative, initiative=initiative.pk, direction=direction,
                                                  expected=expected))
    assert [m[:2] for m in moves_of(initiative)] == [
        ("ask", "imagine"), ("imagine", "plan"), ("plan", "imagine"), ("imagine", "plan")]
    with scopes_disabled():
        versions = list(Initiative.objects.get(pk=initiative.pk).history.order_by("history_date")
                        .values_list("phase", "history_user__email"))
    assert [v[0] for v in versions] == ["ask", "imagine", "plan", "imagine", "plan"]
    assert {v[1] for v in versions[1:]} == {"manager@test.org"}
    detail = client.get(reverse("initiatives:detail", kwargs={"authority_slug": cast.authority.slug,
                                                              "initiative_pk": initiative.pk})).content.decode()
    assert detail.count('class="dt-chip dt-fwd"') == 3 and detail.count('class="dt-chip dt-bwd"') == 1


def test_moving_to_share_without_notes_everywhere_is_allowed_but_warns(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, phase="test")
    make_note(initiative, "א", phase="ask")
    make_note(initiative, "ב", phase="plan")
    client = client_for(cast.manager)
    response = client.post(board_url(cast), with_version(initiative, initiative=initiative.pk, direction="next",
                                                         expected="test"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "These phases have no notes yet: Imagine, Create &amp; build, Test &amp; improve" in html
    with scopes_disabled():
        moved = Initiative.objects.get(pk=initiative.pk)
    assert moved.phase == "share" and moved.shared_at is not None

    # Moving back out of SHARE clears the date it was shared.
    client.post(board_url(cast), with_version(initiative, initiative=initiative.pk, direction="previous",
                                              expected="share"))
    with scopes_disabled():
        assert Initiative.objects.get(pk=initiative.pk).shared_at is None


def test_moving_to_share_with_notes_in_every_phase_does_not_warn(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, phase="test")
    for key in PHASES[:5]:
        make_note(initiative, key, phase=key)
    client = client_for(cast.manager)
    response = client.post(board_url(cast), with_version(initiative, initiative=initiative.pk, direction="next",
                                                         expected="test"))
    html = client.get(response["Location"]).content.decode()
    assert "Moved to" in html and "no notes yet" not in html
