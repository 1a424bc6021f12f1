"""The work plan: pages, the decision rules, continuity at a glance, filters, export and the evidence."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from hosen.integrity.testing import loaded
from hosen.plan import services
from hosen.plan.forms import DecisionForm
from hosen.plan.models import Activity, ActivityDecision
from hosen.workmodel.evidence import EvidenceContext, evidence_for

from .matrix_plan import make_activity

pytestmark = pytest.mark.django_db


def url(cast, name, **kwargs):
    return reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


def decide(cast, activity, decision, ways=(), reason="", how=""):
    with scope(authority=cast.authority):
        return services.decide(activity, cast.emergency, decision=decision, ways=list(ways), how=how, reason=reason,
                               user=cast.manager)


def decisions_of(activity):
    with scopes_disabled():
        return list(ActivityDecision.objects.filter(activity=activity).order_by("pk"))


def current_version(activity):
    """The version of the activity's current decision, as the page that shows it carries ("new" before the first)."""
    with scopes_disabled():
        return DecisionForm.version_for(ActivityDecision.objects.filter(activity=activity, is_current=True).first())


def post_decision(client, cast, activity, htmx=False, target=None, version=None, **fields):
    """A decision sent from a page showing the current decision (or, with `version`, an older page)."""
    data = {"activity": activity.pk, "version": version or current_version(activity), **fields}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(target or url(cast, "plan:activities"), data, **headers)


# ---- decisions ---------------------------------------------------------------------------------


def test_a_decision_other_than_continue_needs_a_reason_and_nothing_is_saved_without_it(cast, client_for):
    activity = make_activity(cast.authority, "מועדון מתמטיקה")
    client = client_for(cast.team)
    for decision in ("pause", "stop"):
        response = post_decision(client, cast, activity, htmx=True, decision=decision, reason="   ")
        assert response.status_code == 422
        assert "it is required to adapt, pause or stop" in response.content.decode()
    response = post_decision(client, cast, activity, htmx=True, decision="adapt", ways=["online"])
    assert response.status_code == 422
    assert decisions_of(activity) == []

    response = post_decision(client, cast, activity, htmx=True, decision="continue")
    assert response.status_code == 200
    assert "Decision saved" in response.content.decode()
    assert [d.decision for d in decisions_of(activity)] == ["continue"]


def test_adapting_needs_a_way_and_other_needs_a_how(cast, client_for):
    activity = make_activity(cast.authority)
    client = client_for(cast.manager)
    response = post_decision(client, cast, activity, htmx=True, decision="adapt", reason="בית הספר סגור")
    assert response.status_code == 422
    assert "Choose at least one way" in response.content.decode()
    response = post_decision(client, cast, activity, htmx=True, decision="adapt", reason="סגור", ways=["other"])
    assert response.status_code == 422
    assert decisions_of(activity) == []
    response = post_decision(client, cast, activity, htmx=True, decision="adapt", reason="סגור",
                             ways=["smaller_groups", "online"], how="בזום")
    assert response.status_code == 200
    (saved,) = decisions_of(activity)
    assert saved.ways == ["online", "smaller_groups"]  # in the list's order, whatever the order sent
    assert saved.how == "בזום" and saved.reason == "סגור" and saved.decided_by == cast.manager


def test_ways_are_dropped_unless_the_activity_adapts(cast, client_for):
    activity = make_activity(cast.authority)
    post_decision(client_for(cast.team), cast, activity, decision="pause", reason="מילואים", ways=["online"], how="x")
    (saved,) = decisions_of(activity)
    assert saved.decision == "pause" and saved.ways == [] and saved.how == ""


def test_an_unknown_decision_is_refused(cast, client_for):
    activity = make_activity(cast.authority)
    response = post_decision(client_for(cast.team), cast, activity, htmx=True, decision="cancel", reason="x")
    assert response.status_code == 422
    assert decisions_of(activity) == []


def test_a_new_decision_replaces_the_current_one_and_keeps_the_history(cast, client_for):
    activity = make_activity(cast.authority, "יריד מדע")
    decide(cast, activity, "pause", reason="אין התקהלויות")
    decide(cast, activity, "adapt", ways=["online"], reason="עובר לזום")
    assert decide(cast, activity, "adapt", ways=["online"], reason="עובר לזום") is None  # nothing new to record
    rows = decisions_of(activity)
    assert [(d.decision, d.is_current) for d in rows] == [("pause", False), ("adapt", True)]

    page = client_for(cast.viewer).get(url(cast, "plan:activity", activity_pk=activity.pk)).content.decode()
    assert "אין התקהלויות" in page and "עובר לזום" in page
    # The audit history has the creation of both and the moment the first stopped being current.
    with scopes_disabled():
        assert rows[0].history.count() == 2


