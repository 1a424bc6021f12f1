"""The donors' needs list: the page, what it shows and never shows, the shared links (create, revoke, 410,
404), the Excel, PDF and CSV downloads, the evidence for item 21, and the queries per page."""

import csv
import io
import os
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from hosen.field.models import Need, NeedStatus, Site
from hosen.resources.models import DonorLink
from hosen.resources.views_donors import redact
from hosen.workmodel import services as workmodel_services
from hosen.workmodel.evidence import EvidenceContext, evidence_for
from hosen.workmodel.models import Emergency

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(cast, name, **kwargs):
    return reverse(f"resources:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def public_url(link, name="donors", **kwargs):
    return reverse(f"resources_public:{name}", kwargs={"donor_token": link.token, **kwargs})


def make_need(cast, *, authority=None, emergency=None, **fields):
    values = {"audience": "students", "category": "equipment", "description": "צורך", "urgency": 2,
              "status": NeedStatus.OPEN, **fields}
    with scopes_disabled():
        return Need.objects.create(authority=authority or cast.authority, emergency=emergency or cast.emergency,
                                   **values)


def make_link(cast, **fields):
    with scopes_disabled():
        return DonorLink.objects.create(authority=cast.authority, emergency=cast.emergency, **fields)


@pytest.fixture
def needs(cast):
    """Counted by hand:

        category     unmet needs   urgent   quantity   emerging
        equipment    2             1        30 + 5     1
        emotional    1             1        —          0
        (met, cannot-be-met, another authority's and a closed emergency's needs: never on the list)
    """
    with scopes_disabled():
        site = Site.objects.create(authority=cast.authority, name="Secret Elementary", kind="school", area="East",
                                   contact_name="Dana Levi", contact_phone="052-7654321")
        other_emergency = Emergency.objects.get(authority=cast.other_authority)
    return {
        "laptops": make_need(cast, description="Laptops for grade 8, call Dana 050-1234567 or dana@school.org.il",
                             quantity=30, urgency=4, is_emerging=True, site=site, source="quick report: Dana Levi"),
        "routers": make_need(cast, description="Routers for the staff room", quantity=5,
                             status=NeedStatus.IN_PROGRESS),
        "support": make_need(cast, category="emotional", description="Support for parents", urgency=3),
        "met": make_need(cast, description="Already met: projectors", status=NeedStatus.MET),
        "cannot": make_need(cast, description="Cannot: a new building", status=NeedStatus.CANNOT),
        "theirs": make_need(cast, authority=cast.other_authority, emergency=other_emergency,
                            description="Their tablets"),
    }


@pytest.mark.parametrize(("text", "expected"), [
    ("call Dana 050-1234567 today", "call Dana […] today"),
    ("+972 (50) 123 4567", "[…]"),
    ("write to dana.levi@school.org.il", "write to […]"),
    ("30 laptops for grade 8, 2026", "30 laptops for grade 8, 2026"),
    ("rooms 12-14 and 101", "rooms 12-14 and 101"),
])
def test_redact(text, expected):
    assert redact(text) == expected


@pytest.mark.django_db
def test_the_list_groups_and_totals_unmet_needs(cast, client_for, needs):
    response = client_for(cast.viewer).get(url(cast, "donors"), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    for shown in ("Laptops for grade 8", "Routers for the staff room", "Support for parents"):
        assert shown in html
    for hidden in ("Already met", "Cannot: a new building", "Their tablets"):
        assert hidden not in html
    assert html.index("Equipment and connectivity") < html.index("Emotional support")
    assert "2 needs" in html and "total quantity 35" in html and "1 need" in html
    assert cast.authority.name in html and timezone.localdate().strftime("%-d.%-m.%Y") in html
    # Totals: 3 unmet, 2 urgent, 35 items, 1 emerging.
    totals = html[html.index("donors-totals"):html.index("</dl>", html.index("donors-totals"))]
    assert [int(n) for n in re.findall(r"<dd>(\d+)</dd>", totals)] == [3, 2, 35, 1]


@pytest.mark.django_db
def test_the_list_keeps_private_things_out(cast, client_for, needs):
    link = make_link(cast)
    for response in (client_for(cast.manager).get(url(cast, "donors"), **EN),
                     client_for(None).get(public_url(link), **EN)):
        html = response.content.decode()
        for private in ("050-1234567", "dana@school.org.il", "Secret Elementary", "052-7654321", "Dana Levi",
                        "quick report"):
            assert private not in html, private
        assert "East" in html  # the area is enough for a donor


@pytest.mark.django_db
def test_only_the_manager_sees_and_creates_links(cast, client_for, needs):
    make_link(cast, label="Foundation A")
    assert "Foundation A" not in client_for(cast.team).get(url(cast, "donors"), **EN).content.decode()
    client = client_for(cast.manager)
    assert "Foundation A" in client.get(url(cast, "donors"), **EN).content.decode()
    response = client.post(url(cast, "donor_links"), {"label": "Foundation B"})
    with scopes_disabled():
        link = DonorLink.objects.get(label="Foundation B")
    assert link.created_by == cast.manager and link.emergency == cast.emergency
    assert response.status_code == 302 and response["Location"].endswith(f"#donor-link-{link.pk}")
    page = client.get(url(cast, "donors"), **EN).content.decode()
    assert f"http://testserver/d/{link.token}/" in page
    # Also from the list page itself.
    client.post(url(cast, "donors"), {"label": "Foundation C"})
    with scopes_disabled():
        assert DonorLink.history.filter(label="Foundation C", history_user=cast.manager).exists()


@pytest.mark.django_db
def test_a_bad_label_changes_nothing(cast, client_for, needs):
    response = client_for(cast.manager).post(url(cast, "donor_links"), {"label": "x" * 201}, **EN)
    assert response.status_code == 422
    assert "errorlist" in response.content.decode()
    with scopes_disabled():
        assert not DonorLink.objects.exists()


@pytest.mark.django_db
def test_the_public_page_needs_no_login_and_shows_the_list(cast, client, needs):
    link = make_link(cast, label="Foundation A")
    response = client.get(public_url(link), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Laptops for grade 8" in html and "Support for parents" in html and cast.authority.name in html
    assert "Foundation A" not in html  # the label is the manager's note
    assert "noindex" in html
    assert public_url(link, "donors_download", fmt="pdf") in html


@pytest.mark.django_db
def test_revoked_unknown_and_closed_links(cast, client_for, client, needs):
    link = make_link(cast)
    manager = client_for(cast.manager)
    assert manager.get(url(cast, "donor_link_revoke", donor_link_pk=link.pk)).status_code == 200
    assert manager.post(url(cast, "donor_link_revoke", donor_link_pk=link.pk)).status_code == 302
    with scopes_disabled():
        link.refresh_from_db()
    assert link.revoked_at is not None
    client.logout()
    assert client.get(public_url(link)).status_code == 410
    assert client.get(public_url(link, "donors_download", fmt="xlsx")).status_code == 410
    assert client.get("/d/no-such-token/").status_code == 404
    assert client.get("/d/no-such-token/download.pdf/").status_code == 404

    open_link = make_link(cast)
    assert client.get(public_url(open_link)).status_code == 200
    assert client.get(public_url(open_link, "donors_download", fmt="doc")).status_code == 404
    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "lessons")
    assert client.get(public_url(open_link)).status_code == 410


@pytest.mark.django_db
def test_another_authoritys_link_cannot_be_revoked(cast, client_for, needs):
    with scopes_disabled():
        theirs = DonorLink.objects.create(authority=cast.other_authority,
                                          emergency=Emergency.objects.get(authority=cast.other_authority))
    assert client_for(cast.manager).post(url(cast, "donor_link_revoke", donor_link_pk=theirs.pk)).status_code == 404


# ---- downloads ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_excel_download(cast, client_for, needs):
    response = client_for(cast.viewer).get(url(cast, "donors_download", fmt="xlsx"), **EN)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="donors-needs-')
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0][0] == "Donors' needs list"
    assert rows[1][0] == cast.authority.name
    header = rows[3]
    assert header == ("category", "who needs it", "description", "quantity", "urgency", "emerging need", "area")
    body = rows[4:]
    assert [(r[0], r[3], r[4]) for r in body] == [
        ("Equipment and connectivity", 30, "Critical"), ("Equipment and connectivity", 5, "Medium"),
        ("Emotional support", None, "High")]
    assert body[0][2] == "Laptops for grade 8, call Dana […] or […]" and body[0][6] == "East"
    assert not sheet.sheet_view.rightToLeft  # English reads left to right
    totals = [tuple(c.value for c in row) for row in book.worksheets[1].iter_rows()]
    assert totals[1:] == [("Equipment and connectivity", 2, 1, 35, 1), ("Emotional support", 1, 1, 0, 0),
                          ("All categories", 3, 2, 35, 1)]


@pytest.mark.django_db
def test_excel_in_hebrew_reads_right_to_left_and_formulas_stay_text(cast, client_for, needs):
    make_need(cast, description="=HYPERLINK(\"http://evil\")")
    response = client_for(cast.manager).get(url(cast, "donors_download", fmt="xlsx"), HTTP_ACCEPT_LANGUAGE="he")
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0].sheet_view.rightToLeft
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if str(c.value or "").startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)


