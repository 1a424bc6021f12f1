"""The network's summaries through the API: what the network overview page shows, for the network admin and for each
coordinator within her cluster, refused to every other role, never with people's contacts or the check-in, and at
the same cost for a few authorities or many."""

import itertools
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.field import services as field_services
from hosen.field.models import Need, Site, Urgency
from hosen.workmodel import services as workmodel_services
from hosen.workmodel.models import Answer, AnswerStatus, CheckIn, ChecklistItem, EmergencyKind, Phase, Severity

from .conftest import ApiClient, make_token

OVERVIEW = "/api/v1/network/overview/"


def _client(user, **options):
    return ApiClient(make_token(user, **options)[1])


def _cluster_url(cluster):
    return f"/api/v1/network/clusters/{cluster.pk}/"


def _field(cast):
    """Alpha's field today: two active sites, one reported an hour ago and one never; an urgent need, a low one."""
    with scopes_disabled():
        fresh = Site.objects.create(authority=cast.authority, name="Ort school", kind="school",
                                    contact_phone="050-1234567", contact_email="principal@ort.example")
        Site.objects.create(authority=cast.authority, name="Kindergarten", kind="kindergarten")
        Site.objects.create(authority=cast.authority, name="Closed", kind="school", is_active=False)
        field_services.record_status(fresh, cast.emergency, status="open", user=cast.team)
        for urgency in (Urgency.CRITICAL, Urgency.LOW):
            Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                category="food", description="lunch", urgency=urgency)
        items = list(ChecklistItem.objects.exclude(kind=ChecklistItem.REFLECTION).order_by("number")[:2])
        for item, status in zip(items, (AnswerStatus.DONE, AnswerStatus.PARTLY), strict=True):
            Answer.objects.create(authority=cast.authority, round=cast.round, item=item, status=status)
        CheckIn.objects.create(author=cast.manager, authority=cast.authority, emergency=cast.emergency,
                               feeling="exhausted and alone tonight")
    return items


@pytest.mark.django_db
def test_the_network_admin_sees_every_authority_as_the_overview_page_shows_it(cast):
    items = _field(cast)
    response = _client(cast.network_admin).get(OVERVIEW)
    assert response.status_code == 200, response.content
    body = response.json()
    rows = {row["slug"]: row for row in body["results"]}
    assert set(rows) == {"alpha", "beta"} and body["next"] is None
    alpha = rows["alpha"]
    assert alpha["cluster"] == cast.cluster.pk and alpha["cluster_name"] == "North"
    assert alpha["emergency"] == {"id": cast.emergency.pk, "name": "מלחמה", "kind": "war", "phase": "active",
                                  "started_on": "2026-10-07"}
    assert alpha["round"] == 1
    assert (alpha["urgent_needs"], alpha["sites"], alpha["stale_sites"]) == (1, 2, 1)
    answered = {}
    for item in items:
        answered[item.component.stage.key] = answered.get(item.component.stage.key, 0) + 1
    assert {p["stage"]: p["answered"] for p in alpha["progress"] if p["answered"]} == answered
    progress = {p["stage"]: p for p in alpha["progress"]}
    assert progress[items[0].component.stage.key]["percent"] > 0
    assert len(alpha["progress"]) == 5 and all(p["total"] > 0 for p in alpha["progress"])
    assert {c["phase"]: c["count"] for c in body["counts"]} == {"readiness": 0, "active": 2, "recovery": 0}
    assert [c["name"] for c in body["clusters"]] == ["North", "South"]
    # Never a person's contact, never the private check-in.
    text = response.content.decode()
    for private in ("050-1234567", "principal@ort.example", "exhausted", "manager@test.org"):
        assert private not in text


@pytest.mark.django_db
def test_an_authority_without_an_open_emergency_shows_none(cast):
    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "lessons")
    rows = {row["slug"]: row for row in _client(cast.network_admin).get(OVERVIEW).json()["results"]}
    assert rows["alpha"]["emergency"] is None and rows["alpha"]["round"] is None
    assert rows["alpha"]["urgent_needs"] is None and rows["alpha"]["progress"] == []


@pytest.mark.django_db
def test_a_coordinator_sees_her_cluster_only(cast):
    coordinator = _client(cast.coordinator)
    body = coordinator.get(OVERVIEW).json()
    assert [row["slug"] for row in body["results"]] == ["alpha"]
    assert [c["name"] for c in body["clusters"]] == ["North"]
    assert sum(c["count"] for c in body["counts"]) == 1
    assert [row["slug"] for row in coordinator.get(_cluster_url(cast.cluster)).json()["results"]] == ["alpha"]
    other = coordinator.get(_cluster_url(cast.other_cluster))
    assert other.status_code == 404 and other["Content-Type"] == "application/problem+json"
    assert [row["slug"] for row in _client(cast.other_coordinator).get(OVERVIEW).json()["results"]] == ["beta"]


