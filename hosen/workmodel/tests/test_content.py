import json

import pytest
from django_scopes import scopes_disabled

from hosen.workmodel import content
from hosen.workmodel.models import (
    Answer,
    AnswerStatus,
    ChecklistItem,
    Component,
    ContentVersion,
    DesignPhase,
    Principle,
    Stage,
)


@pytest.mark.django_db
def test_the_model_is_loaded_whole_in_three_languages(model_content):
    assert list(Stage.objects.values_list("key", flat=True)) == ["1", "2", "3", "4", "X"]
    assert Component.objects.count() == 16
    assert Principle.objects.count() == 7
    assert list(DesignPhase.objects.values_list("key", flat=True)) == ["ask", "imagine", "plan", "create", "test",
                                                                      "share"]
    items = list(ChecklistItem.objects.select_related("component"))
    assert [i.number for i in items] == list(range(1, 42))
    assert [i.number for i in items if i.kind == ChecklistItem.REFLECTION] == [1]
    for item in items:
        assert item.text_he and item.text_ar and item.text_en
    assert ChecklistItem.objects.get(number=6).component.key == "2a"
    assert ChecklistItem.objects.get(number=41).component.key == "Xd"


@pytest.mark.django_db
def test_hebrew_checklist_is_the_seed_wording(model_content):
    assert ChecklistItem.objects.get(number=1).text_he == "מה הן התחושות שעולות אצלי?"
    assert ChecklistItem.objects.get(number=15).text_he == "האם איתרתי מתנדבים ופעילים בקהילה?"
    assert ChecklistItem.objects.get(number=31).text_he == "האם התאמתי מבנים ומתקנים לצרכים החדשים?"


@pytest.mark.django_db
def test_loading_twice_changes_nothing(model_content):
    before = {i.pk: i.text_he for i in ChecklistItem.objects.all()}
    written, _version = content.load()
    assert written is False
    assert {i.pk: i.text_he for i in ChecklistItem.objects.all()} == before


@pytest.mark.django_db
def test_editing_and_reloading_content_keeps_answers(cast, tmp_path, admin_client):
    with scopes_disabled():
        item = ChecklistItem.objects.get(number=6)
        Answer.objects.create(authority=cast.authority, round=cast.round, item=item, status=AnswerStatus.DONE,
                              note="מופה")
    # A network admin edits the text in the admin; the answer stays, the edit counter moves.
    response = admin_client.post(f"/admin/workmodel/checklistitem/{item.pk}/change/", {
        "component": item.component_id, "text_he": "נוסח חדש", "text_ar": item.text_ar, "text_en": item.text_en,
    })
    assert response.status_code == 302
    assert ContentVersion.current().edits == 1
    # Re-loading the same version keeps the admin's edit.
    content.load()
    assert ChecklistItem.objects.get(number=6).text_he == "נוסח חדש"
    # A newer version of the file updates the text in place; the answer still points at item 6.
    data = json.loads(content.CONTENT_FILE.read_text(encoding="utf-8"))
    data["version"] += 1
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    written, version = content.load(path)
    assert written and version == data["version"]
    assert ChecklistItem.objects.get(number=6).text_he != "נוסח חדש"
    with scopes_disabled():
        answer = Answer.objects.get()
    assert answer.item_id == item.pk and answer.note == "מופה" and answer.status == AnswerStatus.DONE


@pytest.mark.django_db
def test_a_network_admin_in_the_editors_group_edits_texts_and_nothing_else(cast, client_for):
    from hosen.accounts.two_step import enrol_totp
    from hosen.workmodel.content import content_editors_group

    cast.network_admin.is_staff = True
    cast.network_admin.save()
    cast.network_admin.groups.add(content_editors_group())
    enrol_totp(cast.network_admin, "JBSWY3DPEHPK3PXP")  # the admin site requires two-step sign-in
    client = client_for(cast.network_admin)
    item = ChecklistItem.objects.get(number=2)
    assert client.get(f"/admin/workmodel/checklistitem/{item.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/workmodel/emergency/").status_code == 404
    assert client.get("/admin/workmodel/checkin/").status_code == 404
