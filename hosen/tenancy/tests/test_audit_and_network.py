import pytest
from django_scopes import scopes_disabled

from hosen.integrity.testing import loaded
from hosen.workmodel.models import Answer, Emergency


@pytest.mark.django_db
def test_every_change_is_kept_with_who_and_before_after(cast, client_for):
    team = client_for(cast.team)
    item = f"/a/{cast.authority.slug}/checklist/6/"
    team.post(item, loaded(team, item, having="i6-note", **{"i6-status": "partly", "i6-note": "התחלה"}))
    team.post(item, loaded(team, item, having="i6-note", **{"i6-status": "done", "i6-note": "הושלם"}))
    with scopes_disabled():
        answer = Answer.objects.get(item__number=6)
        versions = list(answer.history.order_by("history_date"))
    assert [v.status for v in versions] == ["partly", "done"]
    assert all(v.history_user == cast.team for v in versions)

    page = client_for(cast.manager).get(f"/a/{cast.authority.slug}/history/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    changes = page.context["changes"]
    latest = changes[0]
    assert latest.kind == "~" and latest.who == cast.team
    assert ("note", "התחלה", "הושלם") in [(str(label), before, after) for label, before, after in latest.fields]


@pytest.mark.django_db
def test_history_shows_only_this_authority(cast, client_for):
    with scopes_disabled():
        Emergency.objects.filter(authority=cast.other_authority).update(name="סודי של רשות ב")
        theirs = Emergency.objects.get(authority=cast.other_authority)
        theirs.name = "שינוי ברשות ב"
        theirs.save()
    body = client_for(cast.manager).get(f"/a/{cast.authority.slug}/history/").content.decode()
    assert "שינוי ברשות ב" not in body


@pytest.mark.django_db
def test_network_sees_its_authorities_with_progress(cast, client_for):
    client_for(cast.manager).post(f"/a/{cast.authority.slug}/checklist/6/", {"i6-status": "done"})
    response = client_for(cast.network_admin).get("/network/")
    rows = {row["authority"].slug: row for row in response.context["rows"]}
    assert set(rows) == {"alpha", "beta"}
    assert rows["alpha"]["emergency"].name == "מלחמה" and rows["alpha"]["round"].number == 1
    stage2 = response.context["stages"].index(next(s for s in response.context["stages"] if s.key == "2"))
    assert rows["alpha"]["progress"][stage2].percent == 14  # 1 of 7


@pytest.mark.django_db
def test_a_coordinator_sees_only_her_cluster(cast, client_for):
    rows = client_for(cast.coordinator).get("/network/").context["rows"]
    assert [row["authority"].slug for row in rows] == ["alpha"]
    assert client_for(cast.coordinator).get("/a/beta/").status_code == 404
    assert client_for(cast.coordinator).get("/a/alpha/").status_code == 200


@pytest.mark.django_db
def test_network_sees_open_urgent_needs_and_stale_sites(cast, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from hosen.field.models import Need, Site, SiteStatus

    with scopes_disabled():
        sites = [Site.objects.create(authority=cast.authority, name=f"בית ספר {n}", kind="school") for n in range(3)]
        SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=sites[0], status="open")
        SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=sites[1], status="open",
                                  reported_at=timezone.now() - timedelta(hours=49))
        for urgency, status in [(4, "open"), (3, "open"), (2, "open"), (4, "met"), (4, "in_progress")]:
            Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                category="equipment", description="מחשבים", urgency=urgency, status=status)
    rows = {r["authority"].slug: r for r in client_for(cast.network_admin).get("/network/").context["rows"]}
    assert rows["alpha"]["field"] == {"sites": 3, "stale": 2, "urgent": 2}
    assert rows["beta"]["field"] == {"sites": 0, "stale": 0, "urgent": 0}
