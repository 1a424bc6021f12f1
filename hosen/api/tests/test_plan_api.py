"""The work plan and the KPIs through the API, as a team works them: activities added and edited by two people at
once, a decision per activity taken as the plan's inline decision takes it, the plan's filters and export, KPIs
with their current value and the values entered by hand."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.plan import services
from hosen.plan.models import Activity, ActivityDecision, Kpi, Measurement
from hosen.workmodel.models import Phase

from .conftest import ApiClient, make_token
from .conftest import count as _count

ACTIVITIES = "/api/v1/authorities/alpha/activities/"
KPIS = "/api/v1/authorities/alpha/kpis/"
ACTIVITY = {"name": "Robotics club", "kind": "programme", "audience": "students", "is_essential": True}
ADAPT = {"decision": "adapt", "ways": ["online"], "reason": "rockets: no gatherings"}


def _activity(cast, name="Chess", **fields):
    with scopes_disabled():
        return Activity.objects.create(authority=cast.authority, name=name, kind=fields.pop("kind", "programme"),
                                       audience=fields.pop("audience", "students"), **fields)


def _decision_url(pk):
    return f"{ACTIVITIES}{pk}/decision/"


# ---- activities --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_activity_sent_twice_with_one_key_is_added_once(cast, manager_api):
    answers = [manager_api.post_json(ACTIVITIES, ACTIVITY, HTTP_IDEMPOTENCY_KEY="plan-1") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json()
    body = answers[0].json()
    assert answers[0]["Location"] == f"{ACTIVITIES}{body['id']}/" and answers[1]["Idempotent-Replayed"] == "true"
    assert body["is_stem"] is True and body["decision"] is None and body["version"]
    assert _count(Activity) == 1
    again = manager_api.post_json(ACTIVITIES, ACTIVITY | {"name": "Drama"}, HTTP_IDEMPOTENCY_KEY="plan-1")
    assert again.status_code == 422 and again.json()["type"].endswith("/idempotency-mismatch")
    assert _count(Activity) == 1


@pytest.mark.django_db
def test_a_new_response_is_born_in_the_current_emergency(cast, manager_api):
    body = manager_api.post_json(ACTIVITIES, ACTIVITY | {"born": True}).json()
    assert body["born_in"] == cast.emergency.pk
    listed = manager_api.get(f"{ACTIVITIES}?born=true").json()["results"]
    assert [a["id"] for a in listed] == [body["id"]]


@pytest.mark.django_db
def test_two_callers_edit_one_activity_the_second_gets_412_with_the_current_one(cast, manager_api, team_api):
    activity = manager_api.post_json(ACTIVITIES, ACTIVITY).json()
    url = f"{ACTIVITIES}{activity['id']}/"
    seen = f'"{activity["version"]}"'
    first = manager_api.patch_json(url, {"place": "the library"}, HTTP_IF_MATCH=seen)
    assert first.status_code == 200 and first.json()["place"] == "the library"
    assert first["ETag"] == f'"{first.json()["version"]}"' != seen
    second = team_api.patch_json(url, {"place": "the gym"}, HTTP_IF_MATCH=seen)
    assert second.status_code == 412 and second["Content-Type"] == "application/problem+json"
    assert second.json()["current"]["place"] == "the library"
    assert second["ETag"] == first["ETag"]
    with scopes_disabled():
        assert Activity.objects.get().place == "the library"
    assert team_api.patch_json(url, {"place": "the gym"}).status_code == 428


@pytest.mark.django_db
def test_an_activity_form_error_names_the_field_in_hebrew(cast, manager_api):
    response = manager_api.post_json(ACTIVITIES, ACTIVITY | {"starts_on": "2026-10-10", "ends_on": "2026-10-01"},
                                     HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "ends_on", "message": "תאריך הסיום לא יכול להיות לפני תאריך ההתחלה."}]
    assert _count(Activity) == 0


@pytest.mark.django_db
def test_another_authoritys_facility_cannot_be_chosen(cast, manager_api):
    from hosen.resources.models import Facility

    with scopes_disabled():
        theirs = Facility.objects.create(authority=cast.other_authority, name="Their shelter", kind="shelter")
    response = manager_api.post_json(ACTIVITIES, ACTIVITY | {"facility": theirs.pk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "facility"


@pytest.mark.django_db
def test_archiving_an_activity_takes_it_off_the_plan(cast, manager_api):
    activity = manager_api.post_json(ACTIVITIES, ACTIVITY).json()
    archived = manager_api.patch_json(f"{ACTIVITIES}{activity['id']}/", {"is_active": False},
                                      HTTP_IF_MATCH=activity["version"])
    assert archived.status_code == 200 and archived.json()["is_active"] is False
    assert manager_api.get(ACTIVITIES).json()["results"] == []
    assert [a["id"] for a in manager_api.get(f"{ACTIVITIES}?archived=true").json()["results"]] == [activity["id"]]
    # An archived activity takes no decision until it is back in the plan.
    response = manager_api.put(_decision_url(activity["id"]), ADAPT, content_type="application/json",
                               HTTP_IF_MATCH='"new"')
    assert response.status_code == 409 and "archived" in response.json()["detail"]


# ---- decisions ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_decision_is_taken_and_the_earlier_one_stays_in_the_history(cast, manager_api, team_api):
    activity = _activity(cast, is_essential=True)
    first = manager_api.put(_decision_url(activity.pk), ADAPT, content_type="application/json", HTTP_IF_MATCH='"new"')
    assert first.status_code == 200, first.content
    decision = first.json()
    assert decision["decision"] == "adapt" and decision["ways"] == ["online"] and decision["is_current"]
    assert decision["decided_by"] == "manager" and decision["emergency"] == cast.emergency.pk
    shown = manager_api.get(f"{ACTIVITIES}{activity.pk}/").json()["decision"]
    assert shown["id"] == decision["id"] and shown["version"] == decision["version"]

    paused = team_api.put(_decision_url(activity.pk), {"decision": "pause", "reason": "the school is closed"},
                          content_type="application/json", HTTP_IF_MATCH=f'"{decision["version"]}"')
    assert paused.status_code == 200 and paused.json()["decision"] == "pause"
    history = manager_api.get(f"{ACTIVITIES}{activity.pk}/decisions/").json()["results"]
    assert [(d["decision"], d["is_current"]) for d in history] == [("adapt", False), ("pause", True)]


@pytest.mark.django_db
def test_a_decision_taken_meanwhile_is_412_unless_it_is_the_same(cast, manager_api, team_api):
    activity = _activity(cast)
    assert manager_api.put(_decision_url(activity.pk), ADAPT, content_type="application/json",
                           HTTP_IF_MATCH='"new"').status_code == 200
    # The team member's page also showed no decision: her "stop" would replace the manager's unseen.
    stale = team_api.put(_decision_url(activity.pk), {"decision": "stop", "reason": "no staff"},
                         content_type="application/json", HTTP_IF_MATCH='"new"')
    assert stale.status_code == 412 and stale.json()["current"]["decision"] == "adapt"
    # The same decision sent again from the same stale view (a second tap) is simply the decision.
    same = team_api.put(_decision_url(activity.pk), ADAPT | {"reason": "  rockets: no gatherings "},
                        content_type="application/json", HTTP_IF_MATCH='"new"')
    assert same.status_code == 200 and same.json()["decision"] == "adapt"
    assert _count(ActivityDecision) == 1
    with scopes_disabled():
        assert ActivityDecision.objects.get().decided_by == cast.manager
    assert team_api.put(_decision_url(activity.pk), ADAPT, content_type="application/json").status_code == 428


@pytest.mark.django_db
def test_a_decision_needs_its_reason_and_ways_as_on_the_page(cast, manager_api):
    activity = _activity(cast)
    response = manager_api.put(_decision_url(activity.pk), {"decision": "pause"}, content_type="application/json",
                               HTTP_IF_MATCH='"new"', HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "reason", "message": "יש לכתוב את הסיבה: זו חובה כדי להתאים, להשהות או להפסיק פעילות."}]
    response = manager_api.put(_decision_url(activity.pk), {"decision": "adapt", "reason": "r"},
                               content_type="application/json", HTTP_IF_MATCH='"new"')
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ways"
    response = manager_api.put(_decision_url(activity.pk), {"decision": "maybe"}, content_type="application/json",
                               HTTP_IF_MATCH='"new"')
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "decision"
    assert _count(ActivityDecision) == 0


@pytest.mark.django_db
def test_no_decision_without_an_open_emergency(cast, manager_api):
    activity = _activity(cast)
    with scopes_disabled():
        cast.emergency.phase = Phase.CLOSED
        cast.emergency.save()
    response = manager_api.put(_decision_url(activity.pk), ADAPT, content_type="application/json",
                               HTTP_IF_MATCH='"new"')
    assert response.status_code == 409 and "no open emergency" in response.json()["detail"]
    assert manager_api.get(f"{ACTIVITIES}{activity.pk}/").json()["decision"] is None


@pytest.mark.django_db
def test_a_viewer_reads_the_plan_and_may_not_decide(cast, manager_api):
    activity = _activity(cast)
    viewer = ApiClient(make_token(cast.viewer)[1])
    assert viewer.get(f"{ACTIVITIES}{activity.pk}/").status_code == 200
    response = viewer.put(_decision_url(activity.pk), ADAPT, content_type="application/json", HTTP_IF_MATCH='"new"')
    assert response.status_code == 403 and _count(ActivityDecision) == 0


# ---- the plan's list, filters and export -------------------------------------------------------------------


def _plan(cast):
    running = _activity(cast, "Robotics", is_essential=True)
    paused = _activity(cast, "Drama", is_essential=True)
    undecided = _activity(cast, "Science fair", kind="event")
    archived = _activity(cast, "Old course", is_active=False)
    with scopes_disabled():
        services.decide(running, cast.emergency, decision="continue", user=cast.manager)
        services.decide(paused, cast.emergency, decision="pause", reason="no hall", user=cast.manager)
    return running, paused, undecided, archived


@pytest.mark.django_db
def test_the_plans_filters_work_in_the_api(cast, manager_api):
    running, paused, undecided, archived = _plan(cast)

    def ids(query=""):
        response = manager_api.get(f"{ACTIVITIES}?{query}")
        assert response.status_code == 200, response.content
        return {a["id"] for a in response.json()["results"]}

    assert ids() == {running.pk, paused.pk, undecided.pk}
    assert ids("decision=running") == {running.pk}
    assert ids("decision=pause") == {paused.pk}
    assert ids("decision=undecided") == {undecided.pk}
    assert ids("essential=true") == {running.pk, paused.pk}
    assert ids("essential=false") == {undecided.pk}
    assert ids("kind=event") == {undecided.pk}
    assert ids("archived=true") == {archived.pk}
    listed = {a["id"]: a for a in manager_api.get(ACTIVITIES).json()["results"]}
    assert listed[paused.pk]["decision"]["reason"] == "no hall" and listed[undecided.pk]["decision"] is None
    assert manager_api.get(f"{ACTIVITIES}?decision=later").status_code == 422


@pytest.mark.django_db
def test_the_plans_csv_is_the_pages_export_with_its_hxl_row(cast, manager_api):
    running, paused, _undecided, _archived = _plan(cast)
    _activity(cast, "=HYPERLINK(\"http://evil\")")
    response = manager_api.get(f"{ACTIVITIES}?format=csv&essential=true", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("number,name,kind,audience") and lines[1].startswith("#meta+id,#activity+name")
    assert "#status+decision" in lines[1]
    assert len(lines) == 4 and lines[2].startswith(f"{running.pk},Robotics") and "Pause" in lines[3]
    everything = manager_api.get(f"{ACTIVITIES}?format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in everything


def _grow_plan(cast, n):
    with scopes_disabled():
        for i in range(n):
            activity = _activity(cast, f"Activity {i}", is_essential=i % 2 == 0)
            services.decide(activity, cast.emergency, decision="pause", reason="r", user=cast.team)
            services.decide(activity, cast.emergency, decision="adapt", ways=["online"], reason="r", user=cast.manager)


def _same_queries(client, url, grow, django_assert_num_queries):
    client.get(url)  # the token's last-used time is written once a minute: not part of the count
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow()
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_the_plans_list_costs_the_same_queries_for_few_or_many(cast, manager_api, django_assert_num_queries):
    _grow_plan(cast, 5)
    response = _same_queries(manager_api, f"{ACTIVITIES}?limit=200&decision=running", lambda: _grow_plan(cast, 40),
                             django_assert_num_queries)
    assert len(response.json()["results"]) == 45


@pytest.mark.django_db
def test_the_decision_history_costs_the_same_queries_for_few_or_many(cast, manager_api, django_assert_num_queries):
    activity = _activity(cast)

    def decide(n):
        with scopes_disabled():
            for i in range(n):
                services.decide(activity, cast.emergency, decision="pause", reason=f"r{i}", user=cast.team)

    decide(3)
    response = _same_queries(manager_api, f"{ACTIVITIES}{activity.pk}/decisions/?limit=200", lambda: decide(30),
                             django_assert_num_queries)
    assert len(response.json()["results"]) == 33


# ---- KPIs --------------------------------------------------------------------------------------------------


def _kpi(cast, emergency="current", **fields):
    with scopes_disabled():
        return Kpi.objects.create(authority=cast.authority,
                                  emergency=cast.emergency if emergency == "current" else emergency,
                                  **{"name": "Tutoring hours", "unit": "hours", **fields})


def _value(cast, kpi, value, days_ago=0, **fields):
    with scopes_disabled():
        return Measurement.objects.create(authority=cast.authority, kpi=kpi, value=value,
                                          measured_for=timezone.localdate() - timedelta(days=days_ago), **fields)


@pytest.mark.django_db
def test_kpis_are_listed_with_their_current_value_and_its_date(cast, manager_api):
    hours = _kpi(cast, target=100)
    _value(cast, hours, 40, days_ago=7)
    _value(cast, hours, 90, days_ago=2)
    routine = _kpi(cast, emergency=None, name="Schools in the programme", unit="count")
    _kpi(cast, name="Left the set", is_active=False)
    listed = {k["id"]: k for k in manager_api.get(KPIS).json()["results"]}
    assert set(listed) == {hours.pk, routine.pk}
    assert listed[hours.pk]["value"] == 90.0 and listed[hours.pk]["target"] == 100.0
    assert listed[hours.pk]["as_of"] == str(timezone.localdate() - timedelta(days=2))
    assert listed[hours.pk]["state"] == "on_track" and listed[hours.pk]["points"] == 2
    assert listed[routine.pk]["value"] is None and listed[routine.pk]["state"] == "no_data"
    assert listed[routine.pk]["emergency"] is None
    assert [k["id"] for k in manager_api.get(f"{KPIS}?set=routine").json()["results"]] == [routine.pk]
    assert [k["id"] for k in manager_api.get(f"{KPIS}?set=current").json()["results"]] == [hours.pk]


@pytest.mark.django_db
def test_a_computed_kpi_is_brought_up_to_date_as_on_the_page(cast, manager_api):
    _kpi(cast, name="", unit="count", source="new_responses")
    _activity(cast, "Born", born_in=cast.emergency)
    listed = manager_api.get(KPIS).json()["results"]
    assert listed[0]["value"] == 1.0 and listed[0]["computed_from"] == "new_responses"
    assert listed[0]["as_of"] == str(timezone.localdate())


@pytest.mark.django_db
def test_a_hand_value_sent_twice_with_one_key_is_recorded_once(cast, manager_api):
    kpi = _kpi(cast)
    url = f"{KPIS}{kpi.pk}/values/"
    answers = [manager_api.post_json(url, {"value": "12.5", "note": "from the tutors"},
                                     HTTP_IDEMPOTENCY_KEY="value-1") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json()
    body = answers[0].json()
    assert body["value"] == 12.5 and body["measured_for"] == str(timezone.localdate()) and not body["computed"]
    assert body["entered_by"] == "manager" and answers[0]["Location"] == f"{url}{body['id']}/"
    assert manager_api.get(answers[0]["Location"]).json()["note"] == "from the tutors"
    assert _count(Measurement) == 1
    other = manager_api.post_json(url, {"value": 13}, HTTP_IDEMPOTENCY_KEY="value-1")
    assert other.status_code == 422 and _count(Measurement) == 1
    assert manager_api.get(f"{KPIS}{kpi.pk}/").json()["value"] == 12.5


@pytest.mark.django_db
def test_a_hand_value_has_the_pages_checks(cast, team_api):
    percent = _kpi(cast, name="Attendance", unit="percent")
    url = f"{KPIS}{percent.pk}/values/"
    response = team_api.post_json(url, {"value": 120}, HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "value", "message": "אחוז לא יכול להיות גבוה מ-100."}]
    tomorrow = str(timezone.localdate() + timedelta(days=1))
    response = team_api.post_json(url, {"value": 50, "measured_for": tomorrow})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "measured_for"
    response = team_api.post_json(url, {"value": 50.555})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "value"
    assert _count(Measurement) == 0


@pytest.mark.django_db
def test_a_kpi_out_of_the_set_or_of_a_closed_emergency_takes_no_value(cast, team_api):
    gone = _kpi(cast, is_active=False)
    response = team_api.post_json(f"{KPIS}{gone.pk}/values/", {"value": 3})
    assert response.status_code == 409
    kept = _kpi(cast, name="Kept")
    with scopes_disabled():
        cast.emergency.phase = Phase.CLOSED
        cast.emergency.save()
    assert team_api.post_json(f"{KPIS}{kept.pk}/values/", {"value": 3}).status_code == 409
    assert _count(Measurement) == 0


@pytest.mark.django_db
def test_the_kpis_list_costs_the_same_queries_for_few_or_many(cast, manager_api, django_assert_num_queries):
    def grow(n):
        for i in range(n):
            kpi = _kpi(cast, name=f"KPI {i}", target=10)
            for day in range(5):
                _value(cast, kpi, day, days_ago=day)

    grow(3)
    response = _same_queries(manager_api, f"{KPIS}?limit=200", lambda: grow(20), django_assert_num_queries)
    assert len(response.json()["results"]) == 23
    kpi_id = response.json()["results"][0]["id"]
    for day in range(5, 40):
        _value(cast, Kpi(pk=kpi_id), day, days_ago=day)
    _same_queries(manager_api, f"{KPIS}{kpi_id}/values/?limit=200", lambda: None, django_assert_num_queries)
