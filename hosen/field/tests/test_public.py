"""The quick-report form for people without an account: what it saves, what it refuses, what it never shows."""

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.field.models import Need, SiteStatus
from hosen.workmodel import services as workmodel_services

from .matrix_links import make_link, make_site


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def place(cast):
    """Sites of the cast's authority and of another, with a status and a staff name that must never show."""
    with scopes_disabled():
        cast.manager.full_name = "Miriam Staffname"
        cast.manager.save(update_fields=["full_name"])
        north_school = make_site(cast.authority, "Alon North School", area="North")
        north_kg = make_site(cast.authority, "Shaked North Kindergarten", kind="kindergarten", area="North")
        south_school = make_site(cast.authority, "Dekel South School", area="South")
        closed_school = make_site(cast.authority, "Closed Old School", area="North", is_active=False)
        theirs = make_site(cast.other_authority, "Their Secret School", area="North")
        SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=south_school,
                                  status="damaged", note="Roof collapsed in wing B")
    return {"north_school": north_school, "north_kg": north_kg, "south_school": south_school,
            "closed_school": closed_school, "theirs": theirs}


def report_url(link):
    return reverse("field_public:report", kwargs={"link_token": link.token})


def report_data(**overrides):
    data = {"submission": str(uuid.uuid4()), "status": "partial", "present": "120", "evacuated": "30",
            "hosted": "", "protected_space": "yes", "need_categories": ["equipment", "food"],
            "need_description": "20 laptops and water", "urgency": "4", "is_emerging": "on",
            "note": "Half the classes are open", "reporter_name": "Yossi"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_a_site_link_report_updates_the_board_and_the_needs_at_once(cast, client, place):
    site = place["north_school"]
    link = make_link(cast.authority, cast.emergency, site=site)
    page = client.get(report_url(link))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alon North School" in html
    assert 'data-keep="report-' in html and 'name="submission"' in html
    assert 'name="site"' not in html  # a site link has nothing to choose

    data = report_data()
    response = client.post(report_url(link), data)
    assert response.status_code == 302
    assert response["Location"] == f"{report_url(link)}?sent={data['submission']}"
    with scopes_disabled():
        report = SiteStatus.objects.get(submission=data["submission"])
        needs = list(Need.objects.filter(submission=data["submission"]).order_by("category"))
    assert (report.site, report.emergency, report.status) == (site, cast.emergency, "partial")
    assert (report.present, report.evacuated, report.hosted) == (120, 30, None)
    assert report.protected_space_available is True
    assert report.via_link == link and report.reporter_name == "Yossi" and report.reported_by is None
    assert report.note == "Half the classes are open"
    assert [n.category for n in needs] == ["equipment", "food"]
    for need in needs:
        assert (need.site, need.audience, need.urgency, need.is_emerging) == (site, "site", 4, True)
        assert need.description == "20 laptops and water" and need.via_link == link
        assert "Yossi" in need.source and need.status == "open"

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert f'data-clear-keep="report-{link.token}"' in thanks.content.decode()
    assert "Alon North School" in thanks.content.decode()


@pytest.mark.django_db
def test_sending_the_same_form_twice_stores_it_once(cast, client, place):
    link = make_link(cast.authority, cast.emergency, group_area="North")
    data = report_data(site=str(place["north_school"].pk))
    first = client.post(report_url(link), data)
    second = client.post(report_url(link), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    with scopes_disabled():
        assert SiteStatus.objects.filter(via_link=link).count() == 1
        assert Need.objects.filter(via_link=link).count() == 2
        assert Need.objects.filter(via_link=link, category="equipment").count() == 1
    # A new form (a new key) is a new report.
    client.post(report_url(link), report_data(site=str(place["north_school"].pk), status="open"))
    with scopes_disabled():
        assert SiteStatus.objects.filter(via_link=link).count() == 2
        assert Need.objects.filter(via_link=link).count() == 4


@pytest.mark.django_db
def test_a_need_already_stored_for_the_form_is_not_stored_again(cast, client, place):
    """Two sendings racing past the status check: the need constraint still keeps one need per category."""
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    data = report_data(need_categories=["equipment"])
    with scopes_disabled():
        Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="site", category="equipment",
                            description="first", submission=data["submission"])
    assert client.post(report_url(link), data).status_code == 302
    with scopes_disabled():
        assert Need.objects.filter(submission=data["submission"]).count() == 1
        assert SiteStatus.objects.filter(submission=data["submission"]).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("forged", ["south_school", "closed_school", "theirs", "north_kg"])
def test_a_group_link_reports_only_on_its_own_sites(cast, client, place, forged):
    link = make_link(cast.authority, cast.emergency, group_kind="school", group_area="North")
    page = client.get(report_url(link)).content.decode()
    assert "Alon North School" in page
    for other in ("Shaked North Kindergarten", "Dekel South School", "Closed Old School", "Their Secret School"):
        assert other not in page
    response = client.post(report_url(link), report_data(site=str(place[forged].pk)))
    assert response.status_code == 422
    assert "Choose one of the sites in the list." in response.content.decode()
    with scopes_disabled():
        assert not SiteStatus.objects.filter(via_link=link).exists()
        assert not Need.objects.filter(via_link=link).exists()


@pytest.mark.django_db
def test_a_site_link_ignores_a_forged_site(cast, client, place):
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    client.post(report_url(link), report_data(site=str(place["theirs"].pk)))
    with scopes_disabled():
        assert SiteStatus.objects.get(via_link=link).site == place["north_school"]


@pytest.mark.django_db
def test_bad_input_gets_clear_messages_and_saves_nothing(cast, client, place):
    client.cookies["django_language"] = "en"  # Django's own messages come translated
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    cases = [
        (report_data(status=""), "Choose the site&#x27;s status."),
        (report_data(status="flying"), "Select a valid choice"),
        (report_data(present="-3"), "Enter 0 or more."),
        (report_data(present="many"), "Enter a whole number"),
        (report_data(need_description=""), "Write in a few words what is needed."),
        (report_data(need_categories=[]), "Tick what kind of need it is"),
        (report_data(need_categories=["weapons"]), "Select a valid choice"),
        (report_data(note="x" * 2001), "at most 2000 characters"),
    ]
    for data, message in cases:
        response = client.post(report_url(link), data)
        assert response.status_code == 422, data
        assert message in response.content.decode(), message
    with scopes_disabled():
        assert not SiteStatus.objects.filter(via_link=link).exists()
        assert not Need.objects.filter(via_link=link).exists()


@pytest.mark.django_db
def test_a_lost_form_key_asks_to_send_again_with_a_new_one(cast, client, place):
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    response = client.post(report_url(link), report_data(submission="not-a-uuid"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "This form is out of date" in html
    assert 'value="not-a-uuid"' not in html
    with scopes_disabled():
        assert not SiteStatus.objects.filter(via_link=link).exists()


@pytest.mark.django_db
def test_a_report_without_needs_adds_no_need(cast, client, place):
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    data = report_data(need_categories=[], need_description="", is_emerging=None, present="", evacuated="",
                       protected_space="", reporter_name="")
    assert client.post(report_url(link), data).status_code == 302
    with scopes_disabled():
        report = SiteStatus.objects.get(via_link=link)
        assert not Need.objects.filter(via_link=link).exists()
    assert report.present is None and report.protected_space_available is None and report.reporter_name == ""


@pytest.mark.django_db
def test_unknown_revoked_expired_and_closed_links_are_calmly_refused(cast, client, place):
    unknown = client.get(reverse("field_public:report", kwargs={"link_token": "no-such-token"}))
    assert unknown.status_code == 404
    assert "no longer valid" in unknown.content.decode()
    assert cast.authority.name not in unknown.content.decode()
    assert client.post(reverse("field_public:report", kwargs={"link_token": "no-such-token"}),
                       report_data()).status_code == 404

    revoked = make_link(cast.authority, cast.emergency, site=place["north_school"])
    with scopes_disabled():
        revoked.revoked_at = timezone.now()
        revoked.save()
    expired = make_link(cast.authority, cast.emergency, site=place["north_school"], hours=-1)
    inactive = make_link(cast.authority, cast.emergency, site=place["closed_school"])
    empty_group = make_link(cast.authority, cast.emergency, group_area="Nowhere")
    for link in (revoked, expired, inactive, empty_group):
        page = client.get(report_url(link))
        assert page.status_code == 410
        assert "Alon North School" not in page.content.decode() and "Closed Old School" not in page.content.decode()
        assert client.post(report_url(link), report_data()).status_code == 410
    with scopes_disabled():
        assert not SiteStatus.objects.filter(via_link__isnull=False).exists()

    still_good = make_link(cast.authority, cast.emergency, site=place["north_school"])
    assert client.get(report_url(still_good)).status_code == 200
    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "We learned a lot from this emergency.")
    assert client.get(report_url(still_good)).status_code == 410
    assert client.post(report_url(still_good), report_data()).status_code == 410
    with scopes_disabled():
        assert not SiteStatus.objects.filter(via_link=still_good).exists()


@pytest.mark.django_db
def test_the_public_form_leaks_nothing(cast, client_for, place):
    """Another site's name or status, another authority, the staff: none of them in the page, for anyone."""
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    with scopes_disabled():
        from hosen.field.models import Pulse, PulseRecipient

        pulse = Pulse.objects.create(authority=cast.authority, emergency=cast.emergency, title="Internal pulse",
                                     expires_at=timezone.now() + timedelta(days=1))
        PulseRecipient.objects.create(authority=cast.authority, pulse=pulse, name="Rina Teammate")
    for user in (None, cast.outsider, cast.manager):
        html = client_for(user).get(report_url(link)).content.decode()
        for secret in ("Shaked North Kindergarten", "Dekel South School", "Roof collapsed", "Their Secret School",
                       cast.other_authority.name, "Miriam Staffname", cast.manager.email, "Rina Teammate",
                       "Internal pulse", cast.emergency.name, "/a/"):
            assert secret not in html, (user, secret)


@pytest.mark.django_db
def test_the_form_speaks_the_chosen_language_for_anyone(cast, client, place, settings):
    settings.LANGUAGE_CODE = "he"  # the production default
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    assert 'lang="he" dir="rtl"' in client.get(report_url(link)).content.decode()
    switched = client.post(reverse("set_language"), {"language": "ar", "next": report_url(link)})
    assert switched.status_code == 302 and switched["Location"] == report_url(link)
    assert 'lang="ar" dir="rtl"' in client.get(report_url(link)).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": report_url(link)})
    html = client.get(report_url(link)).content.decode()
    assert 'lang="en" dir="ltr"' in html and "Send the report" in html


@pytest.mark.django_db
def test_sending_is_rate_limited_with_a_friendly_page(cast, client, place, settings):
    settings.RATELIMIT_PUBLIC_POST_IP = "3/10m"
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    # Three different reports (the same one again would be recognised as a resend and stored once).
    statuses = [client.post(report_url(link), report_data(present=str(100 + n))).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    limited = client.post(report_url(link), report_data(), HTTP_ACCEPT_LANGUAGE="en")
    assert limited.status_code == 429
    assert "Too many sendings" in limited.content.decode()
    with scopes_disabled():
        assert SiteStatus.objects.filter(via_link=link).count() == 3
    # Another IP may still send; reading the form is not limited by sending.
    other = client.post(report_url(link), report_data(), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302
    assert client.get(report_url(link)).status_code == 200


@pytest.mark.django_db
def test_sending_is_rate_limited_per_token_across_addresses(cast, client, place, settings):
    settings.RATELIMIT_PUBLIC_POST_TOKEN = "2/10m"
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    other = make_link(cast.authority, cast.emergency, site=place["north_school"])
    statuses = [client.post(report_url(link), report_data(), REMOTE_ADDR=f"10.0.0.{n}").status_code
                for n in range(3)]
    assert statuses == [302, 302, 429]
    assert client.post(report_url(other), report_data(), REMOTE_ADDR="10.0.0.9").status_code == 302


@pytest.mark.django_db
def test_reading_is_rate_limited_too(cast, client, place, settings):
    settings.RATELIMIT_PUBLIC_GET = "5/10m"
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    statuses = [client.get(report_url(link)).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # Guessing tokens counts as well.
    assert client.get(reverse("field_public:report", kwargs={"link_token": "guess"})).status_code == 429


@pytest.mark.django_db
def test_the_thank_you_page_needs_a_report_sent_through_this_link(cast, client, place):
    link = make_link(cast.authority, cast.emergency, site=place["north_school"])
    other = make_link(cast.authority, cast.emergency, site=place["north_school"])
    data = report_data()
    client.post(report_url(other), data)
    for sent in (data["submission"], "rubbish", str(uuid.uuid4())):
        response = client.get(report_url(link), {"sent": sent})
        assert response.status_code == 302 and response["Location"] == report_url(link)


@pytest.mark.django_db
def test_the_group_link_thank_you_offers_another_report(cast, client, place):
    link = make_link(cast.authority, cast.emergency, group_area="North")
    response = client.post(report_url(link), report_data(site=str(place["north_kg"].pk)), follow=True)
    html = response.content.decode()
    assert "Send another report" in html and f'href="{report_url(link)}"' in html


def _count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), response.status_code
    return len(queries)


@pytest.mark.django_db
def test_queries_of_the_public_form_do_not_grow(cast, client, place):
    link = make_link(cast.authority, cast.emergency, group_area="North")
    client.get(report_url(link))
    small_get = _count(client, "get", report_url(link))
    small_post = _count(client, "post", report_url(link), report_data(site=str(place["north_school"].pk)))
    with scopes_disabled():
        for n in range(30):
            site = make_site(cast.authority, f"Grown site {n}", area="North")
            SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site, status="open",
                                      via_link=link)
    large_get = _count(client, "get", report_url(link))
    # Another report (the same one again would be a resend, answered from the submissions ledger).
    large_post = _count(client, "post", report_url(link), report_data(site=str(place["north_school"].pk),
                                                                      present="77"))
    assert large_get == small_get <= 6, (small_get, large_get)
    # 10 + 4 a ticked need category (savepoint, need, its history, release): 2 here, at most 8 in all; and
    # the submissions ledger: the key, the same content, the claim and its answer (6 with the transaction's).
    assert large_post == small_post <= 24, (small_post, large_post)
