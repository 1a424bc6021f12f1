import pytest
from django_scopes import scopes_disabled

from hosen.integrity.testing import loaded
from hosen.workmodel import services
from hosen.workmodel.models import Answer, AnswerStatus, ChecklistItem
from hosen.workmodel.progress import progress_for_rounds


def answer(client, cast, number, status, note="", htmx=True, lang="he"):
    """Answer an item as the checklist page does: its form as loaded (with the answer's version), changed."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    item_url = f"/a/{cast.authority.slug}/checklist/{number}/"
    data = loaded(client, item_url, having=f"i{number}-note", **{f"i{number}-status": status, f"i{number}-note": note})
    return client.post(item_url, data, HTTP_ACCEPT_LANGUAGE=lang, **headers)


@pytest.mark.django_db
def test_answering_an_item_in_place(cast, client_for):
    response = answer(client_for(cast.team), cast, 6, "partly", "חסרים נתונים על שני גנים")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<li class="item st-partly') and 'id="item-6"' in body
    assert "חסרים נתונים על שני גנים" in body and "<html" not in body
    with scopes_disabled():
        saved = Answer.objects.get(round=cast.round, item__number=6)
    assert saved.status == AnswerStatus.PARTLY and saved.answered_by == cast.team and not saved.carried_over


@pytest.mark.django_db
def test_a_bad_answer_keeps_the_text_and_changes_nothing(cast, client_for):
    client = client_for(cast.manager)
    answer(client, cast, 6, "done", "ראשון")
    response = answer(client, cast, 6, "maybe", "טקסט שלא יאבד")
    assert response.status_code == 422
    body = response.content.decode()
    assert "טקסט שלא יאבד" in body and "errorlist" in body
    with scopes_disabled():
        saved = Answer.objects.get(round=cast.round, item__number=6)
    assert saved.status == AnswerStatus.DONE and saved.note == "ראשון"


@pytest.mark.django_db
def test_without_javascript_the_form_posts_and_comes_back(cast, client_for):
    response = answer(client_for(cast.manager), cast, 7, "done", htmx=False)
    assert response.status_code == 302 and response["Location"].endswith("#item-7")
    client = client_for(cast.manager)
    item_url = f"/a/{cast.authority.slug}/checklist/7/"
    evil = client.post(item_url, loaded(client, item_url, having="i7-note", **{
        "i7-status": "partly", "next": "https://evil.example.org/"}))
    assert "evil" not in evil["Location"]


@pytest.mark.django_db
def test_a_new_round_carries_answers_over_and_history_shows_changes(cast, client_for):
    client = client_for(cast.manager)
    answer(client, cast, 6, "partly")
    answer(client, cast, 9, "not_yet")
    assert client.post(f"/a/{cast.authority.slug}/rounds/", {"label": "שבוע 2"}).status_code == 302
    with scopes_disabled():
        second = cast.emergency.rounds.get(number=2)
        carried = {a.item.number: a for a in second.answers.select_related("item")}
    assert set(carried) == {6, 9} and all(a.carried_over for a in carried.values())
    assert carried[6].status == AnswerStatus.PARTLY

    answer(client, cast, 6, "done", "הושלם")
    page = client.get(f"/a/{cast.authority.slug}/rounds/2/").content.decode()
    item6, item9 = ChecklistItem.objects.get(number=6), ChecklistItem.objects.get(number=9)
    assert item6.text_en in page and "הושלם" in page
    assert item9.text_en not in page  # unchanged between the rounds
    # The first round is kept as it was.
    with scopes_disabled():
        assert Answer.objects.get(round=cast.round, item=item6).status == AnswerStatus.PARTLY


@pytest.mark.django_db
def test_the_private_item_cannot_be_answered_in_the_checklist(cast, client_for):
    client = client_for(cast.manager)
    assert client.get(f"/a/{cast.authority.slug}/checklist/1/").status_code == 404
    assert client.post(f"/a/{cast.authority.slug}/checklist/1/", {"i1-status": "done", "i1-version": "new"},
                       HTTP_HX_REQUEST="true").status_code == 404


@pytest.mark.django_db
def test_progress_per_stage_worked_by_hand(cast):
    """Stage 2 has items 6–12 (7 items). Done 2, partly 2, not relevant 1:
    (2 + 0.5·2) / (7 − 1) = 3/6 = 50 %. Stage 1 counts items 2–5 only (1 is private)."""
    statuses = {6: "done", 7: "done", 8: "partly", 9: "partly", 10: "not_relevant", 11: "not_yet", 2: "done"}
    with scopes_disabled():
        items = {i.number: i for i in ChecklistItem.objects.all()}
        for number, status in statuses.items():
            Answer.objects.create(authority=cast.authority, round=cast.round, item=items[number], status=status)
        progress = progress_for_rounds([cast.round.pk])[cast.round.pk]
    assert progress["2"].total == 7 and progress["2"].percent == 50
    assert progress["1"].total == 4 and progress["1"].percent == 25
    assert progress["3"].percent == 0 and progress["X"].total == 9


@pytest.mark.django_db
def test_the_wheel_shows_progress_and_links_every_stage(cast, client_for):
    with scopes_disabled():
        services.start_round(cast.emergency, cast.manager)
    answer(client_for(cast.manager), cast, 13, "done")
    body = client_for(cast.viewer).get(f"/a/{cast.authority.slug}/").content.decode()
    for key in ["1", "2", "3", "4", "X"]:
        assert f'href="/a/{cast.authority.slug}/stages/{key}/"' in body
    assert "<svg" in body and "11%" in body  # stage 3: 1 of 9 items done


@pytest.mark.django_db
def test_stage_page_shows_the_model_content(cast, client_for):
    from hosen.workmodel.models import Stage

    body = client_for(cast.viewer).get(f"/a/{cast.authority.slug}/stages/3/", HTTP_ACCEPT_LANGUAGE="he")
    html = body.content.decode()
    stage = Stage.objects.get(key="3")
    assert stage.title_he in html
    for component in stage.components.all():
        assert component.title_he in html
        for action in component.actions.all():
            assert action.text_he in html
    for voice in stage.field_voices.all():
        assert voice.text_he in html
    assert ChecklistItem.objects.get(number=15).text_he in html


@pytest.mark.django_db
def test_the_checklist_loads_the_registers_evidence_after_the_answers(cast, client_for):
    client = client_for(cast.viewer)
    page = client.get(f"/a/{cast.authority.slug}/checklist/").content.decode()
    assert 'id="evidence-5"' in page and "Working with you in Hosen" not in page
    assert f'data-hx-get="/a/{cast.authority.slug}/checklist/evidence/"' in page
    evidence = client.get(f"/a/{cast.authority.slug}/checklist/evidence/").content.decode()
    assert '<div id="evidence-5" data-hx-swap-oob="true">' in evidence
    assert "Working with you in Hosen: 1 team member, 1 decision maker" in evidence
    assert "<html" not in evidence
