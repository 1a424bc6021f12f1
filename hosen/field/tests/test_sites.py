"""The sites register: the field board (filters, totals, staleness), a site's status and its history,
adding, editing and archiving sites, the export, and the queries each page costs."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from hosen.field.models import Site, SiteKind, SiteState, SiteStatus
from hosen.integrity.testing import with_version
from hosen.workmodel import services as workmodel_services

NOW = timezone.now


def url(cast, tail=""):
    return f"/a/{cast.authority.slug}/sites/{tail}"


def make_site(authority, name, kind=SiteKind.SCHOOL, **fields):
    with scopes_disabled():
        return Site.objects.create(authority=authority, name=name, kind=kind, **fields)


def report(cast, site, status, hours_ago=1, emergency=None, **fields):
    with scopes_disabled():
        return SiteStatus.objects.create(authority=site.authority, emergency=emergency or cast.emergency, site=site,
                                         status=status, reported_at=NOW() - timedelta(hours=hours_ago), **fields)


@pytest.fixture
def field(cast):
    """Six active sites, one archived, one in another authority; counted by hand in the tests below.

    site          kind          area  students staff shelter(cap)  latest status (hours ago)
    alon          school        מרכז     400     30   yes (200)    partial 2h  present 250 evac 10 (was open 60h)
    tamar         school        דרום     600     50   no           remote 50h  present 0           -> stale
    rakefet       kindergarten  צפון      30      4   yes (40)     closed 1h   present 0
    mada          stem_centre   דרום     100     10   yes (60)     hosting 5h  present 20 hosted 70
    noar          youth_unit    מרכז       —      6   no           —                                   -> stale
    matnas        community     —          —     12   yes (—)      damaged 100h                        -> stale
    archived      school        מרכז     999     99   yes (500)    open 1h  (archived: not on the board)
    """
    a = cast.authority
    sites = {
        "alon": make_site(a, "בית ספר אלון", area="מרכז", students=400, staff=30, has_protected_space=True,
                          protected_capacity=200, code="111"),
        "tamar": make_site(a, "בית ספר תמר", area="דרום", students=600, staff=50),
        "rakefet": make_site(a, "גן רקפת", SiteKind.KINDERGARTEN, area="צפון", students=30, staff=4,
                             has_protected_space=True, protected_capacity=40),
        "mada": make_site(a, "מרכז המדע", SiteKind.STEM_CENTRE, area="דרום", students=100, staff=10,
                          has_protected_space=True, protected_capacity=60),
        "noar": make_site(a, "יחידת הנוער", SiteKind.YOUTH_UNIT, area="מרכז", staff=6),
        "matnas": make_site(a, "מתנס", SiteKind.COMMUNITY_CENTRE, staff=12, has_protected_space=True),
        "archived": make_site(a, "בית ספר ישן", area="מרכז", students=999, staff=99, has_protected_space=True,
                              protected_capacity=500, is_active=False),
    }
    report(cast, sites["alon"], SiteState.OPEN, 60, present=390)
    report(cast, sites["alon"], SiteState.PARTIAL, 2, present=250, evacuated=10, reported_by=cast.team,
           note="חסרים מורים")
    report(cast, sites["tamar"], SiteState.REMOTE, 50, present=0)
    report(cast, sites["rakefet"], SiteState.CLOSED, 1, present=0, reporter_name="רונית")
    report(cast, sites["mada"], SiteState.HOSTING, 5, present=20, hosted=70)
    report(cast, sites["matnas"], SiteState.DAMAGED, 100)
    report(cast, sites["archived"], SiteState.OPEN, 1, present=900)
    theirs = make_site(cast.other_authority, "בית ספר אלון", area="מרכז", students=5000)
    with scopes_disabled():
        their_emergency = workmodel_services.current_emergency(cast.other_authority)
    report(cast, theirs, SiteState.OPEN, 1, emergency=their_emergency, present=4000)
    sites["theirs"] = theirs
    return sites


def names(response):
    return {row.site.name for row in response.context["page"]}


# ---- the board ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_board_shows_every_active_site_with_totals(cast, client_for, field):
    response = client_for(cast.viewer).get(url(cast))
    assert response.status_code == 200
    assert names(response) == {"בית ספר אלון", "בית ספר תמר", "גן רקפת", "מרכז המדע", "יחידת הנוער", "מתנס"}
    totals = response.context["totals"]
    assert totals["sites"] == 6
    assert totals["students"] == 400 + 600 + 30 + 100
    assert totals["staff"] == 30 + 50 + 4 + 10 + 6 + 12
    assert totals["present"] == 250 + 0 + 0 + 20  # the latest report of each site, not alon's 390
    assert totals["evacuated"] == 10 and totals["hosted"] == 70
    assert totals["stale"] == 3  # tamar (50 h), noar (never), matnas (100 h)
    assert totals["no_status"] == 1
    assert totals["protected_spaces"] == 4 and totals["protected_capacity"] == 200 + 40 + 60
    by_state = {value: count for value, _label, count in totals["by_state"]}
    assert by_state == {"open": 0, "partial": 1, "remote": 1, "closed": 1, "damaged": 1, "hosting": 1}
    body = response.content.decode()
    assert body.count('<li class="site-card') == 6 and body.count(" is-stale") == 3
    assert "בית ספר ישן" not in body and "5000" not in body  # archived and the other authority's site


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected", [
    ("kind=school", {"בית ספר אלון", "בית ספר תמר"}),
    ("area=דרום", {"בית ספר תמר", "מרכז המדע"}),
    ("status=closed", {"גן רקפת"}),
    ("status=none", {"יחידת הנוער"}),
    ("status=stale", {"בית ספר תמר", "יחידת הנוער", "מתנס"}),
    ("kind=school&status=stale", {"בית ספר תמר"}),
    ("area=מרכז&status=partial", {"בית ספר אלון"}),
    ("q=רקפת", {"גן רקפת"}),
    ("q=111", {"בית ספר אלון"}),
    ("kind=no-such-kind", {"בית ספר אלון", "בית ספר תמר", "גן רקפת", "מרכז המדע", "יחידת הנוער", "מתנס"}),
])
def test_board_filters(cast, client_for, field, query, expected):
    response = client_for(cast.team).get(url(cast) + "?" + query)
    assert response.status_code == 200
    assert names(response) == expected
    assert response.context["totals"]["sites"] == len(expected)


@pytest.mark.django_db
def test_filtered_totals_count_only_the_filtered_sites(cast, client_for, field):
    totals = client_for(cast.manager).get(url(cast) + "?area=דרום").context["totals"]
    assert (totals["sites"], totals["students"], totals["present"], totals["hosted"], totals["stale"]) == \
        (2, 700, 20, 70, 1)
    assert totals["protected_spaces"] == 1 and totals["protected_capacity"] == 60


@pytest.mark.django_db
def test_the_area_filter_offers_the_authoritys_own_areas(cast, client_for, field):
    form = client_for(cast.viewer).get(url(cast)).context["form"]
    areas = [value for value, _label in form.fields["area"].choices if value]
    assert areas == sorted(["דרום", "מרכז", "צפון"])  # not the other authority's, no empty area


@pytest.mark.django_db
def test_a_status_turns_stale_after_48_hours(cast, client_for, field):
    client = client_for(cast.viewer)
    assert "גן רקפת" not in {r.site.name for r in client.get(url(cast) + "?status=stale").context["page"]}
    with scopes_disabled():
        SiteStatus.objects.filter(site=field["rakefet"]).update(reported_at=NOW() - timedelta(hours=49))
    assert "גן רקפת" in {r.site.name for r in client.get(url(cast) + "?status=stale").context["page"]}


@pytest.mark.django_db
def test_without_an_open_emergency_the_board_lists_sites_calmly(cast, client_for, field):
    workmodel_services.close_emergency(cast.emergency, "לקחים מהאירוע הקודם")
    response = client_for(cast.manager).get(url(cast), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert len(names(response)) == 6
    assert "status" not in response.context["form"].fields
    body = response.content.decode()
    assert "no open emergency" in body and "site-st-partial" not in body and "is-stale" not in body
    # The site page says that a status needs an open emergency, and a post saves nothing.
    site_url = url(cast, f"{field['noar'].pk}/")
    page = client_for(cast.manager).get(site_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A status needs an open emergency" in page
    response = client_for(cast.manager).post(site_url, {"status": "open"})
    assert response.status_code == 422
    with scopes_disabled():
        assert not SiteStatus.objects.filter(site=field["noar"]).exists()


@pytest.mark.django_db
def test_the_board_links_to_its_tools(cast, client_for, field):
    body = client_for(cast.manager).get(url(cast) + "?kind=school").content.decode()
    for tail in ("new/", "import/", "export.xlsx/?kind=school", "export.csv/?kind=school"):
        assert f'href="{url(cast, tail)}' in body, tail
    assert f'href="/a/{cast.authority.slug}/links/' in body
    viewer_body = client_for(cast.viewer).get(url(cast)).content.decode()
    assert url(cast, "new/") not in viewer_body and url(cast, "import/") not in viewer_body


# ---- a site and its status ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_site_page_shows_its_history_newest_first(cast, client_for, field):
    response = client_for(cast.viewer).get(url(cast, f"{field['alon'].pk}/"))
    assert response.status_code == 200
    history = response.context["history"]
    assert [h.status for h in history] == ["partial", "open"]
    body = response.content.decode()
    assert "team" in body and "חסרים מורים" in body
    assert response.context["form"] is None  # a viewer sees no form
    assert 'name="status"' not in body


@pytest.mark.django_db
def test_another_authoritys_site_and_a_missing_site_are_404(cast, client_for, field):
    client = client_for(cast.manager)
    assert client.get(url(cast, f"{field['theirs'].pk}/")).status_code == 404
    assert client.get(url(cast, f"{field['theirs'].pk}/edit/")).status_code == 404
    assert client.post(url(cast, f"{field['theirs'].pk}/"), {"status": "open"}).status_code == 404
    assert client.get(url(cast, "999999/")).status_code == 404


@pytest.mark.django_db
def test_the_team_reports_a_status_and_it_joins_the_history(cast, client_for, field):
    site = field["noar"]
    client = client_for(cast.team)
    form = client.get(url(cast, f"{site.pk}/")).context["form"]
    assert form is not None and form["status"].value() is None
    response = client.post(url(cast, f"{site.pk}/"), {
        "status": "hosting", "present": "12", "evacuated": "", "hosted": "40",
        "protected_space_available": "yes", "note": "  מארחים משפחות מהצפון ", "submission": str(uuid.uuid4())})
    assert response.status_code == 302 and response["Location"] == url(cast, f"{site.pk}/")
    with scopes_disabled():
        saved = SiteStatus.objects.get(site=site)
    assert (saved.status, saved.present, saved.evacuated, saved.hosted, saved.protected_space_available) == \
        ("hosting", 12, None, 40, True)
    assert saved.note == "מארחים משפחות מהצפון" and saved.reported_by == cast.team
    assert saved.emergency == cast.emergency and saved.is_fresh
    board = client.get(url(cast) + "?status=hosting")
    assert {r.site.name for r in board.context["page"]} == {"יחידת הנוער", "מרכז המדע"}
    # The next form starts from this report.
    form = client.get(url(cast, f"{site.pk}/")).context["form"]
    assert form["status"].value() == "hosting" and form["hosted"].value() == 40


@pytest.mark.django_db
def test_an_htmx_status_update_answers_with_the_partial(cast, client_for, field):
    site = field["rakefet"]
    response = client_for(cast.manager).post(url(cast, f"{site.pk}/"), {
        "status": "open", "present": "25", "protected_space_available": "unknown"}, HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="site-status"') and "<html" not in body and "Saved" in body
    with scopes_disabled():
        latest = SiteStatus.objects.filter(site=site).first()
    assert latest.status == "open" and latest.protected_space_available is None and latest.reported_by == cast.manager


@pytest.mark.django_db
def test_the_same_form_sent_twice_is_stored_once(cast, client_for, field):
    key = str(uuid.uuid4())
    client = client_for(cast.team)
    for _ in range(2):
        client.post(url(cast, f"{field['noar'].pk}/"), {"status": "open", "submission": key})
    with scopes_disabled():
        assert SiteStatus.objects.filter(site=field["noar"]).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("data, field_name", [
    ({"present": "10"}, "status"),
    ({"status": "flooded"}, "status"),
    ({"status": "open", "present": "-1"}, "present"),
    ({"status": "open", "evacuated": "100001"}, "evacuated"),
    ({"status": "open", "hosted": "many"}, "hosted"),
    ({"status": "open", "protected_space_available": "perhaps"}, "protected_space_available"),
    ({"status": "open", "note": "x" * 2001}, "note"),
])
def test_bad_status_input_changes_nothing(cast, client_for, field, data, field_name):
    site = field["alon"]
    with scopes_disabled():
        before = SiteStatus.objects.filter(site=site).count()
    client = client_for(cast.team)
    response = client.post(url(cast, f"{site.pk}/"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert field_name in response.context["form"].errors
    assert "errorlist" in response.content.decode()
    plain = client.post(url(cast, f"{site.pk}/"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert plain.status_code == 422 and "not saved" in plain.content.decode()
    with scopes_disabled():
        assert SiteStatus.objects.filter(site=site).count() == before


@pytest.mark.django_db
def test_a_viewer_cannot_report_a_status(cast, client_for, field):
    response = client_for(cast.viewer).post(url(cast, f"{field['noar'].pk}/"), {"status": "open"})
    assert response.status_code == 403
    with scopes_disabled():
        assert not SiteStatus.objects.filter(site=field["noar"]).exists()


# ---- adding, editing, archiving ----------------------------------------------------------------


SITE = {"name": "גן נרקיס", "kind": "kindergarten", "code": "", "area": "צפון", "students": "28", "staff": "3"}


@pytest.mark.django_db
def test_the_team_adds_a_site(cast, client_for, field):
    response = client_for(cast.team).post(url(cast, "new/"), SITE | {"has_protected_space": "on",
                                                                    "protected_capacity": "30"})
    with scopes_disabled():
        site = Site.objects.get(authority=cast.authority, name="גן נרקיס")
    assert response.status_code == 302 and response["Location"] == url(cast, f"{site.pk}/")
    assert (site.kind, site.students, site.protected_capacity, site.is_active) == ("kindergarten", 28, 30, True)
    assert site.history.count() == 1 and site.history.first().history_user == cast.team


@pytest.mark.django_db
@pytest.mark.parametrize("data, field_name", [
    (SITE | {"name": "גן רקפת"}, "name"),  # taken in this authority
    (SITE | {"name": "בית ספר ישן"}, "name"),  # taken by an archived site
    (SITE | {"code": "111"}, "code"),
    (SITE | {"protected_capacity": "30"}, "protected_capacity"),  # a capacity without a protected space
    (SITE | {"students": "-3"}, "students"),
    (SITE | {"staff": "100001"}, "staff"),
    (SITE | {"kind": "castle"}, "kind"),
    (SITE | {"name": ""}, "name"),
    (SITE | {"contact_email": "not-an-address"}, "contact_email"),
])
def test_bad_site_input_changes_nothing(cast, client_for, field, data, field_name):
    with scopes_disabled():
        before = Site.objects.count()
    response = client_for(cast.manager).post(url(cast, "new/"), data)
    assert response.status_code == 422
    assert field_name in response.context["form"].errors
    with scopes_disabled():
        assert Site.objects.count() == before


@pytest.mark.django_db
def test_a_name_used_by_another_authority_is_fine(cast, client_for, field):
    response = client_for(cast.manager).post(url(cast, "new/"), SITE | {"name": "בית ספר אלון ב"})
    assert response.status_code == 302
    # "בית ספר אלון" exists in both authorities already (fixture): names are unique per authority only.


@pytest.mark.django_db
def test_editing_a_site_keeps_its_own_name_and_code(cast, client_for, field):
    site = field["alon"]
    data = {"name": site.name, "kind": "school", "code": "111", "students": "420", "staff": "30",
            "has_protected_space": "on", "protected_capacity": "200", "area": "מרכז"}
    response = client_for(cast.team).post(url(cast, f"{site.pk}/edit/"), with_version(site, data))
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.students == 420
    response = client_for(cast.team).post(url(cast, f"{site.pk}/edit/"), with_version(site, data, name="גן רקפת"))
    assert response.status_code == 422 and "name" in response.context["form"].errors


@pytest.mark.django_db
def test_archiving_takes_a_site_off_the_board_and_keeps_its_history(cast, client_for, field):
    site = field["alon"]
    client = client_for(cast.manager)
    response = client.post(url(cast, f"{site.pk}/edit/"), {"action": "archive"})
    assert response.status_code == 302
    site.refresh_from_db()
    assert not site.is_active
    board = client.get(url(cast))
    assert "בית ספר אלון" not in names(board) and board.context["totals"]["sites"] == 5
    assert board.context["archived_count"] == 2
    archived = client.get(url(cast) + "?archived=1").content.decode()
    assert "בית ספר אלון" in archived and "בית ספר ישן" in archived
    page = client.get(url(cast, f"{site.pk}/"))
    assert page.status_code == 200 and len(page.context["history"]) == 2 and page.context["form"] is None
    # An archived site gets no new reports.
    assert client.post(url(cast, f"{site.pk}/"), {"status": "open"}).status_code == 422
    with scopes_disabled():
        assert SiteStatus.objects.filter(site=site).count() == 2
    client.post(url(cast, f"{site.pk}/edit/"), {"action": "restore"})
    site.refresh_from_db()
    assert site.is_active and "בית ספר אלון" in names(client.get(url(cast)))
    assert [h.is_active for h in site.history.all()[:3]] == [True, False, True]


@pytest.mark.django_db
def test_a_viewer_cannot_archive(cast, client_for, field):
    assert client_for(cast.viewer).post(url(cast, f"{field['alon'].pk}/edit/"), {"action": "archive"}) \
        .status_code == 403
    field["alon"].refresh_from_db()
    assert field["alon"].is_active


# ---- export ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_excel_export_has_headers_hxl_and_the_current_status(cast, client_for, field):
    report(cast, field["noar"], SiteState.OPEN, 0, note="=HYPERLINK(\"http://evil.example\")")
    response = client_for(cast.viewer).get(url(cast, "export.xlsx/"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert 'filename="sites-' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, hxl, data = rows[0], rows[1], rows[2:]
    assert header[:4] == ("name", "institution code", "kind", "area")
    assert {"#loc+name", "#org+type", "#loc+adm3", "#affected+students", "#status", "#date+updated"} <= set(hxl)
    assert len(data) == 6
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in data}
    alon = by_name["בית ספר אלון"]
    assert (alon["status"], alon["present"], alon["evacuated"], alon["students"], alon["kind"]) == \
        ("Partly open", 250, 10, 400, "School")
    assert alon["reported by"] == "team" and alon["stale"] == "no"
    assert by_name["גן רקפת"]["reported by"] == "רונית"
    assert by_name["בית ספר תמר"]["stale"] == "yes"
    noar_note = sheet.cell(row=3 + list(by_name).index("יחידת הנוער"), column=header.index("note") + 1)
    assert noar_note.data_type == "s" and noar_note.value.startswith("=HYPERLINK")  # text, never a formula


@pytest.mark.django_db
def test_the_csv_export_follows_the_filters_and_is_formula_safe(cast, client_for, field):
    report(cast, field["alon"], SiteState.OPEN, 0, note="=1+2")
    response = client_for(cast.viewer).get(url(cast, "export.csv/") + "?kind=school")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "#loc+name"
    assert sorted(r[0] for r in rows[2:]) == ["בית ספר אלון", "בית ספר תמר"]
    assert "'=1+2" in rows[2] + rows[3]


@pytest.mark.django_db
def test_unknown_formats_are_404(cast, client_for, field):
    client = client_for(cast.viewer)
    assert client.get(url(cast, "export.pdf/")).status_code == 404
    assert client.get(url(cast, "import/template.xls/")).status_code == 404


# ---- queries per page --------------------------------------------------------------------------


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def _grow(cast, n):
    with scopes_disabled():
        for i in range(n):
            site = Site.objects.create(authority=cast.authority, name=f"אתר {i}", kind=SiteKind.SCHOOL,
                                       area=f"אזור {i % 5}", students=i)
            for hours in (70, 30, 2):
                SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site,
                                          status=SiteState.OPEN, reported_at=NOW() - timedelta(hours=hours),
                                          reported_by=cast.team if i % 2 else None, present=i)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["board", "board_filtered", "site", "archived", "edit", "new", "import"])
def test_queries_per_page_do_not_grow(cast, client_for, field, page):
    client = client_for(cast.manager)
    site = field["alon"]
    path = {"board": url(cast), "board_filtered": url(cast) + "?area=מרכז&status=stale",
            "site": url(cast, f"{site.pk}/"), "archived": url(cast) + "?archived=1",
            "edit": url(cast, f"{site.pk}/edit/"), "new": url(cast, "new/"), "import": url(cast, "import/")}[page]
    client.get(path)
    small = _count(client, path)
    _grow(cast, 40)
    with scopes_disabled():
        for hours in range(30):
            SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site,
                                      status=SiteState.OPEN, reported_at=NOW() - timedelta(hours=hours),
                                      reported_by=cast.manager if hours % 2 else cast.team)
    large = _count(client, path)
    assert large == small, f"{page}: {small} queries with little data, {large} with more"
    assert large <= 12, f"{page}: {large} queries"
