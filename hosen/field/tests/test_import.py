"""Importing sites from Excel and CSV: all or nothing, row-by-row errors in the user's language,
and the generic importer's file handling (formats, encodings, limits, headers)."""

import csv
import io

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook, load_workbook

from hosen.field.forms_sites import SiteImporter
from hosen.field.models import Site, SiteKind
from hosen.reports.importer import ImportColumn, Importer, normalize_header

HE_HEADER = ["שם המוסד", "סוג", "סמל מוסד", "אזור", "תלמידים", "צוות", "מרחב מוגן", "קיבולת מרחב מוגן"]
EN_HEADER = ["Name", " KIND ", "institution code", "area", "students", "staff", "has a protected space",
             "protected space capacity"]


def xlsx(rows, name="sites.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, name="sites.csv", encoding="utf-8-sig"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding))


def upload(client, cast, file, lang="he"):
    return client.post(f"/a/{cast.authority.slug}/sites/import/", {"file": file}, HTTP_ACCEPT_LANGUAGE=lang)


def sites(cast):
    with scopes_disabled():
        return {s.name: s for s in Site.objects.filter(authority=cast.authority)}


def site_count():
    with scopes_disabled():
        return Site.objects.count()


GOOD_ROWS = [
    ["בית ספר אלון", "בית ספר", "111111", "מרכז", 420, 38, "כן", 200],
    ["גן רקפת", "גן ילדים", None, "צפון", 32, 4, "לא", None],
    ["מרכז המדע", "stem_centre", "", "דרום", "150", "12", "x", "80"],
    [None, None, None, None, None, None, None, None],  # a blank line in the middle: skipped
    ["יחידת הנוער", "Youth unit", "", "", None, 6, "", ""],
]


# ---- good files --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_excel_file_with_hebrew_headers_adds_the_sites(cast, client_for):
    client = client_for(cast.team)
    response = upload(client, cast, xlsx([HE_HEADER] + GOOD_ROWS), lang="en")
    assert response.status_code == 302 and response["Location"] == f"/a/{cast.authority.slug}/sites/"
    found = sites(cast)
    assert set(found) == {"בית ספר אלון", "גן רקפת", "מרכז המדע", "יחידת הנוער"}
    alon = found["בית ספר אלון"]
    assert (alon.kind, alon.code, alon.area, alon.students, alon.staff, alon.has_protected_space,
            alon.protected_capacity) == (SiteKind.SCHOOL, "111111", "מרכז", 420, 38, True, 200)
    assert found["גן רקפת"].kind == SiteKind.KINDERGARTEN and not found["גן רקפת"].has_protected_space
    assert found["מרכז המדע"].has_protected_space and found["מרכז המדע"].protected_capacity == 80
    assert found["יחידת הנוער"].kind == SiteKind.YOUTH_UNIT and found["יחידת הנוער"].students is None
    # Every new site has its history, made by the person who imported.
    assert alon.history.count() == 1 and alon.history.first().history_user == cast.team
    board = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "4 sites added, 0 updated" in board.content.decode()


@pytest.mark.django_db
def test_a_good_csv_file_with_english_headers_and_a_bom(cast, client_for):
    rows = [EN_HEADER, ["Alon school", "School", "", "Centre", "420", "38", "yes", "200"],
            ["Rakefet", "kindergarten", "", "North", "", "", "no", ""]]
    response = upload(client_for(cast.manager), cast, csv_file(rows))
    assert response.status_code == 302
    found = sites(cast)
    assert found["Alon school"].protected_capacity == 200 and found["Rakefet"].kind == SiteKind.KINDERGARTEN


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "cp1255"])
def test_csv_in_utf8_without_bom_and_in_hebrew_windows(cast, client_for, encoding):
    rows = [["שם", "סוג", "אזור"], ["בית ספר אלון", "בית ספר", "מרכז"]]
    response = upload(client_for(cast.manager), cast, csv_file(rows, encoding=encoding))
    assert response.status_code == 302
    assert sites(cast)["בית ספר אלון"].area == "מרכז"


@pytest.mark.django_db
def test_a_semicolon_csv_is_read_too(cast, client_for):
    content = b"name;kind;students\nAlon;school;12\n"
    assert upload(client_for(cast.manager), cast, SimpleUploadedFile("s.csv", content)).status_code == 302
    assert sites(cast)["Alon"].students == 12


