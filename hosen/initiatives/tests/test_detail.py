"""One initiative: its stepper, the current phase's guiding questions and notes, moves from its page, its links to
the other registers (only this authority's records), and the new and edit forms."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_scopes import scopes_disabled

from hosen.initiatives import services
from hosen.initiatives.models import Initiative, InitiativeNeed, PhaseNote
from hosen.integrity.testing import with_version
from hosen.plan.models import Measurement
from hosen.plan.tests.matrix_plan import make_kpi
from hosen.workmodel.models import DesignPhase, Emergency

from .matrix_initiatives import make_facility, make_initiative, make_need, make_note, make_person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(cast, name, initiative=None):
    kwargs = {"authority_slug": cast.authority.slug}
    if initiative is not None:
        kwargs["initiative_pk"] = initiative.pk
    return reverse(name, kwargs=kwargs)


def notes_of(initiative):
    with scopes_disabled():
        return list(PhaseNote.objects.filter(initiative=initiative).values_list("phase", "text"))


def linked_need_ids(initiative):
    with scopes_disabled():
        return set(InitiativeNeed.objects.filter(initiative=initiative).values_list("need_id", flat=True))


def test_the_page_shows_the_stepper_and_the_current_phases_guiding_questions(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, phase="plan", summary="ערכות למקלטים")
    html = client_for(cast.viewer).get(url(cast, "initiatives:detail", initiative)).content.decode()
    with scopes_disabled():
        plan = DesignPhase.objects.get(key="plan")
        ask = DesignPhase.objects.get(key="ask")
        plan_questions = [q.text_en for q in plan.questions.all()]
        ask_questions = [q.text_en for q in ask.questions.all()]
    assert plan_questions and all(escape(q) in html for q in plan_questions)
    assert not any(escape(q) in html for q in ask_questions), "only the current phase's questions"
    assert html.count('class="dt-step dt-step-done"') == 2
    assert 'class="dt-step dt-step-current" aria-current="step"' in html
    assert html.count('class="dt-step dt-step-todo"') == 3
    assert "ערכות למקלטים" in html
    # A viewer reads; she gets no forms.
    assert 'name="action"' not in html


def test_a_note_is_added_in_place_in_the_current_phase(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, phase="imagine")
    response = client_for(cast.team).post(url(cast, "initiatives:detail", initiative),
                                          {"action": "note", "text": "  מדריך אחד, 12 ילדים  "}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section id="notes"') and "<html" not in html
    assert "מדריך אחד, 12 ילדים" in html and "Your note is kept" in html
    assert notes_of(initiative) == [("imagine", "מדריך אחד, 12 ילדים")]
    with scopes_disabled():
        note = PhaseNote.objects.get(initiative=initiative)
    assert note.created_by == cast.team and note.authority == cast.authority


def test_an_empty_note_is_refused_with_a_message(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency)
    client = client_for(cast.team)
    response = client.post(url(cast, "initiatives:detail", initiative), {"action": "note", "text": "   "}, **HTMX)
    assert response.status_code == 422 and "Write the note first." in response.content.decode()
    response = client.post(url(cast, "initiatives:detail", initiative), {"action": "note", "text": "x" * 4001})
    assert response.status_code == 422 and "at most 4000 characters" in response.content.decode()
    assert notes_of(initiative) == []


def test_a_plain_note_form_comes_back_to_the_page(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency)
    response = client_for(cast.manager).post(url(cast, "initiatives:detail", initiative), {"text": "מה המצב?"})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    assert notes_of(initiative) == [("ask", "מה המצב?")]


def test_earlier_phases_notes_are_kept_and_shown_folded(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, phase="plan")
    make_note(initiative, "הערת שאילה", phase="ask")
    make_note(initiative, "הערת תכנון", phase="plan")
    html = client_for(cast.viewer).get(url(cast, "initiatives:detail", initiative)).content.decode()
    now = html[html.index('<section id="notes"'):html.index("</section>", html.index('<section id="notes"'))]
    assert "הערת תכנון" in now and "הערת שאילה" not in now
    folded = html[html.index('<details class="card dt-past">'):]
    assert "הערת שאילה" in folded[:folded.index("</details>")]


def test_moving_from_the_page_warns_before_share_and_after(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, phase="test")
    make_note(initiative, "נבדק", phase="test")
    client = client_for(cast.manager)
    page = client.get(url(cast, "initiatives:detail", initiative)).content.decode()
    assert "No notes yet in: Ask, Imagine, Plan, Create &amp; build" in page
    response = client.post(url(cast, "initiatives:detail", initiative),
                           with_version(initiative, action="move", direction="next", expected="test"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "These phases have no notes yet: Ask, Imagine, Plan, Create &amp; build" in page
    assert "Write up the practice" in page
    with scopes_disabled():
        assert Initiative.objects.get(pk=initiative.pk).phase == "share"


def test_linking_and_unlinking_this_authoritys_records(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency)
    need = make_need(cast.authority, cast.emergency, "מרחב מוגן לחוג", category="space", status="in_progress")
    person = make_person(cast.authority, "סאמר")
    facility = make_facility(cast.authority, "מקלט 7", protected=True)
    kpi = make_kpi(cast.authority, cast.emergency, name="ילדים בפעילות", target=Decimal(50))
    with scopes_disabled():
        Measurement.objects.create(authority=cast.authority, kpi=kpi, value=Decimal(12),
                                   measured_for=timezone.localdate() - timedelta(days=3))
        Measurement.objects.create(authority=cast.authority, kpi=kpi, value=Decimal(31),
                                   measured_for=timezone.localdate())
    client = client_for(cast.team)
    here = url(cast, "initiatives:detail", initiative)
    for kind, target in [("need", need), ("person", person), ("facility", facility), ("kpi", kpi)]:
        response = client.post(here, {"action": "link", "kind": kind, "target": target.pk}, **HTMX)
        assert response.status_code == 200, kind
        assert response.content.decode().startswith('<section id="links"')
    html = client.get(here).content.decode()
    links = html[html.index('<section id="links"'):]
    assert "מרחב מוגן לחוג" in links and "In progress" in links and "Space and protection" in links
    assert "סאמר" in links and "מקלט 7" in links and "protected space" in links
    assert "ילדים בפעילות" in links and "31" in links and "≥ 50" in links
    with scopes_disabled():
        assert list(initiative.people.all()) == [person]
        link = InitiativeNeed.objects.get(initiative=initiative)
        assert link.linked_by == cast.team and link.history.count() == 1

    response = client.post(here, {"action": "unlink", "kind": "need", "target": need.pk})
    assert response.status_code == 302 and response["Location"].endswith("#links")
    assert linked_need_ids(initiative) == set()
    with scopes_disabled():
        removed = InitiativeNeed.history.filter(need_id=need.pk).order_by("history_date")
        assert [h.history_type for h in removed] == ["+", "-"]
        assert removed.last().history_user == cast.team


def test_another_authoritys_records_cannot_be_linked(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency)
    with scopes_disabled():
        their_emergency = Emergency.objects.get(authority=cast.other_authority)
    their_need = make_need(cast.other_authority, their_emergency, "צורך של רשות אחרת")
    their_person = make_person(cast.other_authority, "אדם של רשות אחרת")
    their_facility = make_facility(cast.other_authority, "מתקן של רשות אחרת")
    their_kpi = make_kpi(cast.other_authority, their_emergency, name="מדד של רשות אחרת")
    client = client_for(cast.manager)
    here = url(cast, "initiatives:detail", initiative)
    for kind, target in [("need", their_need), ("person", their_person), ("facility", their_facility),
                         ("kpi", their_kpi)]:
        response = client.post(here, {"action": "link", "kind": kind, "target": target.pk}, **HTMX)
        assert response.status_code == 422, kind
        assert "not one of this authority&#x27;s records" in response.content.decode()
        response = client.post(here, {"action": "link", "kind": kind, "target": target.pk})
        assert response.status_code == 422 and "not one of this authority&#x27;s records" in response.content.decode()
    with scopes_disabled():
        initiative = Initiative.objects.get(pk=initiative.pk)
        assert not initiative.needs.exists() and not initiative.people.exists()
        assert not initiative.facilities.exists() and not initiative.kpis.exists()
    # Their records are never offered either.
    html = client.get(here).content.decode()
    assert "של רשות אחרת" not in html


@pytest.mark.parametrize("data", [
    {"action": "link", "kind": "budget", "target": "1"},
    {"action": "link", "kind": "need", "target": ""},
    {"action": "link", "kind": "need", "target": "abc"},
    {"action": "unlink", "kind": "need", "target": "999999"},
])
def test_bad_link_posts_change_nothing(cast, client_for, data):
    initiative = make_initiative(cast.authority, cast.emergency)
    response = client_for(cast.manager).post(url(cast, "initiatives:detail", initiative), data, **HTMX)
    assert response.status_code == 422
    assert linked_need_ids(initiative) == set()


def test_a_need_of_another_emergency_is_not_offered(cast, client_for):
    from hosen.workmodel import services as workmodel_services

    initiative = make_initiative(cast.authority, cast.emergency)
    current = make_need(cast.authority, cast.emergency, "צורך באירוע הזה")
    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "")
        later = workmodel_services.open_emergency(cast.authority, cast.manager, name="אירוע שני", kind="war",
                                                  started_on="2026-12-01", severity=2)
    elsewhere = make_need(cast.authority, later, "צורך באירוע אחר")
    client = client_for(cast.manager)
    here = url(cast, "initiatives:detail", initiative)
    html = client.get(here).content.decode()
    assert "צורך באירוע הזה" in html and "צורך באירוע אחר" not in html
    response = client.post(here, {"action": "link", "kind": "need", "target": elsewhere.pk}, **HTMX)
    assert response.status_code == 422
    assert client.post(here, {"action": "link", "kind": "need", "target": current.pk}, **HTMX).status_code == 200
    assert linked_need_ids(initiative) == {current.pk}


def test_a_new_initiative_starts_in_ask_in_the_current_emergency(cast, client_for):
    client = client_for(cast.team)
    response = client.post(url(cast, "initiatives:new"), {"title": "חוג מדע במלון", "owner": "דנה", "summary": ""})
    assert response.status_code == 302
    with scopes_disabled():
        initiative = Initiative.objects.get(title="חוג מדע במלון")
    assert response["Location"] == url(cast, "initiatives:detail", initiative)
    assert (initiative.phase, initiative.emergency, initiative.created_by, initiative.authority) == (
        "ask", cast.emergency, cast.team, cast.authority)


def test_a_new_initiative_needs_a_title(cast, client_for):
    response = client_for(cast.team).post(url(cast, "initiatives:new"), {"title": "  ", "owner": "דנה"})
    assert response.status_code == 422 and "This field is required." in response.content.decode()
    with scopes_disabled():
        assert not Initiative.objects.exists()


def test_starting_an_initiative_from_a_need_links_it(cast, client_for):
    need = make_need(cast.authority, cast.emergency, "ליווי רגשי לגננות", category="emotional", emerging=True)
    client = client_for(cast.manager)
    page = client.get(url(cast, "initiatives:new") + f"?need={need.pk}").content.decode()
    assert "Starting from the need" in page and "ליווי רגשי לגננות" in page
    assert f'name="need" value="{need.pk}"' in page
    response = client.post(url(cast, "initiatives:new"), {"title": "מעגלי שיח לגננות", "need": need.pk})
    assert response.status_code == 302
    with scopes_disabled():
        initiative = Initiative.objects.get(title="מעגלי שיח לגננות")
    assert linked_need_ids(initiative) == {need.pk}


def test_a_forged_need_on_the_new_form_is_an_error_and_nothing_is_saved(cast, client_for):
    with scopes_disabled():
        their_emergency = Emergency.objects.get(authority=cast.other_authority)
    theirs = make_need(cast.other_authority, their_emergency, "צורך של רשות אחרת")
    client = client_for(cast.manager)
    page = client.get(url(cast, "initiatives:new") + f"?need={theirs.pk}").content.decode()
    assert "צורך של רשות אחרת" not in page and "Starting from the need" not in page
    response = client.post(url(cast, "initiatives:new"), {"title": "מזויף", "need": theirs.pk})
    assert response.status_code == 422
    assert "That need is not on this authority&#x27;s register." in response.content.decode()
    with scopes_disabled():
        assert not Initiative.objects.filter(title="מזויף").exists()


def test_without_an_open_emergency_a_new_initiative_is_not_tied_to_one(cast, client_for):
    from hosen.workmodel import services as workmodel_services

    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "")
    client = client_for(cast.manager)
    assert "There is no open emergency right now" in client.get(url(cast, "initiatives:new")).content.decode()
    client.post(url(cast, "initiatives:new"), {"title": "בשגרה"})
    with scopes_disabled():
        initiative = Initiative.objects.get(title="בשגרה")
    assert initiative.emergency is None
    html = client.get(url(cast, "initiatives:detail", initiative)).content.decode()
    assert "Needs belong to an emergency, and this initiative is not tied to one." in html


def test_editing_keeps_the_phase_and_records_the_change(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, "שם ישן", phase="create")
    client = client_for(cast.team)
    response = client.post(url(cast, "initiatives:edit", initiative), with_version(initiative, {
        "title": "שם חדש", "owner": "טל", "summary": "תקציר", "phase": "share"}))
    assert response.status_code == 302
    with scopes_disabled():
        initiative = Initiative.objects.get(pk=initiative.pk)
        assert (initiative.title, initiative.owner, initiative.summary, initiative.phase) == (
            "שם חדש", "טל", "תקציר", "create")
        assert initiative.history.first().history_user == cast.team


def test_another_authoritys_initiative_is_not_found(cast, client_for):
    theirs = make_initiative(cast.other_authority, None, "שלהם")
    client = client_for(cast.manager)
    for name in ("initiatives:detail", "initiatives:edit", "initiatives:practice", "initiatives:practice_print"):
        assert client.get(url(cast, name, theirs)).status_code == 404, name
    assert client.post(url(cast, "initiatives:detail", theirs), {"text": "x"}).status_code == 404
    assert notes_of(theirs) == []


def test_services_link_is_idempotent(cast):
    initiative = make_initiative(cast.authority, cast.emergency)
    person = make_person(cast.authority)
    with scopes_disabled():
        assert services.link(initiative, "person", person, cast.manager) is True
        assert services.link(initiative, "person", person, cast.manager) is False
        assert initiative.people.count() == 1