def test_a_plain_post_redirects_back_to_the_card_and_a_plain_error_shows_the_form(cast, client_for):
    activity = make_activity(cast.authority)
    client = client_for(cast.team)
    response = post_decision(client, cast, activity, decision="continue")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#activity-{activity.pk}")
    response = post_decision(client, cast, activity, decision="stop", reason="")
    assert response.status_code == 422
    assert "it is required to adapt, pause or stop" in response.content.decode()
    assert [d.decision for d in decisions_of(activity)] == ["continue"]


def test_decisions_from_the_activity_page(cast, client_for):
    activity = make_activity(cast.authority)
    response = post_decision(client_for(cast.team), cast, activity, decision="stop", reason="המימון נגמר",
                             target=url(cast, "plan:activity", activity_pk=activity.pk))
    assert response.status_code == 302
    assert decisions_of(activity)[0].decision == "stop"


def test_no_decision_without_an_open_emergency(cast, client_for):
    from hosen.workmodel.services import close_emergency

    activity = make_activity(cast.authority)
    with scopes_disabled():
        close_emergency(cast.emergency, "לקחים")
    client = client_for(cast.manager)
    response = post_decision(client, cast, activity, htmx=True, decision="continue")
    assert response.status_code == 422
    assert decisions_of(activity) == []
    page = client.get(url(cast, "plan:activities")).content.decode()
    assert "There is no open emergency now" in page
    assert "Decide" not in page


def test_another_authoritys_activity_is_not_found(cast, client_for):
    theirs = make_activity(cast.other_authority, "שלהם")
    client = client_for(cast.manager)
    assert client.get(url(cast, "plan:activity", activity_pk=theirs.pk)).status_code == 404
    assert client.get(url(cast, "plan:activity_edit", activity_pk=theirs.pk)).status_code == 404
    assert post_decision(client, cast, theirs, decision="continue").status_code == 404
    assert decisions_of(theirs) == []


def test_a_viewer_sees_the_plan_without_decision_forms(cast, client_for):
    make_activity(cast.authority, "קורס תכנות")
    page = client_for(cast.viewer).get(url(cast, "plan:activities")).content.decode()
    assert "קורס תכנות" in page
    assert "Save the decision" not in page


# ---- continuity at a glance ---------------------------------------------------------------------


def test_continuity_counts_match_a_hand_count(cast, client_for):
    # Essential: 2 continue/adapt, 1 paused, 1 stopped, 2 undecided; not essential: 1 paused, 1 continue.
    # One essential archived activity (stopped) is not part of the plan any more.
    essential = [make_activity(cast.authority, f"חיונית {n}", essential=True) for n in range(6)]
    others = [make_activity(cast.authority, f"רגילה {n}") for n in range(2)]
    archived = make_activity(cast.authority, "בארכיון", essential=True, is_active=False)
    decide(cast, essential[0], "continue")
    decide(cast, essential[1], "adapt", ways=["protected_space"], reason="מקלט")
    decide(cast, essential[2], "pause", reason="סגור")
    decide(cast, essential[3], "stop", reason="בוטל")
    decide(cast, others[0], "pause", reason="סגור")
    decide(cast, others[1], "continue")
    decide(cast, archived, "stop", reason="בוטל")
    born = make_activity(cast.authority, "מענה חדש", audience="parents", born_in=cast.emergency)

    with scopes_disabled():
        counts = services.continuity(Activity.objects.filter(authority=cast.authority, is_active=True), cast.emergency)
    assert {k: counts[k] for k in ("essential", "running", "adapted", "paused", "stopped", "undecided")} == {
        "essential": 6, "running": 2, "adapted": 1, "paused": 1, "stopped": 1, "undecided": 2}
    assert counts["total"] == 9 and counts["all_running"] == 3 and counts["all_paused"] == 2
    assert counts["all_undecided"] == 3 and counts["born"] == 1  # the new response has no decision yet
    bar = services.glance_bar(counts)
    assert [(s["key"], s["n"]) for s in bar] == [("running", 2), ("paused", 1), ("stopped", 1), ("undecided", 2)]
    assert sum(s["w"] for s in bar) == pytest.approx(100, abs=0.05)
    assert bar[1]["x"] == pytest.approx(33.33, abs=0.01)

    page = client_for(cast.viewer).get(url(cast, "plan:activities")).content.decode()
    assert "<b>2</b> of 6 essential activities are running" in page
    assert born.name in page


