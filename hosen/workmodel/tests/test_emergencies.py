from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.integrity.testing import with_version
from hosen.workmodel.models import Emergency, Phase

NEW = {"name": "הצפה", "kind": "flood", "started_on": "2026-11-01", "area": "העיר התחתית", "severity": "2",
       "phase": "active"}


def close(client, cast, lessons):
    return client.post(f"/a/{cast.authority.slug}/emergencies/{cast.emergency.pk}/close/", {"lessons": lessons},
                       HTTP_ACCEPT_LANGUAGE="he")


@pytest.mark.django_db
def test_closing_asks_for_lessons_and_the_next_emergency_shows_them(cast, client_for):
    client = client_for(cast.manager)
    refused = close(client, cast, "  ")
    assert refused.status_code == 422
    cast.emergency.refresh_from_db()
    assert cast.emergency.phase == Phase.ACTIVE

    assert close(client, cast, "לשמור רשימת טלפונים מעודכנת").status_code == 302
    cast.emergency.refresh_from_db()
    assert cast.emergency.phase == Phase.CLOSED and cast.emergency.closed_at is not None

    form = client.get(f"/a/{cast.authority.slug}/emergencies/new/")
    assert "לשמור רשימת טלפונים מעודכנת" in form.content.decode()
    home = client.get(f"/a/{cast.authority.slug}/")
    assert "לשמור רשימת טלפונים מעודכנת" in home.content.decode()

    assert client.post(f"/a/{cast.authority.slug}/emergencies/new/", NEW).status_code == 302
    with scopes_disabled():
        opened = Emergency.objects.get(authority=cast.authority, name="הצפה")
        assert opened.rounds.get().number == 1
        assert opened.created_by == cast.manager


@pytest.mark.django_db
def test_bad_input_changes_nothing_and_says_why_in_hebrew(cast, client_for):
    client = client_for(cast.manager)
    close(client, cast, "לקח ראשון וחשוב")
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(f"/a/{cast.authority.slug}/emergencies/new/",
                           {**NEW, "name": "", "started_on": future, "severity": "9"}, HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 422
    with scopes_disabled():
        assert not Emergency.objects.filter(authority=cast.authority).exclude(phase=Phase.CLOSED).exists()
    assert 'lang="he"' in response.content.decode()
    assert response.context["form"].errors.keys() >= {"name", "started_on", "severity"}


@pytest.mark.django_db
def test_only_one_open_emergency_at_a_time(cast, client_for):
    client = client_for(cast.manager)
    response = client.post(f"/a/{cast.authority.slug}/emergencies/new/", NEW)
    assert response.status_code == 302
    with scopes_disabled():
        assert Emergency.objects.filter(authority=cast.authority).count() == 1


@pytest.mark.django_db
def test_phase_changes_and_a_closed_emergency_stays_closed(cast, client_for):
    client = client_for(cast.manager)
    url = f"/a/{cast.authority.slug}/emergencies/{cast.emergency.pk}/"
    assert client.post(url, with_version(cast.emergency, phase="recovery")).status_code == 302
    cast.emergency.refresh_from_db()
    assert cast.emergency.phase == Phase.RECOVERY
    # Closing needs its own form.
    assert client.post(url, with_version(cast.emergency, phase="closed")).status_code == 422
    cast.emergency.refresh_from_db()
    assert cast.emergency.phase == Phase.RECOVERY


@pytest.mark.django_db
def test_the_network_opens_one_emergency_for_several_authorities(cast, client_for):
    client = client_for(cast.network_admin)
    response = client.post("/network/emergencies/new/", {
        **NEW, "authorities": [cast.authority.pk, cast.other_authority.pk]}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    # Both already had an open emergency: nothing is opened twice, and the page says so.
    assert cast.authority.name in body
    with scopes_disabled():
        assert Emergency.objects.filter(name="הצפה").count() == 0
        Emergency.objects.update(phase=Phase.CLOSED)
    client.post("/network/emergencies/new/", {**NEW, "authorities": [cast.authority.pk, cast.other_authority.pk]})
    with scopes_disabled():
        opened = list(Emergency.objects.filter(name="הצפה"))
    assert {e.authority_id for e in opened} == {cast.authority.pk, cast.other_authority.pk}
    assert len({e.group for e in opened}) == 1 and opened[0].group is not None


@pytest.mark.django_db
def test_a_coordinator_cannot_open_for_the_network(cast, client_for):
    response = client_for(cast.coordinator).post("/network/emergencies/new/", {**NEW, "authorities": [
        cast.authority.pk]})
    assert response.status_code == 403
