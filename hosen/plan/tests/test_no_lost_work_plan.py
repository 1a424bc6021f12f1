"""No lost work where only a manager can write (so tests/test_no_lost_work.py, which signs in a manager and a
team member, cannot drive it): a KPI's target and cadence, and the choice of the KPI set, by two managers at
once; and "compute now" sent twice."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.integrity.testing import form_data, loaded
from hosen.plan.models import Kpi, KpiSetChange, KpiTemplate, Measurement

from .matrix_plan import make_kpi

pytestmark = pytest.mark.django_db


def url(cast, name, **kwargs):
    return reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


@pytest.fixture
def managers(cast):
    """Two managers of the authority, each signed in on a phone of her own."""
    from hosen.accounts.models import Membership, Role, User

    second = User.objects.create_user("manager2@test.org", "x" * 20, full_name="Second manager")
    Membership.objects.create(user=second, role=Role.MANAGER, authority=cast.authority)
    clients = []
    for user in (cast.manager, second):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        clients.append(client)
    return clients


def test_a_stale_target_shows_both_and_overwrites_nothing(cast, managers):
    first, second = managers
    kpi = make_kpi(cast.authority, cast.emergency, unit="percent", target=Decimal(80))
    page = url(cast, "plan:kpi", kpi_pk=kpi.pk)
    hers, his = loaded(first, page, having="baseline"), loaded(second, page, having="baseline")

    assert first.post(page, {**hers, "target": "90"}).status_code == 302
    response = second.post(page, {**his, "target": "75", "cadence": "daily"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Saved meanwhile by someone else" in body and "<bdi>manager</bdi> saved a change" in body
    rows = {row["label"]: (row["yours"], row["current"]) for row in response.context["settings_form"].conflict.rows}
    assert rows == {"Target": ("75", "90"), "Cadence": ("Daily", "Weekly")}
    # The page shows the target as saved, not the one that was refused.
    assert response.context["card"]["target_text"] == "≥ 90%"
    kpi.refresh_from_db()
    assert (kpi.target, kpi.cadence) == (Decimal(90), "weekly")

    # Sent again from the conflict view, it applies.
    again = form_data(body, having="baseline")
    assert (again["target"], again["cadence"]) == ("75", "daily")
    assert second.post(page, again).status_code == 302
    kpi.refresh_from_db()
    assert (kpi.target, kpi.cadence) == (Decimal(75), "daily")


def test_a_set_chosen_on_a_stale_page_does_not_undo_the_other_choice(cast, managers, kpi_templates):
    first, second = managers
    with scopes_disabled():
        needs, sites, laptops = (KpiTemplate.objects.get(key=key) for key in
                                 ("needs_met_72h", "sites_fresh", "laptops_distributed"))
    page = url(cast, "plan:kpi_choose")
    hers, his = loaded(first, page, having="version"), loaded(second, page, having="version")

    assert first.post(page, {**hers, "templates": [needs.pk, sites.pk]}).status_code == 302
    # His page showed an empty set: his choice would take hers out without his knowing.
    response = second.post(page, {**his, "templates": [laptops.pk]})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Saved meanwhile by someone else" in body and "<bdi>manager</bdi> saved a change" in body
    (row,) = response.context["conflict"].rows
    assert row["yours"] == laptops.name_en
    assert set(row["current"].split(", ")) == {needs.name_en, sites.name_en}

    def in_set():
        with scopes_disabled():
            return set(Kpi.objects.filter(authority=cast.authority, emergency=cast.emergency, is_active=True)
                       .values_list("template__key", flat=True))

    assert in_set() == {"needs_met_72h", "sites_fresh"}
    with scopes_disabled():
        assert KpiSetChange.objects.count() == 1

    # His ticks are kept on the conflict view; he adds hers to his and saves: all three.
    again = form_data(body, having="version")
    assert again["templates"] == str(laptops.pk)
    assert second.post(page, {**again, "templates": [needs.pk, sites.pk, laptops.pk]}).status_code == 302
    assert in_set() == {"needs_met_72h", "sites_fresh", "laptops_distributed"}


def test_the_same_set_from_a_stale_page_changes_nothing(cast, managers, kpi_templates):
    first, second = managers
    with scopes_disabled():
        needs = KpiTemplate.objects.get(key="needs_met_72h")
    page = url(cast, "plan:kpi_choose")
    hers, his = loaded(first, page, having="version"), loaded(second, page, having="version")
    assert first.post(page, {**hers, "templates": [needs.pk]}).status_code == 302
    response = second.post(page, {**his, "templates": [needs.pk]})
    assert response.status_code == 302
    assert "The set is as it was" in second.get(response["Location"]).content.decode()
    with scopes_disabled():
        assert KpiSetChange.objects.count() == 1


def test_a_custom_kpi_added_meanwhile_is_not_taken_out_unseen(cast, managers, kpi_templates):
    first, second = managers
    page = url(cast, "plan:kpi_choose")
    his = loaded(second, page, having="version")
    custom = loaded(first, page, having="custom-name", **{
        "custom-name": "שיחות עם הורים", "custom-unit": "count", "custom-cadence": "weekly",
        "custom-direction": "higher"})
    assert first.post(page, custom).status_code == 302
    # His page did not show her KPI, so his form does not keep it: that is a conflict, not a removal.
    assert second.post(page, his).status_code == 409
    with scopes_disabled():
        assert Kpi.objects.get(name="שיחות עם הורים").is_active


def test_compute_now_twice_computes_once_and_again_after_a_reload(cast, client_for):
    from hosen.field.models import Site, SiteStatus

    with scopes_disabled():
        site = Site.objects.create(authority=cast.authority, name="בית ספר", kind="school")
        SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site, status="open")
    kpi = make_kpi(cast.authority, cast.emergency, unit="percent", source="sites_fresh")
    client = client_for(cast.team)
    page = url(cast, "plan:kpi", kpi_pk=kpi.pk)

    def computed():
        with scopes_disabled():
            return Measurement.objects.filter(kpi=kpi, computed=True).count()

    data = loaded(client, page, having="after")
    assert data["submission"]
    answers = [client.post(page, data) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]
    assert computed() == 1

    # The page, loaded again, shows that value: computing from it is a new request.
    data = loaded(client, page, having="after")
    assert client.post(page, data).status_code == 302
    assert computed() == 2