def test_filters(cast, client_for):
    a = make_activity(cast.authority, "אלף חיונית", essential=True, audience="teachers", kind="course")
    b = make_activity(cast.authority, "בית מושהית", audience="parents")
    make_activity(cast.authority, "גימל ללא החלטה", kind="event")
    make_activity(cast.authority, "דלת בארכיון", is_active=False)
    decide(cast, a, "adapt", ways=["online"], reason="r")
    decide(cast, b, "pause", reason="r")
    client = client_for(cast.team)

    def names(query):
        page = client.get(url(cast, "plan:activities") + query).content.decode()
        return {n for n in ("אלף חיונית", "בית מושהית", "גימל ללא החלטה", "דלת בארכיון") if n in page}

    assert names("") == {"אלף חיונית", "בית מושהית", "גימל ללא החלטה"}
    assert names("?decision=pause") == {"בית מושהית"}
    assert names("?decision=running") == {"אלף חיונית"}
    assert names("?decision=undecided") == {"גימל ללא החלטה"}
    assert names("?essential=1") == {"אלף חיונית"}
    assert names("?essential=0&audience=parents") == {"בית מושהית"}
    assert names("?kind=event") == {"גימל ללא החלטה"}
    assert names("?archived=1") == {"דלת בארכיון"}
    assert names("?decision=nonsense&kind=") == {"אלף חיונית", "בית מושהית", "גימל ללא החלטה"}


# ---- the forms ---------------------------------------------------------------------------------


def test_new_activity_born_in_the_emergency(cast, client_for):
    client = client_for(cast.team)
    page = client.get(url(cast, "plan:activity_new")).content.decode()
    assert "A new response born in this emergency" in page
    response = client.post(url(cast, "plan:activity_new"), {
        "name": "קו חם להורים", "kind": "programme", "audience": "parents", "born": "on", "is_stem": "on",
        "starts_on": "2026-10-08"})
    assert response.status_code == 302
    with scopes_disabled():
        activity = Activity.objects.get(name="קו חם להורים")
    assert activity.born_in == cast.emergency and activity.starts_on == date(2026, 10, 8)
    assert activity.history.first().history_user == cast.team


def test_activity_form_errors_change_nothing(cast, client_for):
    from hosen.resources.models import Facility

    with scopes_disabled():
        theirs = Facility.objects.create(authority=cast.other_authority, name="מקלט שלהם", kind="shelter")
    client = client_for(cast.team)
    response = client.post(url(cast, "plan:activity_new"), {
        "name": "", "kind": "nope", "audience": "students", "starts_on": "2026-10-10", "ends_on": "2026-10-01",
        "facility": theirs.pk})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert "The end date cannot be before the start date." in body
    form = response.context["form"]
    assert {"name", "kind", "ends_on", "facility"} <= set(form.errors)
    with scopes_disabled():
        assert not Activity.objects.exists()


def test_edit_an_activity_and_archive_it(cast, client_for):
    from hosen.resources.models import Facility

    with scopes_disabled():
        shelter = Facility.objects.create(authority=cast.authority, name="מקלט 3", kind="shelter", is_protected=True)
    activity = make_activity(cast.authority, "רובוטיקה")
    client = client_for(cast.manager)
    edit = url(cast, "plan:activity_edit", activity_pk=activity.pk)
    response = client.post(edit, loaded(client, edit, having="name", name="רובוטיקה במקלט", facility=shelter.pk,
                                        is_essential="on", is_active=None))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.name == "רובוטיקה במקלט" and activity.facility == shelter and activity.is_essential
    assert not activity.is_active  # the "active in the plan" box was left unticked


# ---- export ------------------------------------------------------------------------------------


def test_export_csv_follows_the_filters_and_carries_the_decision(cast, client_for):
    a = make_activity(cast.authority, "=HYPERLINK(bad)", essential=True)
    make_activity(cast.authority, "לא חיונית")
    decide(cast, a, "adapt", ways=["online", "protected_space"], reason="סגור")
    response = client_for(cast.viewer).get(url(cast, "plan:activity_export", fmt="csv") + "?essential=1")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "#meta+id"
    assert len(rows) == 3
    assert rows[2][1] == "'=HYPERLINK(bad)"
    assert "Online, In a protected space" in rows[2]
    assert client_for(cast.viewer).get(url(cast, "plan:activity_export", fmt="pdf")).status_code == 404