@pytest.mark.django_db
def test_rows_update_sites_by_code_then_by_name(cast, client_for):
    with scopes_disabled():
        by_code = Site.objects.create(authority=cast.authority, name="שם ישן", kind="school", code="111111",
                                      students=1, area="ישן", notes="נשאר")
        by_name = Site.objects.create(authority=cast.authority, name="גן רקפת", kind="kindergarten", staff=9)
        untouched = Site.objects.create(authority=cast.authority, name="מרכז המדע", kind="stem_centre",
                                        area="דרום", students=150, staff=12, has_protected_space=True,
                                        protected_capacity=80)
        Site.objects.create(authority=cast.other_authority, name="יחידת הנוער", kind="youth_unit")
    client = client_for(cast.manager)
    response = upload(client, cast, xlsx([HE_HEADER] + GOOD_ROWS), lang="en")
    assert response.status_code == 302
    found = sites(cast)
    assert len(found) == 4  # three updated or unchanged, one new (the other authority's namesake is not touched)
    by_code.refresh_from_db()
    assert (by_code.name, by_code.students, by_code.area, by_code.notes) == ("בית ספר אלון", 420, "מרכז", "נשאר")
    by_name.refresh_from_db()
    assert by_name.staff == 4 and by_name.students == 32
    assert by_code.history.count() == 2 and untouched.history.count() == 1  # unchanged rows write nothing
    board = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 sites added, 2 updated, 1 unchanged" in board


@pytest.mark.django_db
def test_a_file_that_brings_back_the_hxl_row_is_fine(cast, client_for):
    rows = [["name", "kind"], ["#loc+name", "#org+type"], ["Alon", "school"]]
    assert upload(client_for(cast.manager), cast, xlsx(rows)).status_code == 302
    assert set(sites(cast)) == {"Alon"}


# ---- all or nothing ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_bad_row_changes_nothing_and_is_reported(cast, client_for):
    with scopes_disabled():
        existing = Site.objects.create(authority=cast.authority, name="גן רקפת", kind="kindergarten", staff=9)
    rows = [HE_HEADER] + GOOD_ROWS + [["בית ספר תמר", "בית ספר", "", "", "שש מאות", "", "", ""]]
    response = upload(client_for(cast.manager), cast, xlsx(rows))
    assert response.status_code == 422
    result = response.context["result"]
    assert not result.ok and result.rows == 5
    assert [(e.row, e.column) for e in result.errors] == [(7, "תלמידים")]  # row 7 in Excel: header + 5 + blank
    assert "מספר שלם" in result.errors[0].message  # Django's own Hebrew: "Enter a whole number."
    body = response.content.decode()
    assert "<td class=\"num\">7</td>" in body
    assert site_count() == 1
    existing.refresh_from_db()
    assert existing.staff == 9


@pytest.mark.django_db
def test_wrong_types_are_reported_per_cell_in_the_users_language(cast, client_for):
    rows = [EN_HEADER,
            ["A", "castle", "", "", "-5", "1.5", "maybe", "10"],
            ["B", "school", "", "", "100001", "", "no", "30"]]
    response = upload(client_for(cast.manager), cast, xlsx(rows), lang="en")
    errors = {(e.row, e.column): e.message for e in response.context["result"].errors}
    assert set(errors) == {(2, " KIND ".strip()), (2, "students"), (2, "staff"), (2, "has a protected space"),
                           (3, "students"), (3, "protected space capacity")}
    assert "“castle” is not one of the options" in errors[(2, "KIND")]
    assert errors[(2, "has a protected space")] == "Write yes or no."
    assert errors[(2, "students")] == "Enter 0 or more."
    assert "Enter a whole number" in errors[(2, "staff")]
    assert errors[(3, "students")] == "Enter 100000 or less."
    assert "protected space" in errors[(3, "protected space capacity")]
    arabic = upload(client_for(cast.manager), cast, xlsx(rows), lang="ar").context["result"].errors
    assert any("رقم" in e.message for e in arabic)  # Django's Arabic for "Enter a whole number."
    assert site_count() == 0


@pytest.mark.django_db
def test_a_duplicate_name_inside_the_file(cast, client_for):
    rows = [["name", "kind", "code"], ["Alon", "school", "1"], ["Tamar", "school", "2"], [" alon ", "school", "3"],
            ["Rakefet", "kindergarten", "2"]]
    response = upload(client_for(cast.manager), cast, xlsx(rows), lang="en")
    errors = [(e.row, e.column, e.message) for e in response.context["result"].errors]
    assert errors == [(4, "name", "“alon” is already in row 2 of this file."),
                      (5, "code", "“2” is already in row 3 of this file.")]
    assert site_count() == 0


