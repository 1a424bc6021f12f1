"""Skills an authority types stay its own — in its people's forms, filters and import template, never in
another authority's, nor in any volunteer sign-up — until a network admin adds them to the shared list,
after which every authority has them and the authorities' copies are one skill."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from hosen.integrity.testing import form_data
from hosen.resources import skills as vocabulary
from hosen.resources.models import Person, Skill

from .matrix_registers import make_person, make_volunteer_link

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PAGE = "/network/skills/"
SECRET = "Sekret puppet theatre"


@pytest.fixture
def skills(db):
    vocabulary.load_skills()
    return {skill.key: skill for skill in Skill.objects.all()}


def url(authority, name, **kwargs):
    return reverse(f"resources:{name}", kwargs={"authority_slug": authority.slug, **kwargs})


def typed_in_alpha(cast, client_for, name=SECRET):
    """A team member of authority alpha types a new skill in a person's form, as the form sends it."""
    client = client_for(cast.team)
    page = client.get(url(cast.authority, "person_new"), **EN).content.decode()
    data = form_data(page, having="new_skills", name="Rina Azoulay", kind="volunteer", new_skills=name,
                     phone="050-7654321")
    response = client.post(url(cast.authority, "person_new"), data, **EN)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Skill.objects.get(name_en=name, authority=cast.authority)


def template_skills(client, authority):
    response = client.get(url(authority, "people_template", fmt="xlsx"), **EN)
    workbook = load_workbook(io.BytesIO(response.content))
    return [row[0] for row in workbook["Skills"].iter_rows(values_only=True)]


def what_beta_is_offered(cast, client_for):
    """Every place authority beta's people meet the skills list: the person form, the list's filter, the
    import template, and beta's volunteer sign-up."""
    manager = client_for(cast.outsider)  # beta's manager
    link = make_volunteer_link(cast.other_authority)
    return {
        "form": manager.get(url(cast.other_authority, "person_new"), **EN).content.decode(),
        "filter": manager.get(url(cast.other_authority, "people"), **EN).content.decode(),
        "template": "\n".join(str(name) for name in template_skills(manager, cast.other_authority)),
        "sign-up": client_for(None).get(reverse("resources_public:volunteer", kwargs={"volunteer_token": link.token}),
                                        **EN).content.decode(),
    }


@pytest.mark.django_db
def test_a_skill_typed_in_one_authority_is_offered_in_no_other(cast, client_for, skills):
    typed_in_alpha(cast, client_for)
    for place, html in what_beta_is_offered(cast, client_for).items():
        assert SECRET not in html, place
        assert "Driving" in html, place  # the shared vocabulary is offered everywhere
    # In alpha itself: the form, the filter and the template offer it; the public sign-up does not.
    team = client_for(cast.team)
    assert SECRET in team.get(url(cast.authority, "person_new"), **EN).content.decode()
    assert SECRET in team.get(url(cast.authority, "people"), **EN).content.decode()
    assert SECRET in template_skills(team, cast.authority)
    link = make_volunteer_link(cast.authority)
    signup = client_for(None).get(reverse("resources_public:volunteer", kwargs={"volunteer_token": link.token}), **EN)
    assert SECRET not in signup.content.decode()


@pytest.mark.django_db
def test_another_authoritys_skill_cannot_be_sent_filtered_on_or_imported(cast, client_for, skills):
    secret = typed_in_alpha(cast, client_for)
    manager = client_for(cast.outsider)
    page = manager.get(url(cast.other_authority, "person_new"), **EN).content.decode()
    data = form_data(page, having="new_skills", name="Forger", kind="staff", skills=[secret.pk])
    assert manager.post(url(cast.other_authority, "person_new"), data, **EN).status_code == 422
    with scopes_disabled():
        assert not Person.objects.filter(name="Forger").exists()
    # The filter ignores a key it does not offer (a filter never errs): beta's people are all listed.
    make_person(cast.other_authority, "Beta Person", "staff", [skills["driving"]])
    listed = manager.get(url(cast.other_authority, "people") + f"?skill={secret.key}", **EN).content.decode()
    assert "Beta Person" in listed
    # An import naming it: an unknown skill, nothing imported.
    upload = SimpleUploadedFile("people.csv", f"name,kind,skills\nImported Person,staff,{SECRET}\n".encode())
    response = manager.post(url(cast.other_authority, "people_import"), {"file": upload}, **EN)
    assert response.status_code == 422 and "Unknown skills" in response.content.decode()
    with scopes_disabled():
        assert not Person.objects.filter(name="Imported Person").exists()


