"""The needs register: list, filters and counts, pagination, quick status changes, the forms, the history
and the export."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from hosen.field import services
from hosen.field.models import Need, NeedStatus, ReportLink, Site
from hosen.integrity.testing import with_version
from hosen.workmodel.models import Emergency, EmergencyKind, Phase, Severity

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(cast, name, **kwargs):
    return reverse(f"field:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def make_need(cast, *, authority=None, emergency=None, age_hours=1, **fields):
    values = {"audience": "students", "category": "equipment", "description": "צורך", "urgency": 2,
              "status": NeedStatus.OPEN, **fields}
    with scopes_disabled():
        return Need.objects.create(authority=authority or cast.authority, emergency=emergency or cast.emergency,
                                   created_at=timezone.now() - timedelta(hours=age_hours), **values)


def make_site(authority, name, **fields):
    with scopes_disabled():
        return Site.objects.create(authority=authority, name=name, kind="school", **fields)


def history_of(need):
    with scopes_disabled():
        return list(need.history.order_by("-history_date", "-history_id"))


@pytest.fixture
def register(cast):
    """Six needs counted by hand (see the table in each test), two sites, and needs that must never show:
    another authority's and a closed emergency's."""
    north = make_site(cast.authority, "בית ספר הצפון")
    south = make_site(cast.authority, "גן השקד")
    needs = {
        "laptops": make_need(cast, category="equipment", urgency=4, status="open", audience="students", site=north,
                             is_emerging=True, description="מחשבים ניידים לכיתות ח׳", age_hours=30),
        "routers": make_need(cast, category="equipment", urgency=3, status="in_progress", audience="teams",
                             description="נתבים לחדר המורים", age_hours=20),
        "support": make_need(cast, category="emotional", urgency=4, status="open", audience="parents", site=south,
                             is_emerging=True, description="תמיכה רגשית להורים", age_hours=10),
        "books": make_need(cast, category="emotional", urgency=1, status="met", audience="community", site=north,
                           description="ספרי קריאה למועדון", age_hours=40),
        "meals": make_need(cast, category="food", urgency=2, status="cannot", audience="site", site=south,
                           is_emerging=True, description="ארוחות חמות", age_hours=5),
        "bus": make_need(cast, category="transport", urgency=3, status="open", audience="students", site=north,
                         description="הסעה לבית הספר המארח", age_hours=2),
    }
    make_need(cast, authority=cast.other_authority, emergency=_other_emergency(cast), description="סוד של רשות ב")
    with scopes_disabled():
        closed = Emergency.objects.create(authority=cast.authority, name="ישן", kind=EmergencyKind.FIRE,
                                          started_on="2025-01-01", severity=Severity.LOW, phase=Phase.CLOSED)
    make_need(cast, emergency=closed, description="צורך מאירוע שנסגר")
    return {"north": north, "south": south, **needs}


def _other_emergency(cast):
    with scopes_disabled():
        return Emergency.objects.get(authority=cast.other_authority)


def listed(response):
    return [need.description for need in response.context["page"].object_list]


# ---- the list, filters and counts ------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_the_current_emergencys_needs_by_urgency_then_age(cast, client_for, register):
    response = client_for(cast.viewer).get(url(cast, "needs"), **EN)
    assert response.status_code == 200
    # critical first, the older one first; then high, oldest first; then medium, low
    assert listed(response) == ["מחשבים ניידים לכיתות ח׳", "תמיכה רגשית להורים", "נתבים לחדר המורים",
                                "הסעה לבית הספר המארח", "ארוחות חמות", "ספרי קריאה למועדון"]
    body = response.content.decode()
    assert "סוד של רשות ב" not in body and "צורך מאירוע שנסגר" not in body
    assert 'dir="auto"' in body
    # a viewer sees no status buttons and no "new need"
    assert url(cast, "need_status", need_pk=register["laptops"].pk) not in body
    assert url(cast, "need_new") not in body


@pytest.mark.django_db
def test_counts_by_status_urgency_and_category_match_a_hand_count(cast, client_for, register):
    context = client_for(cast.manager).get(url(cast, "needs"), **EN).context
    counts = context["counts"]
    assert (counts["total"], counts["open"], counts["in_progress"], counts["met"], counts["cannot"]) == (6, 3, 1, 1, 1)
    assert counts["urgent_open"] == 3  # laptops, support, bus
    assert counts["emerging"] == 3
    assert {r["value"]: r["n"] for r in context["by_urgency"]} == {"4": 2, "3": 2, "2": 1, "1": 1}
    assert {r["value"]: r["n"] for r in context["by_category"]} == {"equipment": 2, "emotional": 2, "food": 1,
                                                                   "transport": 1}
    assert {r["value"]: r["n"] for r in context["by_status"]} == {"open": 3, "in_progress": 1, "met": 1, "cannot": 1}


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected", [
    ({"category": "equipment"}, {"laptops", "routers"}),
    ({"urgency": "4"}, {"laptops", "support"}),
    ({"status": "open"}, {"laptops", "support", "bus"}),
    ({"status": "unmet"}, {"laptops", "routers", "support", "bus"}),
    ({"audience": "students"}, {"laptops", "bus"}),
    ({"emerging": "1"}, {"laptops", "support", "meals"}),
    ({"emerging": "0"}, {"routers", "books", "bus"}),
    ({"q": "רגשית"}, {"support"}),
    ({"q": "  נתבים "}, {"routers"}),
    ({"category": "emotional", "status": "open"}, {"support"}),
    ({"category": "transport", "urgency": "1"}, set()),
])
def test_filters(cast, client_for, register, query, expected):
    response = client_for(cast.manager).get(url(cast, "needs"), query, **EN)
    assert set(listed(response)) == {register[key].description for key in expected}
    assert response.context["counts"]["total"] == len(expected)
    assert response.context["filtered"]


@pytest.mark.django_db
def test_site_filter_and_counts_follow_the_filtered_set(cast, client_for, register):
    response = client_for(cast.manager).get(url(cast, "needs"), {"site": register["north"].pk}, **EN)
    assert set(listed(response)) == {register[k].description for k in ("laptops", "books", "bus")}
    context = response.context
    assert {r["value"]: r["n"] for r in context["by_category"]} == {"equipment": 1, "emotional": 1, "transport": 1}
    assert {r["value"]: r["n"] for r in context["by_status"]} == {"open": 2, "in_progress": 0, "met": 1, "cannot": 0}
    assert context["counts"]["urgent_open"] == 2


@pytest.mark.django_db
def test_values_that_do_not_fit_are_ignored_not_an_error(cast, client_for, register):
    theirs = make_site(cast.other_authority, "אתר של רשות ב")
    for query in ({"urgency": "99"}, {"status": "lost"}, {"site": theirs.pk}, {"site": "x"}, {"emerging": "maybe"},
                  {"page": "abc"}, {"page": "999"}):
        response = client_for(cast.manager).get(url(cast, "needs"), query, **EN)
        assert response.status_code == 200, query
        assert len(listed(response)) == 6, query


@pytest.mark.django_db
def test_count_chips_toggle_a_filter_and_keep_the_others(cast, client_for, register):
    context = client_for(cast.manager).get(url(cast, "needs"), {"status": "open", "page": "1"}, **EN).context
    equipment = next(r for r in context["by_category"] if r["value"] == "equipment")
    assert equipment["href"] == "?status=open&category=equipment"
    chosen = next(r for r in context["by_status"] if r["value"] == "open")
    assert chosen["chosen"] and chosen["href"] == "?"


@pytest.mark.django_db
def test_pagination_fifty_a_page_and_pages_keep_the_filters(cast, client_for):
    for n in range(120):
        make_need(cast, description=f"צורך {n}", age_hours=200 - n, category="staff")
    make_need(cast, description="אחר", category="food")
    client = client_for(cast.manager)
    first = client.get(url(cast, "needs"), {"category": "staff"}, **EN)
    assert len(listed(first)) == 50 and listed(first)[0] == "צורך 0"
    assert first.context["page"].paginator.num_pages == 3
    assert 'href="?category=staff&amp;page=2"' in first.content.decode()
    last = client.get(url(cast, "needs"), {"category": "staff", "page": 3}, **EN)
    assert len(listed(last)) == 20 and listed(last)[-1] == "צורך 119"
    assert "אחר" not in last.content.decode()


@pytest.mark.django_db
def test_without_an_open_emergency_the_list_says_so(cast, client_for, register):
    with scopes_disabled():
        Emergency.objects.filter(pk=cast.emergency.pk).update(phase=Phase.CLOSED)
    response = client_for(cast.manager).get(url(cast, "needs"), **EN)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Needs belong to an emergency" in body
    assert reverse("workmodel:emergency_new", kwargs={"authority_slug": cast.authority.slug}) in body
    assert "מחשבים ניידים" not in body


# ---- quick status change ---------------------------------------------------------------------


@pytest.mark.django_db
def test_quick_status_change_with_htmx_returns_the_card_and_history_knows_who(cast, client_for, register):
    need = register["laptops"]
    response = client_for(cast.team).post(url(cast, "need_status", need_pk=need.pk),
                                          with_version(need, status="met", next=url(cast, "needs")), **HTMX, **EN)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "field/_need_card.html"
    body = response.content.decode()
    assert body.strip().startswith(f'<li class="card need urg-4 need-st-met need-closed" id="need-{need.pk}"')
    assert "<html" not in body
    assert "Status changed: Open → Met" in body
    need.refresh_from_db()
    assert need.status == "met" and need.resolved_at is not None
    latest = history_of(need)[0]
    assert latest.status == "met" and latest.history_user == cast.team
    # The same status again: nothing to record, nothing announced.
    again = client_for(cast.team).post(url(cast, "need_status", need_pk=need.pk), {"status": "met"}, **HTMX, **EN)
    assert again.status_code == 200 and "Status changed" not in again.content.decode()
    assert len(history_of(need)) == 2


@pytest.mark.django_db
def test_quick_status_change_without_htmx_returns_to_the_filtered_list(cast, client_for, register):
    need = register["routers"]
    back = url(cast, "needs") + "?category=equipment&page=1"
    response = client_for(cast.manager).post(url(cast, "need_status", need_pk=need.pk),
                                             with_version(need, status="open", next=back), **EN)
    assert response.status_code == 302
    assert response["Location"] == back + f"#need-{need.pk}"
    need.refresh_from_db()
    assert need.status == "open" and need.resolved_at is None
    assert history_of(need)[0].history_user == cast.manager


@pytest.mark.django_db
@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)",
                                  "http://testserver.evil.example/"])
def test_quick_status_change_never_redirects_elsewhere(cast, client_for, register, evil):
    need = register["routers"]
    response = client_for(cast.manager).post(url(cast, "need_status", need_pk=need.pk),
                                             {"status": "met", "next": evil})
    assert response.status_code == 302
    assert response["Location"] == url(cast, "needs") + f"#need-{need.pk}"


@pytest.mark.django_db
def test_an_invalid_status_changes_nothing(cast, client_for, register):
    need = register["laptops"]
    before = len(history_of(need))
    client = client_for(cast.manager)
    response = client.post(url(cast, "need_status", need_pk=need.pk), {"status": "solved"}, **HTMX, **EN)
    assert response.status_code == 422
    assert "Choose one of the statuses offered." in response.content.decode()
    response = client.post(url(cast, "need_status", need_pk=need.pk), {"status": ""}, **EN)
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == "open" and len(history_of(need)) == before


@pytest.mark.django_db
def test_a_need_of_a_closed_emergency_cannot_change(cast, client_for, register):
    with scopes_disabled():
        old = Need.objects.get(description="צורך מאירוע שנסגר")
    client = client_for(cast.manager)
    response = client.post(url(cast, "need_status", need_pk=old.pk), {"status": "met"}, **HTMX)
    assert response.status_code == 422
    assert client.get(url(cast, "need_edit", need_pk=old.pk)).status_code == 302
    old.refresh_from_db()
    assert old.status == "open"
    # its page still shows it, without the buttons
    page = client.get(url(cast, "need", need_pk=old.pk))
    assert page.status_code == 200 and url(cast, "need_status", need_pk=old.pk) not in page.content.decode()


@pytest.mark.django_db
def test_a_viewer_cannot_change_a_status(cast, client_for, register):
    need = register["laptops"]
    client = client_for(cast.viewer)
    response = client.post(url(cast, "need_status", need_pk=need.pk), {"status": "met"}, **HTMX)
    assert response.status_code == 403
    card = client.get(url(cast, "need_status", need_pk=need.pk), **HTMX)
    assert card.status_code == 200 and f'id="need-{need.pk}"' in card.content.decode()
    assert "<form" not in card.content.decode()
    need.refresh_from_db()
    assert need.status == "open"


@pytest.mark.django_db
def test_another_authoritys_need_is_404_everywhere(cast, client_for, register):
    with scopes_disabled():
        theirs = Need.objects.get(authority=cast.other_authority)
    client = client_for(cast.manager)
    for name in ("need", "need_edit", "need_status"):
        assert client.get(url(cast, name, need_pk=theirs.pk)).status_code == 404, name
    assert client.post(url(cast, "need_status", need_pk=theirs.pk), {"status": "met"}).status_code == 404
    assert client.post(url(cast, "need_edit", need_pk=theirs.pk), {"description": "x"}).status_code == 404
    assert client.get(url(cast, "need", need_pk=999999)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "open"


# ---- new and edit ----------------------------------------------------------------------------


def valid_post(**overrides):
    return {"audience": "students", "category": "learning", "description": "  גישה לפלטפורמת למידה  ",
            "quantity": "40", "urgency": "3", "is_emerging": "on", "source": "מנהלת בית הספר", "site": "",
            **overrides}


@pytest.mark.django_db
def test_new_need_is_added_to_the_current_emergency(cast, client_for, register):
    response = client_for(cast.team).post(url(cast, "need_new"), valid_post(site=register["north"].pk), **EN)
    assert response.status_code == 302
    with scopes_disabled():
        need = Need.objects.get(category="learning")
    assert response["Location"] == url(cast, "needs") + f"#need-{need.pk}"
    assert need.description == "גישה לפלטפורמת למידה"  # trimmed
    assert (need.emergency, need.authority, need.created_by) == (cast.emergency, cast.authority, cast.team)
    assert (need.quantity, need.urgency, need.is_emerging, need.site) == (40, 3, True, register["north"])
    assert need.status == "open"
    assert history_of(need)[0].history_user == cast.team


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, message", [
    ({"description": "   "}, "description", "This field is required."),
    ({"description": "א" * 2001}, "description", "at most 2000 characters"),
    ({"quantity": "0"}, "quantity", "The quantity must be at least 1, or left empty."),
    ({"quantity": "-3"}, "quantity", "at least 1"),
    ({"quantity": "99999999999"}, "quantity", "at most 1"),
    ({"quantity": "many"}, "quantity", "Enter a whole number."),
    ({"audience": "site", "site": ""}, "site", "Choose the site that needs it"),
    ({"urgency": "9"}, "urgency", "Select a valid choice"),
    ({"category": ""}, "category", "Choose one of the options."),
])
def test_new_need_refuses_bad_input_with_a_clear_message(cast, client_for, register, overrides, field, message):
    response = client_for(cast.manager).post(url(cast, "need_new"), valid_post(**overrides), **EN)
    assert response.status_code == 422
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    with scopes_disabled():
        assert not Need.objects.filter(category="learning").exists()


@pytest.mark.django_db
def test_another_authoritys_site_or_a_retired_site_cannot_be_chosen(cast, client_for, register):
    theirs = make_site(cast.other_authority, "אתר של רשות ב")
    retired = make_site(cast.authority, "בית ספר שנסגר", is_active=False)
    client = client_for(cast.manager)
    page = client.get(url(cast, "need_new"), **EN).content.decode()
    assert "בית ספר הצפון" in page and "אתר של רשות ב" not in page and "בית ספר שנסגר" not in page
    for site in (theirs, retired):
        response = client.post(url(cast, "need_new"), valid_post(audience="site", site=site.pk), **EN)
        assert response.status_code == 422
        assert "Select a valid choice" in " ".join(response.context["form"].errors["site"])
    with scopes_disabled():
        assert not Need.objects.filter(category="learning").exists()


@pytest.mark.django_db
def test_new_need_without_an_open_emergency_offers_to_open_one(cast, client_for):
    with scopes_disabled():
        Emergency.objects.filter(pk=cast.emergency.pk).update(phase=Phase.CLOSED)
    open_url = reverse("workmodel:emergency_new", kwargs={"authority_slug": cast.authority.slug})
    manager_page = client_for(cast.manager).get(url(cast, "need_new"), **EN)
    body = manager_page.content.decode()
    assert "Needs belong to an emergency" in body and open_url in body and "<textarea" not in body
    team_page = client_for(cast.team).get(url(cast, "need_new"), **EN).content.decode()
    assert open_url not in team_page and "<textarea" not in team_page
    assert client_for(cast.manager).post(url(cast, "need_new"), valid_post()).status_code == 200
    with scopes_disabled():
        assert not Need.objects.filter(category="learning").exists()


@pytest.mark.django_db
def test_edit_changes_fields_and_status_and_keeps_history(cast, client_for, register):
    need = register["laptops"]
    data = valid_post(category="equipment", description="מחשבים ניידים ל-30 תלמידים", urgency="2",
                      quantity="30", status="in_progress", site=register["south"].pk, source="")
    response = client_for(cast.team).post(url(cast, "need_edit", need_pk=need.pk), with_version(need, data), **EN)
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.status, need.urgency, need.quantity, need.site) == ("in_progress", 2, 30, register["south"])
    assert need.resolved_at is None
    assert history_of(need)[0].history_user == cast.team
    # The edit form refuses a site audience without a site too.
    bad = client_for(cast.team).post(url(cast, "need_edit", need_pk=need.pk),
                                     with_version(need, data, audience="site", site=""), **EN)
    assert bad.status_code == 422 and "site" in bad.context["form"].errors


# ---- detail and history ----------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_shows_history_with_who_and_status_from_to(cast, client_for, register):
    need = register["support"]
    with scopes_disabled():
        services.change_need_status(need, "in_progress", cast.team)
        services.change_need_status(need, "met", cast.manager)
    client = client_for(cast.viewer)
    response = client.get(url(cast, "need", need_pk=need.pk), **EN)
    assert response.status_code == 200
    history = response.context["history"]
    assert [(h["status_change"], getattr(h["who"], "email", None)) for h in history] == [
        (("In progress", "Met"), "manager@test.org"),
        (("Open", "In progress"), "team@test.org"),
        ((None, "Open"), None),
    ]
    body = response.content.decode()
    assert "תמיכה רגשית להורים" in body
    shown = body[body.index('id="history-title"'):]
    assert shown.index("manager") < shown.index("team")  # newest first, with who
    assert "In progress" in shown and "Met" in shown


@pytest.mark.django_db
def test_history_shows_other_fields_changed_and_quick_reports(cast, client_for, register):
    with scopes_disabled():
        link = ReportLink.objects.create(authority=cast.authority, emergency=cast.emergency,
                                         expires_at=timezone.now() + timedelta(days=1))
        need = services.add_need(cast.authority, cast.emergency, audience="site", category="space",
                                 description="מרחב מוגן", site=register["north"], via_link=link)
    client_for(cast.manager).post(url(cast, "need_edit", need_pk=need.pk), with_version(need, valid_post(
        audience="site", category="space", description="מרחב מוגן גדול", urgency="4", quantity="",
        is_emerging="", source="", status="open", site=register["south"].pk)), **EN)
    history = client_for(cast.manager).get(url(cast, "need", need_pk=need.pk), **EN).context["history"]
    assert history[-1]["quick_report"] and history[-1]["who"] is None
    changed = {str(label): (before, after) for label, before, after in history[0]["changes"]}
    assert changed["site"] == ("בית ספר הצפון", "גן השקד")
    assert changed["urgency"] == ("Medium", "Critical")
    assert changed["description"] == ("מרחב מוגן", "מרחב מוגן גדול")
    assert "status" not in changed and history[0]["status_change"] is None
    assert history[0]["who"] == cast.manager


# ---- export ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_xlsx_has_every_filtered_need_with_hxl_tags(cast, client_for, register):
    for n in range(60):
        make_need(cast, category="equipment", description=f"ציוד {n}")
    make_need(cast, category="equipment", description="=HYPERLINK(\"http://x\")")
    response = client_for(cast.viewer).get(url(cast, "need_export", fmt="xlsx"), {"category": "equipment", "page": 2},
                                           **EN)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="needs-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, tags, data = rows[0], rows[1], rows[2:]
    assert "category" in header and "description" in header and "urgency" in header
    for tag in ("#sector", "#description", "#affected", "#value", "#severity", "#status", "#loc+name",
                "#date+reported"):
        assert tag in tags
    assert len(data) == 2 + 60 + 1  # all pages, only equipment
    first = dict(zip(header, data[0], strict=True))
    assert first["description"] == "מחשבים ניידים לכיתות ח׳"
    assert (first["category"], first["urgency"], first["status"], first["site"]) == (
        "Equipment and connectivity", "Critical", "Open", "בית ספר הצפון")
    formula = next(row for row in data if "HYPERLINK" in str(row[header.index("description")]))
    assert sheet.cell(row=rows.index(formula) + 1, column=header.index("description") + 1).data_type == "s"
    assert sheet.sheet_view.rightToLeft is False  # English is left to right


@pytest.mark.django_db
def test_export_csv_has_a_bom_and_the_users_language(cast, client_for, register):
    response = client_for(cast.manager).get(url(cast, "need_export", fmt="csv"), {"emerging": "1"},
                                            HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["#meta+id", "#date+reported", "#sector"]
    assert {row[4] for row in rows[2:]} == {"מחשבים ניידים לכיתות ח׳", "תמיכה רגשית להורים", "ארוחות חמות"}
    assert "סוד של רשות ב" not in response.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_export_of_an_unknown_format_is_404(cast, client_for, register):
    assert client_for(cast.manager).get(url(cast, "need_export", fmt="pdf")).status_code == 404


# ---- queries per page ------------------------------------------------------------------------


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_needs(cast, client_for):
    sites = [make_site(cast.authority, f"אתר {n}") for n in range(5)]
    for n in range(10):
        make_need(cast, site=sites[n % 5], category=["equipment", "food"][n % 2], urgency=1 + n % 4)
    client = client_for(cast.team)
    path = url(cast, "needs") + "?emerging=0"
    client.get(path)
    small = count_queries(client, path)
    for n in range(190):
        make_need(cast, site=sites[n % 5], category=["staff", "transport", "other"][n % 3], urgency=1 + n % 4,
                  status=["open", "met", "in_progress"][n % 3])
    large = count_queries(client, path)
    assert large == small, f"{small} queries with 10 needs, {large} with 200"
    assert large <= 12, large
    assert count_queries(client, url(cast, "needs") + "?page=4&site=" + str(sites[0].pk)) == large + 1  # the site


@pytest.mark.django_db
def test_detail_queries_do_not_grow_with_history(cast, client_for, register):
    need = register["bus"]
    client = client_for(cast.manager)
    path = url(cast, "need", need_pk=need.pk)
    client.get(path)
    small = count_queries(client, path)
    with scopes_disabled():
        for n in range(60):
            services.change_need_status(need, ["in_progress", "open"][n % 2], [cast.team, cast.manager][n % 2])
            need.site = [register["north"], register["south"]][n % 2]
            need._history_user = cast.manager
            need.save()
    assert len(history_of(need)) > 100
    large = count_queries(client, path)
    assert large == small, f"{small} queries with a short history, {large} with a long one"
    assert large <= 12, large
