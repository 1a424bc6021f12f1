"""Importing people and facilities from Excel and CSV with the shared all-or-nothing importer: Hebrew headers,
skills and languages written in any language, unknown skills, matching rows to records, and the templates."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import Workbook, load_workbook

from hosen.field.models import Site
from hosen.resources import skills as vocabulary
from hosen.resources.models import Facility, Person, Skill

from .matrix_registers import make_facility, make_person

PEOPLE_HE = ["שם", "סוג", "ארגון", "תפקיד", "מיומנויות", "שפות", "אזור", "טלפון", "דוא\"ל", "זמינות"]
PEOPLE_ROWS = [
    ["דנה לוי", "צוות", "", "מורה למדעים", "הוראה, STEM instruction", "עברית, אנגלית", "צפון", "050-1111111",
     "dana@example.org", "זמינה"],
    ["מוחמד חלבי", "שותף", "מדע לכל", "מדריך", "עזרה ראשונה נפשית", "ערבית,עברית", "דרום", "0522222222", "", "חלקית"],
    [None, None, None, None, None, None, None, None, None, None],  # a blank line: skipped
    ["Tigist Malko", "volunteer", "", "", "Driving; בישול", "Amharic", "", "", "tigist@example.org", ""],
]


@pytest.fixture
def skills(db):
    vocabulary.load_skills()
    return {skill.key: skill for skill in Skill.objects.all()}


def xlsx(rows, name="people.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, name="people.csv"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8-sig"))


def url(cast, name, **kwargs):
    return reverse(f"resources:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def upload(client, cast, name, file, lang="he"):
    return client.post(url(cast, name), {"file": file}, HTTP_ACCEPT_LANGUAGE=lang)


def people(cast):
    with scopes_disabled():
        return {p.name: p for p in Person.objects.filter(authority=cast.authority).prefetch_related("skills")}


def last_message(response):
    return [str(m) for m in response.wsgi_request._messages][-1]


def skill_keys(person):
    return {skill.key for skill in person.skills.all()}


# ---- people --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_people_file_with_hebrew_headers_and_skills_in_any_language(cast, client_for, skills):
    client = client_for(cast.team)
    response = upload(client, cast, "people_import", xlsx([PEOPLE_HE] + PEOPLE_ROWS))
    assert response.status_code == 302, response.context["result"].errors if response.context else ""
    assert response["Location"] == url(cast, "people")
    found = people(cast)
    assert set(found) == {"דנה לוי", "מוחמד חלבי", "Tigist Malko"}
    dana, muhammad, tigist = found["דנה לוי"], found["מוחמד חלבי"], found["Tigist Malko"]
    assert (dana.kind, dana.role, dana.area, dana.phone, dana.email) == ("staff", "מורה למדעים", "צפון",
                                                                        "050-1111111", "dana@example.org")
    assert skill_keys(dana) == {"teaching", "stem-instruction"} and dana.languages == ["he", "en"]
    assert (dana.availability, dana.availability_emergency) == ("available", cast.emergency)
    assert (muhammad.kind, muhammad.organisation, muhammad.phone) == ("partner", "מדע לכל", "052-2222222")
    assert skill_keys(muhammad) == {"emotional-first-aid"} and muhammad.languages == ["he", "ar"]
    assert muhammad.availability == "partly"
    assert skill_keys(tigist) == {"driving", "cooking"} and tigist.languages == ["am"]
    assert tigist.availability_in(cast.emergency) == "unknown" and tigist.source == "import"
    with scopes_disabled():
        assert dana.history.get().history_user == cast.team

    # The same file again changes nothing: every row finds its person.
    again = upload(client, cast, "people_import", xlsx([PEOPLE_HE] + PEOPLE_ROWS), lang="en")
    assert again.status_code == 302
    assert last_message(again) == "Import done: 0 added, 0 updated, 3 unchanged."
    assert len(people(cast)) == 3


@pytest.mark.django_db
def test_a_row_updates_the_person_with_the_same_email_or_phone(cast, client_for, skills):
    by_email = make_person(cast.authority, "Dana L.", "volunteer", [skills["music"]], email="dana@example.org")
    by_phone = make_person(cast.authority, "M. Halabi", "partner", phone="052-2222222")
    response = upload(client_for(cast.manager), cast, "people_import", xlsx([PEOPLE_HE] + PEOPLE_ROWS), lang="en")
    assert response.status_code == 302
    assert [last_message(response)] == ["Import done: 1 added, 2 updated, 0 unchanged."]
    found = people(cast)
    assert set(found) == {"דנה לוי", "מוחמד חלבי", "Tigist Malko"}
    assert found["דנה לוי"].pk == by_email.pk and found["מוחמד חלבי"].pk == by_phone.pk
    assert skill_keys(found["דנה לוי"]) == {"teaching", "stem-instruction"}  # the file's skills replace hers


@pytest.mark.django_db
def test_empty_skill_and_language_cells_keep_what_the_person_has(cast, client_for, skills):
    make_person(cast.authority, "Dana", "staff", [skills["music"]], email="dana@example.org", languages=["ru"])
    rows = [["name", "kind", "skills", "languages", "email"], ["Dana", "staff", "", "", "dana@example.org"]]
    assert upload(client_for(cast.manager), cast, "people_import", csv_file(rows)).status_code == 302
    dana = people(cast)["Dana"]
    assert skill_keys(dana) == {"music"} and dana.languages == ["ru"]


@pytest.mark.django_db
def test_an_unknown_skill_is_a_row_error_that_lists_the_unknown_names_and_nothing_is_written(cast, client_for,
                                                                                             skills):
    rows = [PEOPLE_HE] + PEOPLE_ROWS[:2] + [
        ["Noa", "מתנדבת", "", "", "בישול, ליצנות רפואית, Juggling", "", "", "", "", ""]]
    response = upload(client_for(cast.manager), cast, "people_import", xlsx(rows), lang="en")
    assert response.status_code == 422
    result = response.context["result"]
    assert [(e.row, e.column) for e in result.errors] == [(4, "מיומנויות")]
    assert result.errors[0].message.startswith("Unknown skills: “ליצנות רפואית”, “Juggling”.")
    assert "Nothing was imported" in response.content.decode()
    assert people(cast) == {}
    assert not Skill.objects.filter(authority__isnull=False).exists()


@pytest.mark.django_db
def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_written(cast, client_for, skills):
    rows = [["name", "kind", "phone", "email", "languages", "availability"],
            ["Good person", "staff", "050-1234567", "good@example.org", "Hebrew", "available"],
            ["Bad phone", "staff", "12345", "", "", ""],
            ["", "alien", "", "not-an-email", "Klingon", "sometimes"],
            ["Same email", "volunteer", "", "good@example.org", "", ""]]
    response = upload(client_for(cast.manager), cast, "people_import", csv_file(rows), lang="en")
    assert response.status_code == 422
    errors = {(e.row, e.column): e.message for e in response.context["result"].errors}
    assert "is not a phone number we can call" in errors[(3, "phone")]
    assert errors[(4, "name")] == "This field is required."
    assert "Select a valid choice" in errors[(4, "kind")]
    assert errors[(4, "email")] == "Write a whole e-mail address, like name@example.org."
    assert errors[(4, "languages")].startswith("Unknown languages: “Klingon”.")
    assert "Select a valid choice" in errors[(4, "availability")]
    assert errors[(5, "email")] == "“good@example.org” is already in row 2 of this file."
    assert people(cast) == {}


@pytest.mark.django_db
def test_two_rows_for_one_person_on_record_are_refused(cast, client_for, skills):
    make_person(cast.authority, "Dana", "staff", phone="050-1111111")
    rows = [["name", "kind", "phone"], ["Dana", "staff", "050-1111111"], ["Dana Levi", "staff", "0501111111"]]
    response = upload(client_for(cast.manager), cast, "people_import", csv_file(rows), lang="en")
    assert response.status_code == 422
    assert response.context["result"].errors[0].message == "This row and row 2 are the same person (“Dana”)."


@pytest.mark.django_db
def test_availability_needs_an_open_emergency(cast, client_for, skills):
    from hosen.workmodel.models import Emergency, Phase

    with scopes_disabled():
        Emergency.objects.filter(pk=cast.emergency.pk).update(phase=Phase.CLOSED)
    rows = [["name", "kind", "availability"], ["Dana", "staff", "available"], ["Yossi", "staff", "unknown"]]
    response = upload(client_for(cast.manager), cast, "people_import", csv_file(rows), lang="en")
    assert response.status_code == 422
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(2, "availability")]


@pytest.mark.django_db
def test_the_people_template_has_the_columns_in_the_users_language_and_the_skills(cast, client_for, skills):
    response = client_for(cast.viewer).get(url(cast, "people_template", fmt="xlsx"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]][:3] == ["name", "kind", "organisation"]
    skill_sheet = workbook.worksheets[-1]
    names = [row[0] for row in skill_sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == Skill.objects.count() and "Cooking" in names
    csv_template = client_for(cast.viewer).get(url(cast, "people_template", fmt="csv"))
    assert csv_template.content.startswith("\ufeff".encode())
    assert client_for(cast.viewer).get(url(cast, "people_template", fmt="ods")).status_code == 404


@pytest.mark.django_db
def test_an_exported_file_imports_back_unchanged(cast, client_for, skills):
    make_person(cast.authority, "Dana", "staff", [skills["teaching"]], email="dana@example.org", languages=["he"],
                phone="050-1111111", availability="partly", availability_emergency=cast.emergency)
    client = client_for(cast.manager)
    exported = client.get(url(cast, "people_export", fmt="xlsx"), HTTP_ACCEPT_LANGUAGE="en")
    columns = ["name", "kind", "organisation", "role", "skills", "languages", "area", "phone", "e-mail",
               "availability in this emergency", "availability note", "notes"]
    rows = [row for row in load_workbook(io.BytesIO(exported.content)).active.values]
    keep = [rows[0].index(c) for c in columns]
    trimmed = [[row[i] for i in keep] for row in rows]  # the HXL row comes back too: the importer skips it
    response = upload(client, cast, "people_import", xlsx(trimmed), lang="en")
    assert response.status_code == 302
    assert [last_message(response)] == ["Import done: 0 added, 0 updated, 1 unchanged."]


# ---- facilities ----------------------------------------------------------------------------------


FACILITIES_HE = ["שם המתקן", "סוג", "מוסד", "אזור", "מרחב מוגן", "קיבולת", "מחזיק המפתח", "טלפון מחזיק המפתח",
                 "זמינות"]


@pytest.fixture
def sites(cast):
    with scopes_disabled():
        return {"alon": Site.objects.create(authority=cast.authority, name="בית ספר אלון", kind="school", code="111"),
                "theirs": Site.objects.create(authority=cast.other_authority, name="Their school", kind="school")}


@pytest.mark.django_db
def test_a_good_facilities_file_with_sites_by_name_or_code(cast, client_for, sites):
    make_facility(cast.authority, "אולם הספורט", "hall", capacity=100)
    rows = [FACILITIES_HE,
            ["מקלט 12", "מקלט ציבורי", "", "צפון", "כן", 80, "משה", "052-7654321", "זמין"],
            ["ממ\"ד אלון", "כיתה", "111", "", "כן", "35", "", "", "לא זמין"],
            ["אולם הספורט", "אולם", "בית ספר אלון", "", "לא", 300, "", "", "חלקית"]]
    client = client_for(cast.team)
    response = upload(client, cast, "facilities_import", xlsx(rows, "facilities.xlsx"), lang="en")
    assert response.status_code == 302
    assert [last_message(response)] == ["Import done: 2 added, 1 updated, 0 unchanged."]
    with scopes_disabled():
        found = {f.name: f for f in Facility.objects.filter(authority=cast.authority)}
    assert (found["מקלט 12"].kind, found["מקלט 12"].is_protected, found["מקלט 12"].capacity) == ("shelter", True, 80)
    assert found["מקלט 12"].key_holder_phone == "052-7654321" and found["מקלט 12"].availability == "available"
    assert found["ממ\"ד אלון"].site == sites["alon"] and found["ממ\"ד אלון"].availability == "unavailable"
    assert (found["אולם הספורט"].capacity, found["אולם הספורט"].site) == (300, sites["alon"])


@pytest.mark.django_db
def test_a_bad_facilities_file_writes_nothing(cast, client_for, sites):
    rows = [["name", "kind", "site", "capacity", "protected space"],
            ["Hall", "hall", "Their school", "10", "no"],
            ["Lab", "spaceship", "", "-4", "maybe"],
            ["hall", "hall", "", "", ""]]
    response = upload(client_for(cast.manager), cast, "facilities_import", csv_file(rows, "f.csv"), lang="en")
    assert response.status_code == 422
    errors = {(e.row, e.column): e.message for e in response.context["result"].errors}
    assert errors[(2, "site")].startswith("No site of this authority is called “Their school”")
    assert "Select a valid choice" in errors[(3, "kind")]
    assert errors[(3, "capacity")] == "Enter 0 or more."
    assert errors[(3, "protected space")] == "Write yes or no."
    assert errors[(4, "name")] == "“hall” is already in row 2 of this file."
    with scopes_disabled():
        assert not Facility.objects.exists()


@pytest.mark.django_db
def test_facilities_of_the_same_name_on_record_must_be_told_apart_first(cast, client_for, sites):
    make_facility(cast.authority, "Hall", "hall")
    make_facility(cast.authority, "Hall", "hall")
    response = upload(client_for(cast.manager), cast, "facilities_import",
                      csv_file([["name", "kind"], ["Hall", "hall"]], "f.csv"), lang="en")
    assert response.status_code == 422
    assert "2 facilities are named “Hall”" in response.context["result"].errors[0].message


@pytest.mark.django_db
def test_the_facilities_template(cast, client_for):
    response = client_for(cast.viewer).get(url(cast, "facilities_template", fmt="csv"), HTTP_ACCEPT_LANGUAGE="en")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:3] == ["name", "kind", "site"]
    assert client_for(cast.viewer).post(url(cast, "facilities_import"), {}).status_code == 403