@pytest.mark.django_db
def test_the_same_name_typed_in_two_authorities_is_a_skill_each(cast, skills):
    ours = vocabulary.add_skill("Drone pilot", cast.authority)
    theirs = vocabulary.add_skill("drone  PILOT\u200f", cast.other_authority)
    assert ours != theirs and (ours.authority, theirs.authority) == (cast.authority, cast.other_authority)
    assert vocabulary.add_skill("Drone pilot", cast.authority) == ours  # one name, one skill per authority
    assert vocabulary.add_skill("נהיגה", cast.authority) == skills["driving"]  # the shared name wins
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Skill.objects.create(key="another-key", name_he="x", name_ar="x", name_en="DRONE pilot",
                             authority=cast.authority)


# ---- the network admin's page ----------------------------------------------------------------------


def typed_in_both(cast, client_for):
    """alpha's team typed "Sekret puppet theatre" for Rina; beta typed the same name for two people."""
    ours = typed_in_alpha(cast, client_for)
    theirs = vocabulary.add_skill(SECRET.upper(), cast.other_authority)
    make_person(cast.other_authority, "Beta One", "volunteer", [theirs])
    make_person(cast.other_authority, "Beta Two", "volunteer", [theirs])
    return ours, theirs


@pytest.mark.django_db
def test_the_network_admin_sees_each_name_with_its_authorities_and_how_many_hold_it(cast, client_for, skills):
    typed_in_both(cast, client_for)
    html = client_for(cast.network_admin).get(PAGE, **EN).content.decode()
    card = html[html.index(f">{SECRET}</h2>"):]
    card = card[:card.index("</section>")]
    assert cast.authority.name in card and cast.other_authority.name in card
    assert "1 person" in card and "2 people" in card
    assert card.count("<form") == 1  # one name, one decision
    assert "Driving" not in html  # the shared vocabulary is not up for review
    network = client_for(cast.network_admin).get(reverse("tenancy:network"), **EN).content.decode()
    assert 'href="/network/skills/"' in network


@pytest.mark.django_db
def test_the_network_admin_adds_it_to_the_shared_list_then_everyone_has_it(cast, client_for, skills):
    ours, theirs = typed_in_both(cast, client_for)
    admin = client_for(cast.network_admin)
    data = form_data(admin.get(PAGE, **EN).content.decode(), having="name_key", name_he="תיאטרון בובות",
                     name_ar="مسرح الدمى", name_en="Puppet theatre", categories=["emotional"])
    response = admin.post(PAGE, data, **EN)
    assert response.status_code == 302 and response["Location"] == PAGE
    shared = Skill.objects.get(name_en="Puppet theatre")
    assert (shared.authority, shared.name_he, shared.name_ar, shared.categories) == (
        None, "תיאטרון בובות", "مسرح الدمى", ["emotional"])
    assert not Skill.objects.filter(name_en__iexact=SECRET).exists()  # both copies are the one shared skill
    with scopes_disabled():
        holders = set(Person.objects.filter(skills=shared).values_list("name", flat=True))
    assert holders == {"Rina Azoulay", "Beta One", "Beta Two"}
    for place, html in what_beta_is_offered(cast, client_for).items():
        assert "Puppet theatre" in html, place
    assert "Puppet theatre" in client_for(cast.team).get(url(cast.authority, "person_new"), **EN).content.decode()
    # Typing the name again, in any of its languages, finds the shared skill.
    assert vocabulary.add_skill("مسرح الدمى", cast.authority) == shared
    assert vocabulary.add_skill("תיאטרון  בובות", cast.other_authority) == shared
    page = client_for(cast.network_admin).get(PAGE, **EN).content.decode()
    assert "No authority has added a skill of its own." in page