@pytest.mark.django_db
def test_every_other_role_is_refused(cast):
    for user in (cast.manager, cast.team, cast.viewer, cast.outsider):
        for url in (OVERVIEW, _cluster_url(cast.cluster)):
            response = _client(user).get(url)
            assert response.status_code == 403, (user, url)
            assert response.json()["type"].endswith("/forbidden")
    assert ApiClient().get(OVERVIEW).status_code == 401


@pytest.mark.django_db
def test_a_token_bound_to_one_authority_sums_up_that_authority_only(cast):
    client = _client(cast.network_admin, authority=cast.authority)
    body = client.get(OVERVIEW).json()
    assert [row["slug"] for row in body["results"]] == ["alpha"] and [c["name"] for c in body["clusters"]] == ["North"]
    assert client.get(_cluster_url(cast.other_cluster)).status_code == 404


@pytest.mark.django_db
def test_the_cluster_summary_and_the_cluster_filter(cast):
    admin = _client(cast.network_admin)
    south = admin.get(_cluster_url(cast.other_cluster)).json()
    assert (south["id"], south["name"]) == (cast.other_cluster.pk, "South")
    assert [row["slug"] for row in south["results"]] == ["beta"]
    assert {c["phase"]: c["count"] for c in south["counts"]}["active"] == 1
    assert [row["slug"] for row in admin.get(f"{OVERVIEW}?cluster={cast.other_cluster.pk}").json()["results"]] == [
        "beta"]
    assert admin.get("/api/v1/network/clusters/999999/").status_code == 404


numbers = itertools.count(1)


def _more_authorities(cast, n):
    """n more authorities in the north, each in an open emergency with a round, answers, sites and needs."""
    from hosen.tenancy.models import Authority

    items = list(ChecklistItem.objects.exclude(kind=ChecklistItem.REFLECTION).order_by("number")[:5])
    with scopes_disabled():
        for _ in range(n):
            number = next(numbers)
            authority = Authority.objects.create(cluster=cast.cluster, name=f"רשות {number}", slug=f"more-{number}")
            emergency = workmodel_services.open_emergency(
                authority, cast.network_admin, name="ירי", kind=EmergencyKind.ROCKETS, severity=Severity.HIGH,
                started_on=date(2026, 10, 1), area="")
            if number % 2:
                emergency.phase = Phase.ACTIVE
                emergency.save()
            workmodel_services.start_round(emergency, cast.network_admin)
            for item in items:
                Answer.objects.create(authority=authority, round=emergency.rounds.order_by("-number").first(),
                                      item=item, status=AnswerStatus.PARTLY)
            site = Site.objects.create(authority=authority, name="School", kind="school")
            field_services.record_status(site, emergency, status="open")
            Need.objects.create(authority=authority, emergency=emergency, audience="students", category="food",
                                description="lunch", urgency=Urgency.HIGH,
                                created_at=timezone.now() - timedelta(days=1))


@pytest.mark.django_db
def test_the_overview_costs_the_same_queries_for_few_authorities_or_many(cast, django_assert_num_queries):
    _field(cast)
    _more_authorities(cast, 2)
    admin = _client(cast.network_admin)
    for url in (f"{OVERVIEW}?limit=200", f"{_cluster_url(cast.cluster)}?limit=200"):
        admin.get(url)  # the token's last-used time is written once a minute: not part of the count
        with CaptureQueriesContext(connection) as few:
            assert admin.get(url).status_code == 200
        _more_authorities(cast, 12)
        with django_assert_num_queries(len(few)):
            response = admin.get(url)
        assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 1 + 2 + 24 and all(row["round"] == 2 for row in rows if row["slug"].startswith("more-"))


@pytest.mark.django_db
def test_pages_of_authorities_follow_one_another(cast):
    _more_authorities(cast, 4)
    admin = _client(cast.network_admin)
    first = admin.get(f"{OVERVIEW}?limit=4").json()
    second = admin.get(first["next"]).json()
    slugs = [row["slug"] for row in first["results"] + second["results"]]
    assert len(slugs) == 6 == len(set(slugs)) and second["next"] is None