def _pango_missing():
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return True
    return False


@pytest.mark.django_db
def test_pdf_download(cast, client_for, needs):
    if _pango_missing():
        if os.environ.get("CI") == "true":
            pytest.fail("WeasyPrint needs Pango: .ci/run installs it")
        response = client_for(cast.viewer).get(url(cast, "donors_download", fmt="pdf"))
        assert response.status_code == 503  # a clear answer instead of an error page
        pytest.skip("Pango is not installed on this machine (apt-get install libpango-1.0-0 libpangoft2-1.0-0)")
    response = client_for(cast.viewer).get(url(cast, "donors_download", fmt="pdf"), HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert pdf_pages(data) >= 1


def pdf_pages(data):
    """Page objects in a PDF, looking into its compressed object streams too."""
    import zlib

    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", chunk)) for chunk in chunks)


@pytest.mark.django_db
def test_public_downloads(cast, client, needs):
    link = make_link(cast)
    pdf = client.get(public_url(link, "donors_download", fmt="pdf"), HTTP_ACCEPT_LANGUAGE="ar")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf_pages(pdf.content) >= 1
    book = load_workbook(io.BytesIO(client.get(public_url(link, "donors_download", fmt="xlsx"), **EN).content))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "Support for parents" in values and "Secret Elementary" not in values and "Their tablets" not in values


@pytest.mark.django_db
def test_csv_download(cast, client_for, needs):
    response = client_for(cast.viewer).get(url(cast, "donors_download", fmt="csv"), **EN)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["category", "who needs it", "description"]
    assert rows[1][0] == "#sector"
    assert len(rows) == 2 + 3


@pytest.mark.django_db
def test_unknown_format_and_no_emergency(cast, client_for, needs):
    client = client_for(cast.manager)
    assert client.get(url(cast, "donors_download", fmt="docx")).status_code == 404
    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "lessons")
    page = client.get(url(cast, "donors"), **EN)
    assert page.status_code == 200 and "There is no open emergency" in page.content.decode()
    assert client.get(url(cast, "donors_download", fmt="xlsx")).status_code == 404