@pytest.mark.django_db
def test_a_name_the_shared_list_has_merges_into_that_skill(cast, client_for, skills):
    ours = vocabulary.add_skill("Car driving for the elderly", cast.authority)
    make_person(cast.authority, "Holder", "volunteer", [ours, skills["driving"]])
    admin = client_for(cast.network_admin)
    data = form_data(admin.get(PAGE, **EN).content.decode(), having="name_key", name_he="נהיגה",
                     name_ar="x", name_en="y")
    response = admin.post(PAGE, data, **EN)
    assert response.status_code == 302
    assert "was already in the shared list" in admin.get(PAGE, **EN).content.decode()
    assert not Skill.objects.filter(pk=ours.pk).exists()
    assert Skill.objects.get(key="driving").name_en == "Driving"  # its names are kept
    with scopes_disabled():
        assert list(Person.objects.get(name="Holder").skills.values_list("key", flat=True)) == ["driving"]


@pytest.mark.django_db
def test_sent_three_times_it_is_added_once(cast, client_for, skills):
    typed_in_both(cast, client_for)
    admin = client_for(cast.network_admin)
    data = form_data(admin.get(PAGE, **EN).content.decode(), having="name_key", name_en="Puppet theatre")
    assert data["submission"] and data["version"]
    answers = [admin.post(PAGE, data, **EN) for _ in range(3)]
    assert [a.status_code for a in answers] == [302] * 3
    assert Skill.objects.filter(name_en="Puppet theatre", authority__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_page_loaded_before_another_authority_typed_the_name_does_not_act(cast, client_for, skills):
    ours = typed_in_alpha(cast, client_for)
    admin = client_for(cast.network_admin)
    data = form_data(admin.get(PAGE, **EN).content.decode(), having="name_key", name_he="תיאטרון בובות",
                     name_en="Puppet theatre")
    theirs = vocabulary.add_skill(SECRET, cast.other_authority)  # meanwhile
    response = admin.post(PAGE, data, **EN)
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed meanwhile" in html and "תיאטרון בובות" in html  # what she typed is kept
    assert Skill.objects.filter(pk__in=[ours.pk, theirs.pk], authority__isnull=False).count() == 2
    # Sent again from the page as it is now, it applies — to both copies.
    again = form_data(html, having="name_key")
    assert admin.post(PAGE, again, **EN).status_code == 302
    assert not Skill.objects.filter(pk=theirs.pk).exists()
    assert Skill.objects.get(pk=ours.pk).authority is None


@pytest.mark.django_db
def test_a_name_missing_in_a_language_is_refused_and_changes_nothing(cast, client_for, skills):
    ours = typed_in_alpha(cast, client_for)
    admin = client_for(cast.network_admin)
    data = form_data(admin.get(PAGE, **EN).content.decode(), having="name_key", name_ar="  ", name_en="Puppets")
    response = admin.post(PAGE, data, **EN)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Write the skill&#x27;s name in each of the three languages." in html and 'value="Puppets"' in html
    assert Skill.objects.get(pk=ours.pk).authority == cast.authority
    # An unknown name (a forged or outdated form): nothing to add.
    data = form_data(admin.get(PAGE, **EN).content.decode(), having="name_key", name_key="no such skill")
    response = admin.post(PAGE, data, **EN)
    assert response.status_code == 302 and Skill.objects.get(pk=ours.pk).authority == cast.authority


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "team", "coordinator", "other_coordinator", "outsider", "viewer"])
def test_only_a_network_admin_adds_to_the_shared_list(cast, client_for, skills, role):
    ours = typed_in_alpha(cast, client_for)
    admin = client_for(cast.network_admin)
    data = form_data(admin.get(PAGE, **EN).content.decode(), having="name_key", name_en="Puppet theatre")
    response = client_for(cast.user(role)).post(PAGE, data, **EN)
    assert response.status_code in (403, 404)
    assert Skill.objects.get(pk=ours.pk).authority == cast.authority
    assert client_for(None).post(PAGE, data).status_code == 302  # to sign in
    assert Skill.objects.get(pk=ours.pk).authority == cast.authority


@pytest.mark.django_db
def test_a_network_admin_reviews_only_her_networks_authorities(cast, client_for, skills):
    from hosen.tenancy.models import Authority, Cluster, Network

    elsewhere = Network.objects.create(name="Elsewhere", slug="elsewhere")
    far = Authority.objects.create(cluster=Cluster.objects.create(network=elsewhere, name="Far"), name="Far away",
                                   slug="far")
    vocabulary.add_skill("Far skill", far)
    html = client_for(cast.network_admin).get(PAGE, **EN).content.decode()
    assert "Far skill" not in html and "Far away" not in html
    assert re.search(r"No authority has added a skill of its own", html)
