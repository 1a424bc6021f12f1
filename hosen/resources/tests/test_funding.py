"""The funding and support register: totals by status in shekels, deadlines that stand out, the form
(amounts, warnings that do not block, categories, the emergency), the export, and the queries each page costs."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from hosen.integrity.testing import with_version
from hosen.resources.models import FundingSource
from hosen.resources.views_funding import grouped, money

from .matrix_registers import make_funding

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(cast, name, **kwargs):
    return reverse(f"resources:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


@pytest.fixture
def sources(cast):
    """source       kind           status      requested  approved  received  deadline    categories
    rashi         philanthropic  approved     120,000   100,000    40,000   in 3 days   equipment, learning
    ministry      national       requested    250,000         —         —   in 20 days  staff
    city          municipal      received      50,000    50,000    50,000   2 days ago  —
    hi-tech       business       identified         —         —         —   —           equipment
    refused       philanthropic  rejected      30,000         —         —   tomorrow    food
    theirs        (another authority, received 9,999,999)
    Totals: requested 450,000, approved 150,000, received 90,000."""
    today = timezone.localdate()
    return {
        "rashi": make_funding(cast.authority, "Rashi fund", "philanthropic", status="approved", requested=120000,
                              approved=100000, received=40000, deadline=today + timedelta(days=3),
                              categories=["equipment", "learning"], emergency=cast.emergency),
        "ministry": make_funding(cast.authority, "Ministry of Education", "national", status="requested",
                                 requested=250000, deadline=today + timedelta(days=20), categories=["staff"],
                                 emergency=cast.emergency),
        "city": make_funding(cast.authority, "City budget", "municipal", status="received", requested=50000,
                             approved=50000, received=50000, deadline=today - timedelta(days=2)),
        "hitech": make_funding(cast.authority, "Hi-tech company", "business", categories=["equipment"]),
        "refused": make_funding(cast.authority, "Refused fund", "philanthropic", status="rejected", requested=30000,
                                deadline=today + timedelta(days=1), categories=["food"]),
        "theirs": make_funding(cast.other_authority, "Their secret fund", status="received", received=9999999),
    }


def listed(response):
    return [source.name for source in response.context["page"].object_list]


@pytest.mark.django_db
def test_the_list_has_totals_by_status_in_shekels(cast, client_for, sources):
    response = client_for(cast.viewer).get(url(cast, "funding"), **EN)
    assert response.status_code == 200
    by_status = {row["value"]: row for row in response.context["by_status"]}
    assert (by_status["approved"]["n"], by_status["approved"]["requested"], by_status["approved"]["approved"],
            by_status["approved"]["received"]) == (1, "₪120,000", "₪100,000", "₪40,000")
    assert by_status["requested"]["requested"] == "₪250,000"
    assert by_status["identified"]["n"] == 1 and by_status["identified"]["requested"] == ""  # shown as —
    assert response.context["overall"] == {"requested": "₪450,000", "approved": "₪150,000", "received": "₪90,000"}
    html = response.content.decode()
    assert "Their secret fund" not in html and "9,999,999" not in html
    # By deadline, the ones without one last.
    assert listed(response) == ["City budget", "Refused fund", "Rashi fund", "Ministry of Education",
                                "Hi-tech company"]


@pytest.mark.django_db
def test_deadlines_within_a_week_stand_out_while_the_money_is_still_to_come(cast, client_for, sources):
    response = client_for(cast.team).get(url(cast, "funding"), **EN)
    cards = {source.name: source for source in response.context["page"].object_list}
    assert cards["Rashi fund"].deadline_soon and cards["Rashi fund"].days_left == 3
    assert not cards["Ministry of Education"].deadline_soon  # in 20 days
    assert not cards["Refused fund"].deadline_soon  # rejected: nothing to chase
    assert not cards["City budget"].deadline_soon and not cards["City budget"].deadline_passed  # received
    assert response.context["soon"] == 1
    html = response.content.decode()
    assert "deadline-soon" in html and "1 deadline in the coming week" in html and "in 3 days" in html


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected", [
    ({"status": "approved"}, ["Rashi fund"]),
    ({"kind": "philanthropic"}, ["Refused fund", "Rashi fund"]),
    ({"category": "equipment"}, ["Rashi fund", "Hi-tech company"]),
    ({"q": "ministry"}, ["Ministry of Education"]),
    ({"status": "lost"}, ["City budget", "Refused fund", "Rashi fund", "Ministry of Education", "Hi-tech company"]),
])
def test_filters(cast, client_for, sources, query, expected):
    assert listed(client_for(cast.team).get(url(cast, "funding"), query, **EN)) == expected


@pytest.mark.django_db
def test_the_status_filter_leaves_the_totals_by_status_whole(cast, client_for, sources):
    response = client_for(cast.team).get(url(cast, "funding"), {"status": "received", "kind": "municipal"}, **EN)
    assert listed(response) == ["City budget"] and response.context["total"] == 1
    by_status = {row["value"]: row["n"] for row in response.context["by_status"]}
    assert by_status == {"identified": 0, "requested": 0, "approved": 0, "received": 1, "rejected": 0}


def test_amounts_follow_the_locale_with_thousands_grouped():
    with translation.override("he"):
        assert money(Decimal("1234567")) == "₪1,234,567"
        assert money(Decimal("1250.5")) == "₪1,250.50"
    with translation.override("ar"):
        assert money(Decimal("1250.5")) == "₪1.250,50"
    with translation.override("en"):
        assert grouped(1000) == "1,000" and money(None) == ""


def funding_data(**overrides):
    data = {"name": "Emergency grant", "kind": "philanthropic", "contact": "Ruth", "status": "requested",
            "requested": "25,000", "approved": "", "received": "", "deadline": "2026-12-31",
            "categories": ["food", "equipment"], "restrictions": "", "for_emergency": "on", "notes": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_a_new_source_for_this_emergency(cast, client_for):
    response = client_for(cast.team).post(url(cast, "funding_new"), funding_data(), **EN)
    assert response.status_code == 302
    with scopes_disabled():
        source = FundingSource.objects.get(name="Emergency grant")
    assert source.requested == Decimal("25000") and source.approved is None
    assert source.categories == ["equipment", "food"]  # in the categories' order
    assert source.emergency == cast.emergency and str(source.deadline) == "2026-12-31"
    assert response["Location"].endswith(f"#funding-{source.pk}")


@pytest.mark.django_db
def test_approved_above_requested_is_saved_with_a_warning(cast, client_for):
    client = client_for(cast.team)
    data = funding_data(status="received", requested="10000", approved="12000", received="")
    response = client.post(url(cast, "funding_new"), data, follow=True, **EN)
    html = response.content.decode()
    assert "The approved amount is more than was requested — saved as written." in html
    assert "The status is “received” but no amount received is written." in html
    with scopes_disabled():
        assert FundingSource.objects.get(name="Emergency grant").approved == Decimal("12000")


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, message", [
    ({"requested": "-5"}, "requested", "An amount cannot be negative."),
    ({"received": "-0.01"}, "received", "An amount cannot be negative."),
    ({"approved": "lots"}, "approved", "Write an amount in shekels, in digits (for example 25000)."),
    ({"approved": "12.345"}, "approved", "Shekels and agorot: at most 2 digits after the point."),
    ({"requested": "99999999999"}, "requested", "That amount is too large: check the number."),
    ({"deadline": "next week"}, "deadline", "Write a date, like 2026-12-31."),
    ({"categories": ["money"]}, "categories", "Select a valid choice."),
    ({"status": "maybe"}, "status", "Select a valid choice."),
])
def test_bad_input_gets_a_clear_message_and_saves_nothing(cast, client_for, overrides, field, message):
    response = client_for(cast.manager).post(url(cast, "funding_new"), funding_data(**overrides), **EN)
    assert response.status_code == 422
    assert any(message in error for error in response.context["form"].errors[field]), response.context["form"].errors
    with scopes_disabled():
        assert not FundingSource.objects.exists()


@pytest.mark.django_db
def test_edit_can_take_a_source_out_of_this_emergency(cast, client_for, sources):
    rashi = sources["rashi"]
    client = client_for(cast.manager)
    form = client.get(url(cast, "funding_edit", funding_pk=rashi.pk), **EN).context["form"]
    assert form.initial["for_emergency"] is True and form.initial["categories"] == ["equipment", "learning"]
    assert client.post(url(cast, "funding_edit", funding_pk=rashi.pk),
                       with_version(rashi, funding_data(name="Rashi fund", for_emergency=None))).status_code == 302
    with scopes_disabled():
        rashi.refresh_from_db()
    assert rashi.emergency is None and rashi.name == "Rashi fund"
    assert client.get(url(cast, "funding_edit", funding_pk=sources["theirs"].pk)).status_code == 404


@pytest.mark.django_db
def test_export_has_amounts_as_numbers_and_hxl_tags(cast, client_for, sources):
    response = client_for(cast.viewer).get(url(cast, "funding_export", fmt="csv"), {"kind": "philanthropic"}, **EN)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][4:8] == ["#value+requested", "#value+approved", "#value+received", "#currency"]
    rashi = dict(zip(rows[0], rows[3], strict=True))
    assert (rashi["name"], rashi["requested (₪)"], rashi["currency"]) == ("Rashi fund", "120000.0", "ILS")
    assert rashi["need categories it can fund"] == "Equipment and connectivity, Learning content and platforms"


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_sources(cast, client_for, sources):
    client = client_for(cast.team)
    path = url(cast, "funding")
    client.get(path)
    with CaptureQueriesContext(connection) as small:
        client.get(path)
    today = timezone.localdate()
    for n in range(60):
        make_funding(cast.authority, f"S{n}", ["municipal", "business"][n % 2],
                     status=["identified", "approved", "received"][n % 3], requested=n * 100,
                     deadline=today + timedelta(days=n % 10), categories=["food"])
    with CaptureQueriesContext(connection) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small), f"{len(small)} then {len(large)}"
    assert len(large) <= 10, len(large)


@pytest.mark.django_db
def test_evidence_for_funding_found_in_this_emergency(cast, sources, django_assert_max_num_queries):
    from .test_people import evidence

    with django_assert_max_num_queries(2):
        found = evidence(cast, 20)
    # Only the two sources found for this emergency: Rashi (approved 100,000, received 40,000) and the ministry.
    assert found[20].text == "2 funding sources found for this emergency: ₪100,000 approved, ₪40,000 received"
    assert found[20].url == url(cast, "funding")
