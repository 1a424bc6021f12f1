"""The people register: the skills vocabulary, the list with its filters and counts, the quick availability
change, the person's form (skills, new skills, languages, phones), archive, the person's page, the export,
and the queries each page costs."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from hosen.field.models import Need
from hosen.integrity.testing import loaded, with_version
from hosen.resources import skills as vocabulary
from hosen.resources.forms_registers import normalize_phone
from hosen.resources.models import Allocation, Availability, Person, Skill
from hosen.workmodel.models import Emergency, EmergencyKind, Phase, Severity

from .matrix_registers import make_person

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(cast, name, **kwargs):
    return reverse(f"resources:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


@pytest.fixture
def skills(db):
    vocabulary.load_skills()
    return {skill.key: skill for skill in Skill.objects.all()}


def closed_emergency(cast):
    with scopes_disabled():
        return Emergency.objects.create(authority=cast.authority, name="ישן", kind=EmergencyKind.FIRE,
                                        started_on=date(2025, 1, 1), severity=Severity.LOW, phase=Phase.CLOSED)


@pytest.fixture
def people(cast, skills):
    """Five active people counted by hand, and people who must never show.

    name      kind       organisation     skills                     languages  area   availability now
    Dana      staff      —                teaching, stem-instruction he, en     North  available
    Yossi     staff      —                laptop-repair              he         South  partly
    Muhammad  partner    Science for all  emotional-first-aid        ar, he     North  unavailable
    Tigist    volunteer  —                driving, cooking           am, he     South  unknown (set in an old emergency)
    Sasha     activist   —                tech-support               ru         North  unknown (never set)
    archived  volunteer  —                driving                    he         North  available — archived
    theirs    (another authority)         driving                    he         North  —
    """
    a, now, old = cast.authority, cast.emergency, closed_emergency(cast)
    found = {
        "dana": make_person(a, "Dana Levi", "staff", [skills["teaching"], skills["stem-instruction"]],
                            languages=["he", "en"], area="North", availability="available",
                            availability_emergency=now, phone="050-1111111", email="dana@example.org"),
        "yossi": make_person(a, "Yossi Cohen", "staff", [skills["laptop-repair"]], languages=["he"], area="South",
                             availability="partly", availability_emergency=now),
        "muhammad": make_person(a, "Muhammad Halabi", "partner", [skills["emotional-first-aid"]],
                                organisation="Science for all", languages=["ar", "he"], area="North",
                                availability="unavailable", availability_emergency=now),
        "tigist": make_person(a, "Tigist Malko", "volunteer", [skills["driving"], skills["cooking"]],
                              languages=["am", "he"], area="South", availability="available",
                              availability_emergency=old),
        "sasha": make_person(a, "Sasha Petrov", "activist", [skills["tech-support"]], languages=["ru"], area="North"),
        "archived": make_person(a, "Archived Person", "volunteer", [skills["driving"]], languages=["he"], area="North",
                                availability="available", availability_emergency=now, is_active=False),
    }
    found["theirs"] = make_person(cast.other_authority, "Their Secret Person", "volunteer", [skills["driving"]],
                                  languages=["he"], area="North")
    return found


def listed(response):
    return sorted(person.name for person in response.context["page"].object_list)


def chip_counts(response, key):
    return {row["value"]: row["n"] for row in response.context[key]}


# ---- the vocabulary ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_skills_file_is_complete_and_its_categories_are_need_categories():
    from hosen.field.models import NeedCategory

    data = json.loads(vocabulary.SKILLS_FILE.read_text(encoding="utf-8"))
    keys = [entry["key"] for entry in data["skills"]]
    assert len(keys) == len(set(keys)) >= 40
    for entry in data["skills"]:
        assert all(entry["name"][lang].strip() for lang in ("he", "ar", "en")), entry["key"]
        assert entry["categories"] and set(entry["categories"]) <= set(NeedCategory.values), entry["key"]
    hebrew = {entry["key"]: entry["name"]["he"] for entry in data["skills"]}
    assert hebrew["emotional-first-aid"] == "עזרה ראשונה נפשית"
    assert {"arabic-speaking", "amharic-speaking", "russian-speaking", "robotics", "laptop-repair"} <= set(keys)


@pytest.mark.django_db
def test_loading_the_skills_is_idempotent_updates_in_place_and_keeps_added_skills(cast, tmp_path):
    assert vocabulary.load_skills() == (Skill.objects.count(), 0)
    total = Skill.objects.count()
    added = vocabulary.add_skill("Puppet theatre", cast.authority)
    teaching = Skill.objects.get(key="teaching")
    teaching.name_en = "Edited by hand"
    teaching.save()
    call_command("load_skills", stdout=io.StringIO())
    assert Skill.objects.count() == total + 1
    assert Skill.objects.get(key="teaching").name_en == "Teaching"
    assert Skill.objects.filter(pk=added.pk).exists()
    assert vocabulary.load_skills() == (0, 0)
    # A file with one skill fewer deletes nothing: people may hold it.
    data = json.loads(vocabulary.SKILLS_FILE.read_text(encoding="utf-8"))
    data["skills"] = data["skills"][1:]
    smaller = tmp_path / "skills.json"
    smaller.write_text(json.dumps(data), encoding="utf-8")
    assert vocabulary.load_skills(smaller) == (0, 0)
    assert Skill.objects.count() == total + 1


@pytest.mark.django_db
def test_a_typed_skill_is_found_in_any_language_before_a_new_one_is_made(cast, skills):
    assert vocabulary.add_skill("  נהיגה ", cast.authority) == skills["driving"]
    assert vocabulary.add_skill("DRIVING", cast.other_authority) == skills["driving"]
    assert vocabulary.add_skill("قيادة السيارات", cast.authority) == skills["driving"]
    new = vocabulary.add_skill("תיאטרון  בובות", cast.authority)
    assert (new.name_he, new.name_ar, new.name_en, new.categories, new.authority) == (
        "תיאטרון בובות", "תיאטרון בובות", "תיאטרון בובות", [], cast.authority)
    assert vocabulary.add_skill("תיאטרון בובות", cast.authority) == new
    # Another authority typing the same name gets a skill of its own: one authority's skill is not offered to it.
    theirs = vocabulary.add_skill("תיאטרון בובות", cast.other_authority)
    assert theirs != new and theirs.authority == cast.other_authority
    assert vocabulary.add_skill("Puppets!", cast.authority).key == "puppets"
    assert vocabulary.add_skill(" PUPPETS! ", cast.authority).key == "puppets"  # the same name
    assert vocabulary.add_skill("C++", cast.authority).key == "c"
    assert vocabulary.add_skill("C", cast.authority).key == "c-2"  # another name with the same slug: a free key


@pytest.mark.django_db
def test_a_skill_added_by_two_people_at_the_same_moment_is_one_skill(cast, skills, monkeypatch):
    """Two forms of one authority add "Drone pilot" at once: both looked it up before either had saved it. The
    second to save hits the name (and key) the first just took, and takes the first's skill instead of making
    "drone-pilot-2"."""
    first = vocabulary.add_skill("Drone pilot", cast.authority)
    real_lookup = vocabulary.lookup_table
    calls = []

    def not_yet_saved(skills=None):  # the second form's look-up ran before the first form's skill existed
        calls.append(1)
        return {} if len(calls) == 1 else real_lookup(skills)

    monkeypatch.setattr(vocabulary, "lookup_table", not_yet_saved)
    monkeypatch.setattr(vocabulary, "_unique_key", lambda text: "drone-pilot")  # the key free at that moment
    assert vocabulary.add_skill("drone  pilot\u200f", cast.authority) == first
    assert Skill.objects.filter(name_en__iexact="drone pilot").count() == 1


# ---- the list ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_this_authoritys_active_people_with_counts_by_kind_and_availability(cast, client_for, people):
    response = client_for(cast.viewer).get(url(cast, "people"), **EN)
    assert response.status_code == 200
    assert listed(response) == ["Dana Levi", "Muhammad Halabi", "Sasha Petrov", "Tigist Malko", "Yossi Cohen"]
    assert response.context["total"] == 5
    assert chip_counts(response, "by_kind") == {"staff": 2, "partner": 1, "volunteer": 1, "activist": 1}
    assert chip_counts(response, "by_now") == {"available": 1, "partly": 1, "unavailable": 1, "unknown": 2}
    assert response.context["available_now"] == 2
    html = response.content.decode()
    assert "Their Secret Person" not in html and "Archived Person" not in html
    assert "Science for all" in html and "050-1111111" in html
    # A viewer sees availability but gets no buttons to change it.
    assert 'type="submit" name="availability"' not in html
    assert response.context["archived_count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected", [
    ({"kind": "staff"}, ["Dana Levi", "Yossi Cohen"]),
    ({"skill": "driving"}, ["Tigist Malko"]),
    ({"skill": "teaching"}, ["Dana Levi"]),
    ({"language": "he"}, ["Dana Levi", "Muhammad Halabi", "Tigist Malko", "Yossi Cohen"]),
    ({"language": "ar"}, ["Muhammad Halabi"]),
    ({"area": "North"}, ["Dana Levi", "Muhammad Halabi", "Sasha Petrov"]),
    ({"availability": "unknown"}, ["Sasha Petrov", "Tigist Malko"]),
    ({"availability": "available"}, ["Dana Levi"]),
    ({"q": "science"}, ["Muhammad Halabi"]),
    ({"q": "dana@"}, ["Dana Levi"]),
    ({"area": "North", "language": "he", "kind": "partner"}, ["Muhammad Halabi"]),
])
def test_filters(cast, client_for, people, query, expected):
    response = client_for(cast.team).get(url(cast, "people"), query, **EN)
    assert listed(response) == expected
    assert response.context["total"] == len(expected)


@pytest.mark.django_db
def test_counts_follow_the_filters(cast, client_for, people):
    response = client_for(cast.team).get(url(cast, "people"), {"area": "North"}, **EN)
    assert chip_counts(response, "by_kind") == {"staff": 1, "partner": 1, "volunteer": 0, "activist": 1}
    assert chip_counts(response, "by_now") == {"available": 1, "partly": 0, "unavailable": 1, "unknown": 1}
    chosen = {row["value"]: row for row in response.context["by_kind"]}
    assert chosen["staff"]["href"] == "?area=North&kind=staff"


@pytest.mark.django_db
def test_values_that_do_not_fit_are_ignored(cast, client_for, people):
    for query in ({"kind": "alien"}, {"skill": "no-such-skill"}, {"language": "xx"}, {"availability": "maybe"},
                  {"area": "Mars"}, {"page": "abc"}):
        response = client_for(cast.team).get(url(cast, "people"), query, **EN)
        assert response.status_code == 200, query
        assert len(listed(response)) == 5, query


@pytest.mark.django_db
def test_archived_people_have_their_own_list(cast, client_for, people):
    response = client_for(cast.team).get(url(cast, "people"), {"archived": "1"}, **EN)
    assert listed(response) == ["Archived Person"]


@pytest.mark.django_db
def test_pagination_is_fifty_a_page_and_keeps_the_filters(cast, client_for):
    for n in range(55):
        make_person(cast.authority, f"Volunteer {n:02d}", "volunteer")
    make_person(cast.authority, "Staff One", "staff")
    client = client_for(cast.team)
    first = client.get(url(cast, "people"), {"kind": "volunteer"}, **EN)
    assert len(first.context["page"].object_list) == 50 and first.context["total"] == 55
    assert "?kind=volunteer&amp;page=2" in first.content.decode()
    second = client.get(url(cast, "people"), {"kind": "volunteer", "page": 2}, **EN)
    assert listed(second) == [f"Volunteer {n}" for n in range(50, 55)]


@pytest.mark.django_db
def test_without_an_open_emergency_availability_is_not_asked(cast, client_for, people):
    with scopes_disabled():
        Emergency.objects.filter(pk=cast.emergency.pk).update(phase=Phase.CLOSED)
    response = client_for(cast.manager).get(url(cast, "people"), {"availability": "available"}, **EN)
    assert response.status_code == 200
    assert len(listed(response)) == 5  # the filter is not offered, so it is ignored
    html = response.content.decode()
    assert "There is no open emergency now" in html
    assert 'name="availability"' not in html  # neither the filter nor the buttons
    form = client_for(cast.manager).get(url(cast, "person_new"), **EN)
    assert "availability" not in form.context["form"].fields


# ---- quick availability change -------------------------------------------------------------------


@pytest.mark.django_db
def test_quick_availability_change_with_htmx_returns_the_card(cast, client_for, people):
    sasha = people["sasha"]
    response = client_for(cast.team).post(url(cast, "person_availability", person_pk=sasha.pk),
                                          with_version(sasha, availability="available", next=url(cast, "people")),
                                          **EN, **HTMX)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "resources/_person_card.html"
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="card reg-card person av-available" id="person-{sasha.pk}"')
    assert "Availability: Available" in html
    with scopes_disabled():
        sasha.refresh_from_db()
        last = sasha.history.latest()
    assert (sasha.availability, sasha.availability_emergency) == ("available", cast.emergency)
    assert last.history_user == cast.team


@pytest.mark.django_db
def test_quick_availability_change_without_htmx_goes_back_to_the_filtered_list(cast, client_for, people):
    back = url(cast, "people") + "?area=North"
    response = client_for(cast.team).post(url(cast, "person_availability", person_pk=people["dana"].pk),
                                          with_version(people["dana"], availability="partly", next=back), **EN)
    assert response.status_code == 302
    assert response["Location"] == f"{back}#person-{people['dana'].pk}"
    with scopes_disabled():
        assert Person.objects.get(pk=people["dana"].pk).availability == "partly"
    evil = client_for(cast.team).post(url(cast, "person_availability", person_pk=people["dana"].pk),
                                      {"availability": "partly", "next": "https://evil.example/"}, **EN)
    assert evil["Location"].startswith(url(cast, "people"))


@pytest.mark.django_db
def test_a_bad_availability_changes_nothing(cast, client_for, people):
    dana = people["dana"]
    response = client_for(cast.team).post(url(cast, "person_availability", person_pk=dana.pk),
                                          {"availability": "on holiday"}, **EN, **HTMX)
    assert response.status_code == 422
    assert "Choose one of the availabilities offered." in response.content.decode()
    with scopes_disabled():
        dana.refresh_from_db()
    assert dana.availability == "available"


@pytest.mark.django_db
def test_a_viewer_cannot_change_availability_and_an_outsider_cannot_see_the_person(cast, client_for, people):
    dana = people["dana"]
    assert client_for(cast.viewer).post(url(cast, "person_availability", person_pk=dana.pk),
                                        {"availability": "partly"}).status_code == 403
    theirs = people["theirs"]
    client = client_for(cast.manager)
    for name in ("person", "person_edit", "person_availability"):
        assert client.get(url(cast, name, person_pk=theirs.pk)).status_code == 404, name
    assert client.post(url(cast, "person_availability", person_pk=theirs.pk),
                       {"availability": "partly"}).status_code == 404
    with scopes_disabled():
        assert Person.objects.get(pk=theirs.pk).availability == "unknown"


@pytest.mark.django_db
def test_a_tap_that_asks_for_what_is_already_so_is_calm(cast, client_for, people):
    """A card loaded before someone else marked Dana partly available; she taps "partly" too: nothing to
    refuse, nothing changes twice. Tapping "not available" on that old card is refused, and says why."""
    dana = people["dana"]
    stale = with_version(dana, availability="partly")
    client = client_for(cast.team)
    assert client.post(url(cast, "person_availability", person_pk=dana.pk), stale, **HTMX).status_code == 200
    client = client_for(cast.manager)
    response = client.post(url(cast, "person_availability", person_pk=dana.pk), stale, **EN, **HTMX)
    assert response.status_code == 200 and "changed this meanwhile" not in response.content.decode()
    response = client.post(url(cast, "person_availability", person_pk=dana.pk),
                           {**stale, "availability": "unavailable"}, **EN, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "team changed this meanwhile, so your change was not applied" in html
    assert 'av-partly" id="person-' in html  # the card as it is now, with its new version
    assert f'value="{with_version(dana)["version"]}"' in html
    with scopes_disabled():
        dana.refresh_from_db()
        assert dana.availability == "partly" and dana.history.count() == 2


# ---- the form ------------------------------------------------------------------------------------


def person_data(vocab, **overrides):
    data = {"name": "Rina Azoulay", "kind": "volunteer", "organisation": "", "role": "", "area": "East",
            "skills": [vocab["cooking"].pk, vocab["driving"].pk], "new_skills": "", "languages": ["ru", "he"],
            "phone": "+972 54 123 4567", "email": "Rina@Example.org ", "availability": "partly",
            "availability_note": "evenings", "notes": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_a_new_person_with_skills_a_new_skill_languages_and_availability_now(cast, client_for, skills):
    data = person_data(skills, new_skills="Puppet theatre, נהיגה")
    response = client_for(cast.team).post(url(cast, "person_new"), data, **EN)
    assert response.status_code == 302
    with scopes_disabled():
        person = Person.objects.get(name="Rina Azoulay")
        held = set(person.skills.values_list("key", flat=True))
    assert response["Location"] == url(cast, "person", person_pk=person.pk)
    assert person.authority == cast.authority and person.kind == "volunteer"
    assert person.phone == "054-1234567" and person.email == "rina@example.org"
    assert person.languages == ["he", "ru"]  # in the list's order
    assert (person.availability, person.availability_emergency) == ("partly", cast.emergency)
    puppet = Skill.objects.get(name_en="Puppet theatre")
    assert (puppet.authority, puppet.categories, puppet.name_he) == (cast.authority, [], "Puppet theatre")
    assert held == {"cooking", "driving", puppet.key}  # "נהיגה" was driving, not a new skill
    assert Skill.objects.filter(authority__isnull=False).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, message", [
    ({"name": ""}, "name", "This field is required."),
    ({"kind": ""}, "kind", "Choose who this is: staff, partner, volunteer or activist."),
    ({"phone": "12345"}, "phone", "“12345” is not a phone number we can call."),
    ({"phone": "050-123-45678"}, "phone", "is not a phone number we can call"),
    ({"phone": "call me"}, "phone", "“call me” is not a phone number we can call."),
    ({"email": "rina@"}, "email", "Write a whole e-mail address, like name@example.org."),
    ({"languages": ["he", "klingon"]}, "languages", "Select a valid choice."),
    ({"availability": "sometimes"}, "availability", "Select a valid choice."),
    ({"new_skills": "x" * 121}, "new_skills", "A skill's name can be at most 120 characters."),
    ({"new_skills": ",".join(f"s{n}" for n in range(11))}, "new_skills", "Add at most 10 new skills at a time."),
])
def test_bad_input_gets_a_clear_message_and_saves_nothing(cast, client_for, skills, overrides, field, message):
    before = Skill.objects.count()
    response = client_for(cast.manager).post(url(cast, "person_new"), person_data(skills, **overrides), **EN)
    assert response.status_code == 422
    assert any(message in error for error in response.context["form"].errors[field]), \
        response.context["form"].errors
    assert "Nothing was saved: please correct what is marked." in response.content.decode()
    with scopes_disabled():
        assert not Person.objects.exists()
    assert Skill.objects.count() == before


@pytest.mark.django_db
def test_a_bad_phone_with_a_new_skill_adds_no_skill(cast, client_for, skills):
    response = client_for(cast.manager).post(url(cast, "person_new"),
                                             person_data(skills, phone="99", new_skills="Juggling"), **EN)
    assert response.status_code == 422
    assert not Skill.objects.filter(name_en="Juggling").exists()


@pytest.mark.parametrize("typed, stored", [
    ("0501234567", "050-1234567"), ("050-123-4567", "050-1234567"), ("+972-50-1234567", "050-1234567"),
    ("00972501234567", "050-1234567"), ("972501234567", "050-1234567"), ("(02) 612 3456", "02-6123456"),
    ("04.8123456", "04-8123456"), ("072-2345678", "072-2345678"), ("1-800-123-456", "1-800-123-456"),
    ("+44 20 7946 0000", "+442079460000"), ("", ""),
])
def test_phones_are_written_one_way(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "050123456", "05012345678", "0612345678", "+972 1", "phone", "050-1234567#",
                                   "+1 23"])
def test_what_is_not_a_phone_is_refused(typed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        normalize_phone(typed)


@pytest.mark.django_db
def test_edit_shows_unknown_for_an_availability_of_another_emergency_and_sets_this_one(cast, client_for, people,
                                                                                        skills):
    tigist = people["tigist"]
    client = client_for(cast.manager)
    page = client.get(url(cast, "person_edit", person_pk=tigist.pk), **EN)
    assert page.context["form"].initial["availability"] == "unknown"
    assert set(page.context["form"].initial["languages"]) == {"am", "he"}
    data = person_data(skills, name="Tigist Malko", availability="available", skills=[skills["cooking"].pk])
    data = loaded(client, url(cast, "person_edit", person_pk=tigist.pk), having="name", **data)
    assert client.post(url(cast, "person_edit", person_pk=tigist.pk), data, **EN).status_code == 302
    with scopes_disabled():
        tigist.refresh_from_db()
        assert list(tigist.skills.values_list("key", flat=True)) == ["cooking"]
    assert tigist.availability_in(cast.emergency) == "available"


@pytest.mark.django_db
def test_a_save_over_skills_changed_meanwhile_shows_the_conflict(cast, client_for, people, skills):
    """Skills are part of what a save could overwrite: the team took "cooking" off Tigist's skills while the
    manager had the form open. Her save shows both lists side by side and changes nothing."""
    from django.test import Client

    tigist = people["tigist"]
    edit = url(cast, "person_edit", person_pk=tigist.pk)
    manager, team = Client(**EN), Client(**EN)
    manager.force_login(cast.manager)
    team.force_login(cast.team)
    hers = loaded(manager, edit, having="name", notes="Drives a minibus")
    his = loaded(team, edit, having="name", skills=[str(skills["driving"].pk)])
    assert team.post(edit, his).status_code == 302

    response = manager.post(edit, hers)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Saved meanwhile by someone else" in html and "Drives a minibus" in html
    rows = {str(row["label"]): row for row in response.context["form"].conflict.rows}
    assert set(rows) == {"Skills", "Notes"}
    assert "Cooking" in rows["Skills"]["yours"] and "Cooking" not in rows["Skills"]["current"]
    with scopes_disabled():
        tigist.refresh_from_db()
        assert list(tigist.skills.values_list("key", flat=True)) == ["driving"] and tigist.notes == ""
    # Sent again from the conflict view (she keeps her note, takes his skills): it applies.
    again = loaded(manager, edit, having="name") | {"version": response.context["form"].version_token,
                                                   "notes": "Drives a minibus"}
    assert manager.post(edit, again).status_code == 302
    with scopes_disabled():
        tigist.refresh_from_db()
        assert list(tigist.skills.values_list("key", flat=True)) == ["driving"]
        assert tigist.notes == "Drives a minibus"


@pytest.mark.django_db
def test_the_conflict_view_lists_only_what_differs(cast, client_for, people):
    """Skills listed in another order, or an availability stored in an emergency that is over, are no
    difference: the side by side shows only the role the team changed and the note the manager wrote."""
    from django.test import Client

    tigist = people["tigist"]  # available in an old emergency: "unknown" in this one
    with scopes_disabled():
        zebra = Skill.objects.create(key="a-zebras", name_he="א", name_ar="א", name_en="Zebra care")
        apple = Skill.objects.create(key="z-apples", name_he="ת", name_ar="ت", name_en="Apple picking")
        tigist.skills.set([zebra, apple])
    edit = url(cast, "person_edit", person_pk=tigist.pk)
    manager, team = Client(**EN), Client(**EN)
    manager.force_login(cast.manager)
    team.force_login(cast.team)
    hers = loaded(manager, edit, having="name", notes="Drives a minibus")
    assert team.post(edit, loaded(team, edit, having="name", role="Driver")).status_code == 302
    response = manager.post(edit, hers)
    assert response.status_code == 409
    rows = {str(row["label"]): (row["yours"], row["current"]) for row in response.context["form"].conflict.rows}
    assert rows == {"Role": ("—", "Driver"), "Notes": ("Drives a minibus", "—")}


@pytest.mark.django_db
def test_archive_and_restore_keep_the_person_and_their_history(cast, client_for, people):
    dana = people["dana"]
    client = client_for(cast.team)
    response = client.post(url(cast, "person_edit", person_pk=dana.pk), with_version(dana, action="archive"), **EN)
    assert response.status_code == 302
    with scopes_disabled():
        dana.refresh_from_db()
    assert dana.is_active is False
    assert "Dana Levi" not in listed(client.get(url(cast, "people"), **EN))
    assert client.post(url(cast, "person_availability", person_pk=dana.pk), {"availability": "partly"},
                       **EN, **HTMX).status_code == 422
    assert client.post(url(cast, "person_edit", person_pk=dana.pk), with_version(dana, action="restore"),
                       **EN).status_code == 302
    with scopes_disabled():
        dana.refresh_from_db()
        assert dana.is_active and dana.history.count() == 3
    # An archive tap from a page loaded before someone else's change is not applied over it.
    stale = with_version(dana, action="archive")
    assert client.post(url(cast, "person_availability", person_pk=dana.pk),
                       with_version(dana, availability="partly")).status_code == 302
    manager = client_for(cast.manager)
    response = manager.post(url(cast, "person_edit", person_pk=dana.pk), stale, **EN)
    assert response["Location"] == url(cast, "person_edit", person_pk=dana.pk)
    page = manager.get(response["Location"], **EN).content.decode()
    assert "team changed this meanwhile, so your change was not applied" in page
    with scopes_disabled():
        dana.refresh_from_db()
        assert dana.is_active and dana.availability == "partly"


@pytest.mark.django_db
def test_the_persons_page_shows_skills_allocations_and_history(cast, client_for, people):
    dana = people["dana"]
    with scopes_disabled():
        need = Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                   category="learning", description="Online physics lessons for grade 9")
        Allocation.objects.create(authority=cast.authority, need=need, person=dana, allocated_by=cast.manager,
                                  note="Tuesdays")
    client = client_for(cast.team)
    assert client.post(url(cast, "person_availability", person_pk=dana.pk),
                       with_version(dana, availability="partly")).status_code == 302
    response = client.get(url(cast, "person", person_pk=dana.pk), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Online physics lessons for grade 9" in html and "Tuesdays" in html
    history = response.context["history"]
    assert history[0]["who"] == cast.team
    assert ("availability", "Available", "Partly available") in [tuple(map(str, c)) for c in history[0]["changes"]]
    assert history[-1]["kind"] == "+"


# ---- export --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_has_the_filtered_people_with_hxl_tags(cast, client_for, people):
    response = client_for(cast.viewer).get(url(cast, "people_export", fmt="xlsx"), {"area": "North"}, **EN)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("name", "kind", "organisation")
    assert rows[1][:3] == ("#contact+name", "#contact+type", "#org+name")
    names = [row[0] for row in rows[2:]]
    assert names == ["Dana Levi", "Muhammad Halabi", "Sasha Petrov"]
    dana = dict(zip(rows[0], rows[2], strict=True))
    assert dana["skills"] == "STEM instruction, Teaching"
    assert dana["languages"] == "Hebrew, English"
    assert dana["availability in this emergency"] == "Available"


@pytest.mark.django_db
def test_export_csv_has_a_bom_and_an_unknown_format_is_404(cast, client_for, people):
    client = client_for(cast.viewer)
    response = client.get(url(cast, "people_export", fmt="csv"), {"kind": "volunteer"}, **EN)
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[2:]] == ["Tigist Malko"]
    assert rows[2][rows[0].index("availability in this emergency")] == "Unknown"
    assert client.get(url(cast, "people_export", fmt="pdf")).status_code == 404


# ---- queries per page ----------------------------------------------------------------------------


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_people(cast, client_for, skills):
    keys = list(skills)
    for n in range(5):
        make_person(cast.authority, f"P{n}", ["staff", "volunteer"][n % 2], [skills[keys[n]]], languages=["he"],
                    area=f"Area {n % 3}", availability="available", availability_emergency=cast.emergency)
    client = client_for(cast.team)
    path = url(cast, "people") + "?language=he"
    client.get(path)
    small = count_queries(client, path)
    for n in range(80):
        make_person(cast.authority, f"Q{n}", ["partner", "activist"][n % 2], [skills[k] for k in keys[n % 7:n % 7 + 3]],
                    languages=["he", "ar"], area=f"Area {n % 9}", is_active=n % 10 != 0)
    large = count_queries(client, path)
    assert large == small, f"{small} queries with 5 people, {large} with 85"
    assert large <= 12, large
    assert count_queries(client, url(cast, "people") + "?skill=driving&page=2") <= large + 1


@pytest.mark.django_db
def test_detail_queries_do_not_grow_with_history_and_allocations(cast, client_for, people):
    dana = people["dana"]
    client = client_for(cast.manager)
    path = url(cast, "person", person_pk=dana.pk)
    client.get(path)
    small = count_queries(client, path)
    with scopes_disabled():
        for n in range(30):
            need = Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                       category="learning", description=f"need {n}")
            Allocation.objects.create(authority=cast.authority, need=need, person=dana, allocated_by=cast.team,
                                      released_at=timezone.now() if n % 2 else None)
            dana.availability = ["partly", "available"][n % 2]
            dana._history_user = cast.team
            dana.save()
    large = count_queries(client, path)
    assert large == small, f"{small} queries, then {large}"
    assert large <= 12, large


@pytest.mark.django_db
def test_availability_in_another_emergency_is_unknown(cast, people):
    assert people["tigist"].availability_in(cast.emergency) == Availability.UNKNOWN
    assert people["dana"].availability_in(cast.emergency) == Availability.AVAILABLE
    assert people["dana"].availability_in(None) == Availability.UNKNOWN


# ---- evidence for the checklist ------------------------------------------------------------------


def evidence(cast, *numbers):
    from django.utils import translation

    from hosen.workmodel.evidence import EvidenceContext, evidence_for

    with translation.override("en"), scopes_disabled():
        return evidence_for(EvidenceContext(cast.authority, cast.emergency, cast.round), numbers)


@pytest.mark.django_db
def test_evidence_for_people_volunteers_and_partners(cast, people, skills, django_assert_max_num_queries):
    make_person(cast.authority, "No skills yet", "partner", organisation=" science for all ")
    make_person(cast.authority, "Another partner", "partner", organisation="City college")
    make_person(cast.authority, "Volunteer now", "volunteer", availability="partly",
                availability_emergency=cast.emergency)
    with django_assert_max_num_queries(4):
        found = evidence(cast, 13, 15, 18)
    # staff: Dana, Yossi; partners: Muhammad, No skills yet, Another partner → 5, 3 with skills
    assert found[13].text == "5 staff and partner people mapped, 3 with skills recorded"
    assert found[13].url == url(cast, "people") + "?kind=staff"
    # volunteers and activists: Tigist (old emergency), Sasha, Volunteer now (partly) → 3, 1 available
    assert found[15].text == "3 volunteers and activists on record, 1 available in this emergency"
    # "Science for all" twice (spelt differently) and "City college"
    assert found[18].text == "Partner staff from 2 organisations on record"


@pytest.mark.django_db
def test_evidence_when_nothing_is_on_record_yet(cast, client_for):
    found = evidence(cast, 13, 15, 18)
    assert found[13].text == "No staff or partner staff on record yet"
    assert found[15].text == "No volunteers or community activists on record yet"
    assert found[15].url == url(cast, "volunteer_links")
    assert 18 not in found
    page = client_for(cast.manager).get(reverse("workmodel:checklist_evidence",
                                                kwargs={"authority_slug": cast.authority.slug}),
                                        **EN)
    assert "No volunteers or community activists on record yet" in page.content.decode()