@pytest.mark.django_db
def test_two_rows_for_one_site_on_record_and_name_clashes(cast, client_for):
    with scopes_disabled():
        Site.objects.create(authority=cast.authority, name="Alon", kind="school", code="111")
        Site.objects.create(authority=cast.authority, name="Tamar", kind="school", code="222")
    rows = [["name", "kind", "code"],
            ["Alon renamed", "school", "111"],
            ["Alon", "school", ""],  # the same site by name
            ["Tamar", "school", "999"],  # Tamar's code is 222
            ]
    response = upload(client_for(cast.manager), cast, xlsx(rows), lang="en")
    errors = {e.row: e.message for e in response.context["result"].errors}
    assert set(errors) == {3, 4}
    assert "row 2" in errors[3] and "222" in errors[4]
    rename = [["name", "kind", "code"], ["Tamar", "school", "111"]]  # would give Alon Tamar's name
    errors = upload(client_for(cast.manager), cast, xlsx(rename), lang="en").context["result"].errors
    assert [e.message for e in errors] == ["Another site is already named “Tamar”."]
    assert set(sites(cast)) == {"Alon", "Tamar"}


# ---- whole-file problems -----------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_columns_say_which_are_missing_and_which_are_unknown(cast, client_for):
    rows = [["שם המוסד", "טלפון נייד", "Budget"], ["בית ספר אלון", "050", "1"]]
    response = upload(client_for(cast.manager), cast, xlsx(rows), lang="en")
    result = response.context["result"]
    assert response.status_code == 422 and result.problem
    assert result.missing == ["kind"] and result.unknown == ["טלפון נייד", "Budget"]
    body = response.content.decode()
    assert "Missing columns" in body and "Unknown columns" in body and "Budget" in body
    assert site_count() == 0


@pytest.mark.django_db
def test_a_column_twice_is_reported(cast, client_for):
    rows = [["name", "kind", "שם"], ["A", "school", "B"]]
    result = upload(client_for(cast.manager), cast, xlsx(rows), lang="en").context["result"]
    assert result.unknown == ["שם (a second time)"] and site_count() == 0


@pytest.mark.django_db
def test_a_huge_file_is_refused_before_reading(cast, client_for):
    filler = "x" * 1000
    rows = [["name", "kind", "notes"]] + [[f"site {i}", "school", filler] for i in range(5300)]
    big = csv_file(rows)
    assert big.size > 5 * 1024 * 1024
    response = upload(client_for(cast.manager), cast, big, lang="en")
    result = response.context["result"]
    assert response.status_code == 422 and "too big" in result.problem and "5 MB" in result.problem
    assert site_count() == 0


@pytest.mark.django_db
def test_too_many_rows_are_refused(cast, client_for):
    rows = [["name", "kind"]] + [[f"site {i}", "school"] for i in range(5001)]
    response = upload(client_for(cast.manager), cast, xlsx(rows), lang="en")
    assert "more than 5000 rows" in response.context["result"].problem
    assert site_count() == 0


@pytest.mark.django_db
def test_five_thousand_rows_are_imported_in_one_go(cast, client_for):
    rows = [["name", "kind", "students"]] + [[f"site {i}", "school", i] for i in range(5000)]
    response = upload(client_for(cast.manager), cast, xlsx(rows), lang="en")
    assert response.status_code == 302
    assert site_count() == 5000
    with scopes_disabled():
        assert Site.history.filter(authority=cast.authority).count() == 5000


@pytest.mark.django_db
@pytest.mark.parametrize("name, content, message", [
    ("sites.xlsx", b"name,kind\nAlon,school\n", "not an Excel file"),
    ("sites.xlsx", b"PK\x03\x04 broken zip", "not an Excel file"),
    ("sites.xlsx", b"", "empty"),
    ("sites.csv", b"", "empty"),
    ("sites.csv", b"\xef\xbb\xbf\r\n\r\n", "empty"),
    ("sites.xls", b"\xd0\xcf\x11\xe0 old excel", ".xls"),
    ("sites.pdf", b"%PDF-1.4", "Upload an Excel (.xlsx) or CSV (.csv) file"),
    ("sites.csv", b"PK\x03\x04 an xlsx named csv", "upload it as .xlsx"),
    ("sites.csv", b"name,kind\n", "no rows"),
])
def test_files_that_are_not_what_they_say(cast, client_for, name, content, message):
    response = upload(client_for(cast.manager), cast, SimpleUploadedFile(name, content), lang="en")
    assert response.status_code in (200, 422)
    if response.context["result"] is not None:
        assert message in response.context["result"].problem
    else:  # Django's own check of an empty upload
        assert "The file is empty" in response.content.decode() or "empty" in str(response.context["form"].errors)
    assert site_count() == 0


