"""The design-thinking writes with more than one person at work: moves from a page loaded before someone else's
change, notes that change nothing else, links and unlinks sent twice, and two first write-ups of one practice."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.initiatives.models import Initiative, InitiativePerson, PhaseNote, Practice
from hosen.integrity.testing import form_data, loaded

from .matrix_initiatives import make_initiative, make_note, make_person

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(cast, name, initiative=None):
    kwargs = {"authority_slug": cast.authority.slug}
    if initiative is not None:
        kwargs["initiative_pk"] = initiative.pk
    return reverse(name, kwargs=kwargs)


def signed_in(user):
    client = Client(**EN)
    client.force_login(user)
    return client


def fresh(initiative):
    with scopes_disabled():
        return Initiative.objects.get(pk=initiative.pk)


def test_a_move_from_a_board_loaded_before_someone_renamed_it_moves_nothing(cast):
    initiative = make_initiative(cast.authority, cast.emergency, "ניידת מדע", phase="plan")
    board = url(cast, "initiatives:board")
    manager, team = signed_in(cast.manager), signed_in(cast.team)
    hers = loaded(manager, board, having="version", initiative=str(initiative.pk))
    his = loaded(team, url(cast, "initiatives:edit", initiative), having="version", title="ניידת מדע לשכונות")
    assert team.post(url(cast, "initiatives:edit", initiative), his).status_code == 302

    response = manager.post(board, {**hers, "direction": "next"}, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "team changed this meanwhile, so your change was not applied" in html
    assert "ניידת מדע לשכונות" in html, "the card is shown as it is now"
    assert fresh(initiative).phase == "plan"
    # The board she got back carries the new version: the same tap now applies.
    again = form_data(html, having="version", initiative=str(initiative.pk), direction="next")
    assert manager.post(board, again, **HTMX).status_code == 200
    assert fresh(initiative).phase == "create"


def test_a_note_changes_nothing_else_so_a_move_loaded_before_it_applies(cast):
    initiative = make_initiative(cast.authority, cast.emergency, "ערכות לגנים", phase="ask")
    detail = url(cast, "initiatives:detail", initiative)
    manager, team = signed_in(cast.manager), signed_in(cast.team)
    move = loaded(manager, detail, having="expected")
    edit = loaded(manager, url(cast, "initiatives:edit", initiative), having="version", owner="דנה")
    version = fresh(initiative).updated_at

    # Her own note in place, and one of a colleague's: the initiative itself is as it was.
    note = loaded(manager, detail, having="text", text="הגננות ביקשו ערכות שקטות")
    assert manager.post(detail, note, **HTMX).status_code == 200
    assert team.post(detail, loaded(team, detail, having="text", text="שאלנו גם את ההורים")).status_code == 302
    assert fresh(initiative).updated_at == version

    response = manager.post(detail, {**move, "direction": "next"})
    assert response.status_code == 302
    assert "Moved to" in manager.get(response["Location"]).content.decode()
    assert fresh(initiative).phase == "imagine"
    # The edit form was loaded before the move: the move changed nothing the form edits, so the edit applies
    # and keeps the move.
    response = manager.post(url(cast, "initiatives:edit", initiative), edit)
    assert response.status_code == 302
    assert (fresh(initiative).owner, fresh(initiative).phase) == ("דנה", "imagine")
    # The same edit form, loaded before someone changed what it edits, is a conflict to look at.
    stale = loaded(manager, url(cast, "initiatives:edit", initiative), having="version", owner="יעל")
    assert manager.post(url(cast, "initiatives:edit", initiative), {**stale, "owner": "רונית"}).status_code == 302
    response = manager.post(url(cast, "initiatives:edit", initiative), stale)
    assert response.status_code == 409 and "Saved meanwhile by someone else" in response.content.decode()
    again = form_data(response.content.decode(), having="version", owner="יעל")
    assert manager.post(url(cast, "initiatives:edit", initiative), again).status_code == 302
    assert (fresh(initiative).owner, fresh(initiative).phase) == ("יעל", "imagine")


def test_the_newest_activity_comes_first_on_the_board(cast, client_for):
    first = make_initiative(cast.authority, cast.emergency, "ראשונה")
    make_initiative(cast.authority, cast.emergency, "שנייה")
    board = url(cast, "initiatives:board")
    html = client_for(cast.viewer).get(board).content.decode()
    assert html.index("שנייה") < html.index("ראשונה")
    make_note(first, "עדכון מהשטח")
    html = client_for(cast.viewer).get(board).content.decode()
    assert html.index("ראשונה") < html.index("שנייה"), "a note brings the card up"


def test_the_same_note_sent_twice_is_kept_once_and_the_next_form_has_a_new_key(cast):
    initiative = make_initiative(cast.authority, cast.emergency)
    detail = url(cast, "initiatives:detail", initiative)
    client = signed_in(cast.team)
    data = loaded(client, detail, having="text", text="מדריך אחד ל-12 ילדים")
    first = client.post(detail, data, **HTMX)
    again = client.post(detail, data, **HTMX)
    assert first.status_code == again.status_code == 200
    assert again["X-Hosen-Replayed"] == "1"
    with scopes_disabled():
        assert PhaseNote.objects.filter(initiative=initiative).count() == 1
    keys = re.findall(r'name="submission" value="([0-9a-f-]+)"', first.content.decode())
    assert keys and keys[0] != data["submission"], "the form shown after a note is a new one"
    # The next, different note on that form is kept too.
    nxt = form_data(first.content.decode(), having="text", text="ועוד מדריכה בשבוע הבא")
    assert client.post(detail, nxt, **HTMX).status_code == 200
    with scopes_disabled():
        assert PhaseNote.objects.filter(initiative=initiative).count() == 2


def test_linking_or_unlinking_twice_says_what_it_found(cast):
    initiative = make_initiative(cast.authority, cast.emergency)
    person = make_person(cast.authority, "סאמר")
    detail = url(cast, "initiatives:detail", initiative)
    manager, team = signed_in(cast.manager), signed_in(cast.team)
    link = {"action": "link", "kind": "person", "target": person.pk}
    assert "Linked: סאמר" in manager.post(detail, link, **HTMX).content.decode()
    response = team.post(detail, link, **HTMX)
    assert response.status_code == 200 and "It was already linked: סאמר" in response.content.decode()
    with scopes_disabled():
        assert InitiativePerson.objects.filter(initiative=initiative).count() == 1

    # Both remove it from pages that still show it.
    hers = loaded(manager, detail, form_action=detail, having="target", kind="person")
    his = loaded(team, detail, form_action=detail, having="target", kind="person")
    assert hers["action"] == his["action"] == "unlink"
    assert "Removed: סאמר" in manager.post(detail, hers, **HTMX).content.decode()
    response = team.post(detail, his, **HTMX)
    assert response.status_code == 200 and "It was already removed: סאמר" in response.content.decode()
    response = team.post(detail, his)
    assert response.status_code == 302
    assert "It was already removed: סאמר" in team.get(response["Location"]).content.decode()
    with scopes_disabled():
        assert not InitiativePerson.objects.filter(initiative=initiative).exists()


def test_an_unlink_of_another_authoritys_record_is_still_refused(cast):
    initiative = make_initiative(cast.authority, cast.emergency)
    theirs = make_person(cast.other_authority, "של רשות אחרת")
    response = signed_in(cast.manager).post(url(cast, "initiatives:detail", initiative),
                                            {"action": "unlink", "kind": "person", "target": theirs.pk}, **HTMX)
    assert response.status_code == 422 and "not one of this authority&#x27;s records" in response.content.decode()


def test_two_first_write_ups_of_one_practice_do_not_overwrite_each_other(cast):
    initiative = make_initiative(cast.authority, cast.emergency, "ערכות לגנים", phase="share")
    page = url(cast, "initiatives:practice", initiative)
    manager, team = signed_in(cast.manager), signed_in(cast.team)
    draft = {"problem": "ילדים חרדים באזעקות", "what_we_did": "ערכות לגננות"}
    hers = loaded(manager, page, having="problem", what_worked="הגננות שמחו", **draft)
    his = loaded(team, page, having="problem", what_worked="הילדים נרגעו", **draft)
    assert hers["submission"] != his["submission"] and "version" not in hers

    assert team.post(page, his).status_code == 302
    response = manager.post(page, hers)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Saved meanwhile by someone else" in html and "הגננות שמחו" in html and "הילדים נרגעו" in html
    with scopes_disabled():
        assert Practice.objects.get(initiative=initiative).what_worked == "הילדים נרגעו"
    # She merges on the conflict view and saves: now it is hers, on the one write-up.
    again = form_data(html, having="problem", what_worked="הילדים נרגעו, והגננות שמחו")
    assert manager.post(page, again).status_code == 302
    with scopes_disabled():
        assert list(Practice.objects.filter(initiative=initiative).values_list("what_worked", flat=True)) == [
            "הילדים נרגעו, והגננות שמחו"]