def test_export_xlsx(cast, client_for):
    make_activity(cast.authority)
    response = client_for(cast.viewer).get(url(cast, "plan:activity_export", fmt="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# ---- evidence ----------------------------------------------------------------------------------


def test_evidence_for_items_26_27_28_30_31_41(cast):
    from hosen.resources.models import Facility

    with scopes_disabled():
        shelter = Facility.objects.create(authority=cast.authority, name="מקלט", kind="shelter", is_protected=True)
    running_in_shelter = make_activity(cast.authority, "במקלט", essential=True, facility=shelter)
    adapted_protected = make_activity(cast.authority, "מותאמת למקלט", essential=True)
    moved = make_activity(cast.authority, "עברה מקום")
    paused = make_activity(cast.authority, "מושהית", essential=True)
    stopped_in_shelter = make_activity(cast.authority, "נעצרה במקלט", facility=shelter)
    make_activity(cast.authority, "ללא החלטה", essential=True)
    make_activity(cast.authority, "להורים", audience="parents", born_in=cast.emergency)
    make_activity(cast.authority, "לקהילה", audience="community", born_in=cast.emergency)
    make_activity(cast.authority, "לתלמידים", audience="students", born_in=cast.emergency)
    decide(cast, running_in_shelter, "continue")
    decide(cast, adapted_protected, "adapt", ways=["protected_space", "smaller_groups"], reason="r")
    decide(cast, moved, "adapt", ways=["other_place"], reason="r")
    decide(cast, paused, "pause", reason="r")
    decide(cast, stopped_in_shelter, "stop", reason="r")

    with scope(authority=cast.authority):
        found = evidence_for(EvidenceContext(cast.authority, cast.emergency, cast.round), [26, 27, 28, 30, 31, 41])
    assert found[26].text.startswith("2 new activities for parents and the community")
    assert found[27].text.startswith("2 activities of the plan adapted")
    assert found[28].text == "2 of 4 essential activities continue or adapt (1 not decided yet)"
    # In a shelter and running: the one whose facility is protected, and the one adapted into one.
    assert found[30].text.startswith("2 running activities are held in protected spaces, 2 of them essential")
    assert found[31].text == "1 activity moved to another place, 1 into a protected space"
    # 9 activities, 2 paused or stopped: 7 of 9 go on.
    assert found[41].text.startswith("78% of the plan's activities are not paused or stopped (7 of 9)")
    assert found[28].url.endswith("/plan/?essential=1")


def test_the_plan_and_kpis_are_registers_of_stage_4(cast, client_for):
    page = client_for(cast.viewer).get(reverse("workmodel:stage", kwargs={"authority_slug": cast.authority.slug,
                                                                          "key": "4"})).content.decode()
    assert url(cast, "plan:activities") in page and url(cast, "plan:kpis") in page



def test_the_decision_form_opens_in_the_card_on_demand(cast, client_for):
    activity = make_activity(cast.authority, "מועדון")
    client = client_for(cast.team)
    page = client.get(url(cast, "plan:activities")).content.decode()
    assert "Save the decision" not in page  # the list stays light: each card opens its form when asked
    assert f'data-hx-get="{url(cast, "plan:activity", activity_pk=activity.pk)}?card=form' in page
    detail = url(cast, "plan:activity", activity_pk=activity.pk)
    card = client.get(detail + "?card=form&next=/a/alpha/plan/%3Fessential%3D1", HTTP_HX_REQUEST="true")
    body = card.content.decode()
    assert body.startswith("\n<li") or body.lstrip().startswith("<li")
    assert "Save the decision" in body and 'value="/a/alpha/plan/?essential=1"' in body
    assert "Save the decision" not in client.get(detail + "?card=view", HTTP_HX_REQUEST="true").content.decode()
    # A viewer asking for the form gets the card without it.
    viewer = client_for(cast.viewer).get(detail + "?card=form", HTTP_HX_REQUEST="true").content.decode()
    assert "Save the decision" not in viewer
    # Without htmx the same address is the activity's page, with the form.
    assert "Decision history" in client_for(cast.team).get(detail + "?card=form").content.decode()


# ---- two people, one activity ------------------------------------------------------------------


def card_form(client, cast, activity):
    """The decision form as the plan's card opens it (htmx), as a browser would send it."""
    from hosen.integrity.testing import form_data

    detail = url(cast, "plan:activity", activity_pk=activity.pk)
    card = client.get(detail + "?card=form&next=/a/alpha/plan/", HTTP_HX_REQUEST="true")
    assert card.status_code == 200
    return form_data(card.content.decode(), having="reason")


def test_two_first_decisions_at_once_the_second_sees_the_first(cast, client_for):
    from django.test import Client

    activity = make_activity(cast.authority, "מועדון מדע")
    team, manager = Client(), Client()
    team.force_login(cast.team)
    manager.force_login(cast.manager)
    his, hers = card_form(team, cast, activity), card_form(manager, cast, activity)
    assert "version" not in hers and hers["submission"], "no decision yet: the form is a first one"

    assert team.post(url(cast, "plan:activities"), {**his, "decision": "pause", "reason": "אין הסעות"},
                     HTTP_HX_REQUEST="true").status_code == 200
    response = manager.post(url(cast, "plan:activities"), {**hers, "decision": "stop", "reason": "המימון נגמר"},
                            HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    body = response.content.decode()
    assert "Saved meanwhile by someone else" in body and "<bdi>team</bdi> saved a change" in body
    assert "המימון נגמר" in body and "אין הסעות" in body  # hers in the form and the table, his in the table
    assert [(d.decision, d.reason) for d in decisions_of(activity)] == [("pause", "אין הסעות")]

    # From the conflict card, sent again: now it is her decision, and his stays in the history.
    from hosen.integrity.testing import form_data

    again = form_data(body, having="reason")
    assert manager.post(url(cast, "plan:activities"), again, HTTP_HX_REQUEST="true").status_code == 200
    assert [(d.decision, d.is_current) for d in decisions_of(activity)] == [("pause", False), ("stop", True)]


def test_the_same_decision_from_a_stale_page_is_no_change_and_a_double_tap_decides_once(cast, client_for):
    activity = make_activity(cast.authority)
    client = client_for(cast.manager)
    form = card_form(client, cast, activity)
    sent = {**form, "decision": "adapt", "ways": ["online"], "reason": "עובר לזום"}
    first, second = (client.post(url(cast, "plan:activities"), sent, HTTP_HX_REQUEST="true") for _ in range(2))
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content  # the first answer, again
    assert len(decisions_of(activity)) == 1

    # A colleague's page, loaded before, asks for exactly what is decided now: nothing to refuse, nothing to add.
    response = post_decision(client_for(cast.team), cast, activity, htmx=True, version="new", decision="adapt",
                             ways=["online"], reason="עובר לזום")
    assert response.status_code == 200
    assert "Nothing changed: this is already the decision." in response.content.decode()
    assert len(decisions_of(activity)) == 1


def test_a_stale_edit_shows_only_what_differs(cast, client_for):
    from django.test import Client

    activity = make_activity(cast.authority, "רובוטיקה", notes="")
    edit = url(cast, "plan:activity_edit", activity_pk=activity.pk)
    team, manager = Client(), Client()
    team.force_login(cast.team)
    manager.force_login(cast.manager)
    his, hers = loaded(team, edit, having="name"), loaded(manager, edit, having="name")
    assert team.post(edit, {**his, "partner": "מכון דוידסון"}).status_code == 302
    response = manager.post(edit, {**hers, "notes": "בימי שלישי בזום"})
    assert response.status_code == 409
    rows = response.context["form"].conflict.rows
    assert [(r["yours"], r["current"]) for r in rows] == [("—", "מכון דוידסון"), ("בימי שלישי בזום", "—")]
    activity.refresh_from_db()
    assert (activity.partner, activity.notes) == ("מכון דוידסון", "")


def test_a_new_response_unmarked_meanwhile_is_a_conflict_not_undone(cast):
    from django.test import Client

    activity = make_activity(cast.authority, "קו חם להורים", born_in=cast.emergency)
    edit = url(cast, "plan:activity_edit", activity_pk=activity.pk)
    team, manager = Client(), Client()
    team.force_login(cast.team)
    manager.force_login(cast.manager)
    his, hers = loaded(team, edit, having="name"), loaded(manager, edit, having="name")
    assert hers["born"] == "on"
    assert team.post(edit, {k: v for k, v in his.items() if k != "born"}).status_code == 302  # unticked
    response = manager.post(edit, {**hers, "notes": "פתוח גם בערב"})
    assert response.status_code == 409
    rows = response.context["form"].conflict.rows
    assert [(r["yours"], r["current"]) for r in rows] == [("yes", "no"), ("פתוח גם בערב", "—")]
    activity.refresh_from_db()
    assert activity.born_in is None and activity.notes == ""
