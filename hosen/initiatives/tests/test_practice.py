"""The practice write-up at SHARE: drafted from the notes, saved, marked ready, printable and downloadable."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.initiatives import services
from hosen.initiatives.models import Practice
from hosen.integrity.testing import with_version

from .matrix_initiatives import make_facility, make_initiative, make_need, make_note, make_person

pytestmark = pytest.mark.django_db


def url(cast, name, initiative):
    return reverse(name, kwargs={"authority_slug": cast.authority.slug, "initiative_pk": initiative.pk})


def form_data(**overrides):
    return {"title": "ערכת מדע לגנים", "problem": "ילדים חרדים באזעקות", "what_we_did": "ערכות לגננות",
            "what_worked": "", "watch_for": "", "resources_needed": "", "stage": "4", "tags": "", **overrides}


def practice_of(initiative):
    with scopes_disabled():
        return Practice.objects.filter(initiative=initiative).first()


@pytest.fixture
def shared(cast):
    """An initiative at SHARE with a note in most phases and links to a need, a person and a facility."""
    initiative = make_initiative(cast.authority, cast.emergency, "ערכת מדע במרחב המוגן", phase="share",
                                 summary="לגני הילדים בשכונה המזרחית")
    make_note(initiative, "הגננות מספרות על חרדה", phase="ask")
    make_note(initiative, "ניסויים שקטים", phase="imagine")
    make_note(initiative, "20 ערכות", phase="create")
    make_note(initiative, "הוספנו כרטיסיות באמהרית", phase="test")
    make_note(initiative, "קל לשכפול", phase="share")
    with scopes_disabled():
        services.link(initiative, "need", make_need(cast.authority, cast.emergency, category="space"), cast.manager)
        services.link(initiative, "person", make_person(cast.authority, "שירה גל"), cast.manager)
        services.link(initiative, "facility", make_facility(cast.authority, "גן שקד", protected=True), cast.manager)
    return initiative


def test_the_write_up_waits_for_share(cast, client_for):
    initiative = make_initiative(cast.authority, cast.emergency, phase="test")
    client = client_for(cast.manager)
    page = client.get(url(cast, "initiatives:practice", initiative)).content.decode()
    assert "written up when the initiative reaches SHARE" in page and "<textarea" not in page
    response = client.post(url(cast, "initiatives:practice", initiative), form_data())
    assert response.status_code == 302
    assert practice_of(initiative) is None
    page = client.get(url(cast, "initiatives:practice_print", initiative)).content.decode()
    assert "has not been written up as a practice yet" in page
    assert client.get(url(cast, "initiatives:practice_print", initiative) + "?as=md").status_code == 404


def test_the_draft_is_prefilled_from_the_notes_and_links(cast, client_for, shared):
    page = client_for(cast.team).get(url(cast, "initiatives:practice", shared)).content.decode()
    assert 'value="ערכת מדע במרחב המוגן"' in page
    problem = page[page.index('name="problem"'):page.index("</textarea>", page.index('name="problem"'))]
    assert "לגני הילדים בשכונה המזרחית" in problem and "הגננות מספרות על חרדה" in problem
    did = page[page.index('name="what_we_did"'):page.index("</textarea>", page.index('name="what_we_did"'))]
    assert "Imagine:" in did and "ניסויים שקטים" in did and "Create &amp; build:" in did and "20 ערכות" in did
    assert "Plan:" not in did, "a phase without notes adds no heading"
    worked = page[page.index('name="what_worked"'):page.index("</textarea>", page.index('name="what_worked"'))]
    assert "הוספנו כרטיסיות באמהרית" in worked
    assert "קל לשכפול" in page[page.index('name="watch_for"'):]
    resources = page[page.index('name="resources_needed"'):]
    assert "People: שירה גל" in resources and "Places: גן שקד" in resources
    assert 'value="Space and protection"' in page
    assert "No notes in: Plan." in page


def test_saving_the_write_up_and_marking_it_ready(cast, client_for, shared):
    client = client_for(cast.team)
    response = client.post(url(cast, "initiatives:practice", shared), form_data(
        tags=" גני ילדים ,מרחב מוגן,, גני  ילדים ", ready_for_library="on", stage="X"))
    assert response.status_code == 302
    assert response["Location"] == url(cast, "initiatives:practice_print", shared)
    practice = practice_of(shared)
    assert (practice.title, practice.stage, practice.tags) == ("ערכת מדע לגנים", "X", "גני ילדים, מרחב מוגן")
    assert practice.ready_for_library and practice.published_at is not None
    assert practice.written_by == cast.team and practice.authority == cast.authority
    first_published = practice.published_at

    # Saving again keeps the date it was first marked ready; unmarking clears it.
    response = client.post(url(cast, "initiatives:practice", shared),
                           with_version(practice, form_data(ready_for_library="on", what_worked="הכל")))
    assert response.status_code == 302
    assert practice_of(shared).published_at == first_published
    response = client.post(url(cast, "initiatives:practice", shared), with_version(practice, form_data()))
    assert response.status_code == 302
    practice = practice_of(shared)
    assert not practice.ready_for_library and practice.published_at is None
    with scopes_disabled():
        assert practice.history.count() == 3


@pytest.mark.parametrize("overrides, message", [
    ({"problem": ""}, "This field is required."),
    ({"what_we_did": " "}, "This field is required."),
    ({"stage": "7"}, "Select a valid choice."),
    ({"tags": ", ".join(f"t{n}" for n in range(11))}, "At most 10 tags."),
    ({"title": "x" * 201}, "at most 200 characters"),
])
def test_a_bad_write_up_is_refused_and_saves_nothing(cast, client_for, shared, overrides, message):
    response = client_for(cast.manager).post(url(cast, "initiatives:practice", shared), form_data(**overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert practice_of(shared) is None


def test_the_print_page_and_the_download_read_the_whole_write_up(cast, client_for, shared):
    client = client_for(cast.manager)
    client.post(url(cast, "initiatives:practice", shared), form_data(
        what_worked="הילדים נרגעו", watch_for="לבדוק אלרגיות", resources_needed="20 ערכות", tags="גנים",
        ready_for_library="on"))
    viewer = client_for(cast.viewer)
    page = viewer.get(url(cast, "initiatives:practice_print", shared)).content.decode()
    for text in ("ערכת מדע לגנים", "ילדים חרדים באזעקות", "ערכות לגננות", "הילדים נרגעו", "לבדוק אלרגיות",
                 "20 ערכות", "גנים", "Ready for the network library since", "מלחמה", cast.authority.name):
        assert text in page, text
    assert "dt-print" in page and "Edit the write-up" not in page, "a viewer reads, she does not edit"

    response = viewer.get(url(cast, "initiatives:practice_print", shared) + "?as=md")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert f'filename="practice-{shared.pk}.md"' in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("# ערכת מדע לגנים")
    assert "## The problem\n\nילדים חרדים באזעקות" in text and "## What to watch for\n\nלבדוק אלרגיות" in text
    assert "&quot;" not in text and "&#x27;" not in text