@pytest.mark.django_db
def test_an_empty_excel_workbook(cast, client_for):
    response = upload(client_for(cast.manager), cast, xlsx([]), lang="en")
    assert "The file is empty." == response.context["result"].problem


@pytest.mark.django_db
def test_no_file_at_all(cast, client_for):
    response = client_for(cast.manager).post(f"/a/{cast.authority.slug}/sites/import/", {},
                                             HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422 and "Choose a file to import." in response.content.decode()


# ---- the template ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["he", "ar", "en"])
def test_the_template_round_trips(cast, client_for, lang):
    client = client_for(cast.manager)
    response = client.get(f"/a/{cast.authority.slug}/sites/import/template.xlsx/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200 and 'filename="sites-template.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert len(header) == len(SiteImporter.columns)
    expected_first = {"he": "שם המוסד", "ar": "اسم المؤسسة", "en": "name"}[lang]
    if lang == "en" or header[0] != "name":  # a translation, once there is one, may name it differently
        assert header[0] in (expected_first, str(Site._meta.get_field("name").verbose_name))
    assert sheet.sheet_view.rightToLeft == (lang != "en")
    assert len(workbook.worksheets) == 2  # and a sheet that explains the columns
    values = {"name": "בית ספר הדוגמה", "kind": "בית ספר", "students": 300, "has_protected_space": "כן",
              "protected_capacity": 120, "area": "מרכז"}
    sheet.append([values.get(column.field) for column in SiteImporter.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, cast, SimpleUploadedFile("filled.xlsx", buffer.getvalue()), lang=lang)
    assert response.status_code == 302, response.context and response.context["result"]
    site = sites(cast)["בית ספר הדוגמה"]
    assert (site.students, site.protected_capacity, site.area, site.kind) == (300, 120, "מרכז", SiteKind.SCHOOL)


@pytest.mark.django_db
def test_the_csv_template_has_a_bom_and_the_headers(cast, client_for):
    response = client_for(cast.viewer).get(f"/a/{cast.authority.slug}/sites/import/template.csv/",
                                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:3] == ["name", "kind", "institution code"]


# ---- the generic importer ----------------------------------------------------------------------


class PersonForm(forms.Form):
    full_name = forms.CharField(max_length=50)
    age = forms.IntegerField(min_value=0, required=False)


class PersonImporter(Importer):
    """A stand-in for a later register: the importer knows nothing about sites."""

    columns = [ImportColumn("full_name", gettext_lazy("name"), required=True, headers={"he": ("שם מלא",)}),
               ImportColumn("age", gettext_lazy("age"), headers={"ar": ("العمر",)})]
    form_class = PersonForm
    unique = ("full_name",)

    def write(self, rows):
        self.written = [row.values for row in rows]
        return {"created": len(rows)}


def test_headers_match_trimmed_and_case_insensitively():
    assert normalize_header("  Full\u00a0  NAME * ") == "full name"
    assert normalize_header("\ufeffשם מלא") == "שם מלא"


@pytest.mark.django_db
def test_the_importer_is_generic():
    importer = PersonImporter()
    result = importer.run(csv_file([["  שם מלא ", "العمر", ""], ["רות", "40", ""], ["", "", ""], ["סמיר", "", ""]]))
    assert result.ok and result.counts == {"created": 2}
    assert importer.written == [{"full_name": "רות", "age": 40}, {"full_name": "סמיר", "age": None}]
    bad = PersonImporter()
    result = bad.run(csv_file([["full_name"], ["רות"], ["רות"], ["x" * 51]]))
    assert not result.ok and [e.row for e in result.errors] == [3, 4] and not hasattr(bad, "written")


@pytest.mark.django_db
def test_the_site_importer_writes_inside_one_transaction(cast, monkeypatch):
    """If writing fails half-way, nothing stays: the created sites are rolled back."""
    import hosen.field.forms_sites as forms_sites

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(forms_sites, "bulk_update_with_history", fail)
    with scopes_disabled():
        Site.objects.create(authority=cast.authority, name="Alon", kind="school")
    importer = SiteImporter(authority=cast.authority, user=cast.manager)
    with scope(authority=cast.authority), pytest.raises(RuntimeError):
        importer.run(csv_file([["name", "kind", "students"], ["New", "school", "1"], ["Alon", "school", "5"]]))
    assert set(sites(cast)) == {"Alon"}