# ---- evidence, item 21 --------------------------------------------------------------------------


@pytest.mark.django_db
def test_evidence_for_item_21(cast):
    ctx = EvidenceContext(cast.authority, cast.emergency, cast.round)
    with scope(authority=cast.authority):
        assert evidence_for(ctx, [21])[21].text == "Donors' needs list: not shared yet"
    older = make_link(cast)
    newest = make_link(cast)
    with scopes_disabled():
        DonorLink.objects.filter(pk=older.pk).update(created_at=timezone.make_aware(timezone.datetime(2026, 10, 8)))
        DonorLink.objects.filter(pk=newest.pk).update(created_at=timezone.make_aware(timezone.datetime(2026, 10, 9)))
    with scope(authority=cast.authority):
        evidence = evidence_for(ctx, [21])[21]
    assert evidence.text == "Donors' needs list shared on 9.10.2026"  # the newest link
    assert evidence.url == url(cast, "donors")


# ---- queries per page ---------------------------------------------------------------------------


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _grow(cast, n):
    with scopes_disabled():
        for i in range(n):
            site = Site.objects.create(authority=cast.authority, name=f"grown {n}-{i}", kind="school", area="North")
            make_need(cast, category=["equipment", "food", "space"][i % 3], quantity=i, site=site, urgency=1 + i % 4,
                      description=f"grown {i}")
            make_link(cast, label=f"grown {n}-{i}")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["manager", "public"])
def test_queries_do_not_grow(cast, client_for, client, needs, who):
    link = make_link(cast)
    if who == "manager":
        client, path = client_for(cast.manager), url(cast, "donors")
    else:
        path = public_url(link)
    _grow(cast, 2)
    client.get(path)
    small = _count(client, path)
    _grow(cast, 15)
    large = _count(client, path)
    assert large == small, f"{small} queries with little data, {large} with more"
    assert large <= 12
