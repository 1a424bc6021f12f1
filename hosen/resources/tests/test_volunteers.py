"""Volunteer sign-up: the manager's links (create, share, count, revoke) and the public one-screen form —
what it saves, what it refuses, what it never shows, and its limits."""

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.resources import skills as vocabulary
from hosen.resources.models import Person, Skill, VolunteerLink
from hosen.workmodel.models import Emergency, Phase

from .matrix_registers import make_person, make_volunteer_link

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def skills(db):
    vocabulary.load_skills()
    return {skill.key: skill for skill in Skill.objects.all()}


def url(cast, name, **kwargs):
    return reverse(f"resources:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def public_url(link):
    return reverse("resources_public:volunteer", kwargs={"volunteer_token": link.token})


def signup_data(vocab, **overrides):
    data = {"submission": str(uuid.uuid4()), "name": "Noa Bar", "phone": "050 765 4321", "email": "",
            "area": "North", "languages": ["he", "en"], "skills": [vocab["cooking"].pk, vocab["driving"].pk],
            "other_skills": "guitar", "availability": "available", "note": "Mornings only"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ---- the manager's links -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_manager_creates_a_link_and_sees_it_to_share(cast, client_for):
    client = client_for(cast.manager)
    response = client.post(url(cast, "volunteer_links"), {"label": "Parents group", "valid_days": "14"})
    assert response.status_code == 302
    with scopes_disabled():
        link = VolunteerLink.objects.get(label="Parents group")
    assert link.authority == cast.authority and link.created_by == cast.manager
    assert timedelta(days=13, hours=23) < link.expires_at - timezone.now() <= timedelta(days=14)
    assert response["Location"].endswith(f"#link-{link.pk}")
    page = client.get(url(cast, "volunteer_links"), **EN).content.decode()
    assert f"/v/{link.token}/" in page and "wa.me" in page


@pytest.mark.django_db
@pytest.mark.parametrize("data, message", [
    ({"valid_days": "0"}, "A link must be valid for at least one day."),
    ({"valid_days": "91"}, "A link can be valid for at most 90 days."),
    ({"valid_days": ""}, "Write for how many days the link is valid."),
    ({"valid_days": "30", "label": "x" * 201}, "Ensure this value has at most 200 characters"),
])
def test_a_bad_link_form_says_why_and_creates_nothing(cast, client_for, data, message):
    response = client_for(cast.manager).post(url(cast, "volunteer_links"), data, **EN)
    assert response.status_code == 422
    assert message in response.content.decode()
    with scopes_disabled():
        assert not VolunteerLink.objects.exists()


@pytest.mark.django_db
def test_team_and_viewer_see_the_sign_ups_but_not_the_links(cast, client_for, skills):
    link = make_volunteer_link(cast.authority, label="Parents group")
    for role in ("team", "viewer"):
        page = client_for(getattr(cast, role)).get(url(cast, "volunteer_links"), **EN).content.decode()
        assert "Parents group" in page and link.token not in page, role
        assert client_for(getattr(cast, role)).post(url(cast, "volunteer_links"),
                                                    {"valid_days": "3"}).status_code == 403


@pytest.mark.django_db
def test_the_links_page_counts_sign_ups_per_link(cast, client, client_for, skills):
    first, second = make_volunteer_link(cast.authority, label="first"), make_volunteer_link(cast.authority)
    for name in ("A", "B"):
        client.post(public_url(first), signup_data(skills, name=name))
    client.post(public_url(second), signup_data(skills, name="C"))
    make_person(cast.authority, "Added by hand", "volunteer")
    response = client_for(cast.manager).get(url(cast, "volunteer_links"), **EN)
    counts = {row["link"].pk: row["signups"] for row in response.context["rows"]}
    assert counts == {first.pk: 2, second.pk: 1}


@pytest.mark.django_db
def test_revoking_asks_first_then_stops_the_link(cast, client, client_for, skills):
    link = make_volunteer_link(cast.authority, label="Parents group")
    manager = client_for(cast.manager)
    page = manager.get(url(cast, "volunteer_link_revoke", volunteer_link_pk=link.pk), **EN)
    assert "stops working at once" in page.content.decode()
    with scopes_disabled():
        assert VolunteerLink.objects.get(pk=link.pk).revoked_at is None
    response = manager.post(url(cast, "volunteer_link_revoke", volunteer_link_pk=link.pk))
    assert response["Location"] == url(cast, "volunteer_links")
    manager.logout()
    gone = client.get(public_url(link), **EN)
    assert gone.status_code == 410
    assert "This sign-up link is no longer valid" in gone.content.decode()
    assert client.post(public_url(link), signup_data(skills)).status_code == 410
    with scopes_disabled():
        assert not Person.objects.exists()


@pytest.mark.django_db
def test_another_authoritys_link_cannot_be_revoked_from_here(cast, client_for):
    theirs = make_volunteer_link(cast.other_authority)
    client = client_for(cast.manager)
    assert client.post(url(cast, "volunteer_link_revoke", volunteer_link_pk=theirs.pk)).status_code == 404
    assert client_for(cast.team).post(url(cast, "volunteer_link_revoke",
                                           volunteer_link_pk=make_volunteer_link(cast.authority).pk)).status_code == 403
    with scopes_disabled():
        assert VolunteerLink.objects.get(pk=theirs.pk).revoked_at is None


# ---- the public form -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_shows_nothing_of_the_authoritys_data(cast, client, skills):
    cast.manager.full_name = "Miriam Staffname"
    cast.manager.save(update_fields=["full_name"])
    make_person(cast.authority, "Dana Secretperson", "staff", phone="050-9999999")
    vocabulary.add_skill("Our secret programme", cast.authority)
    link = make_volunteer_link(cast.authority, label="The label only the manager sees")
    response = client.get(public_url(link), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    for secret in ("Dana Secretperson", "050-9999999", "Our secret programme", "The label only the manager sees",
                   "Miriam Staffname", "מלחמה"):
        assert secret not in html, secret
    assert cast.authority.name in html  # whom one volunteers with
    assert f'data-keep="volunteer-{link.token}"' in html and 'data-keep-field' in html
    assert 'action="/language/"' in html  # the language switcher
    assert "Cooking" in html and 'name="availability"' in html
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_the_skills_are_in_the_chosen_language(cast, client, skills):
    link = make_volunteer_link(cast.authority)
    assert "בישול" in client.get(public_url(link), HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert "الطبخ" in client.get(public_url(link), HTTP_ACCEPT_LANGUAGE="ar").content.decode()


@pytest.mark.django_db
def test_a_sign_up_is_a_volunteer_on_the_register(cast, client, client_for, skills):
    link = make_volunteer_link(cast.authority)
    data = signup_data(skills)
    response = client.post(public_url(link), data, **EN)
    assert response.status_code == 302
    assert response["Location"] == f"{public_url(link)}?sent={data['submission']}"
    with scopes_disabled():
        person = Person.objects.get(submission=data["submission"])
        held = set(person.skills.values_list("key", flat=True))
        created = person.history.get()
    assert (person.authority, person.kind, person.name, person.phone) == (cast.authority, "volunteer", "Noa Bar",
                                                                          "050-7654321")
    assert person.source == "volunteer sign-up" and person.languages == ["he", "en"]
    assert (person.availability, person.availability_emergency) == ("available", cast.emergency)
    assert person.notes == "guitar\nMornings only" and held == {"cooking", "driving"}
    assert created.history_change_reason == f"volunteer link {link.pk}" and created.history_user is None
    thanks = client.get(response["Location"], **EN)
    assert thanks.status_code == 200
    html = thanks.content.decode()
    assert "Thank you" in html and f'data-clear-keep="volunteer-{link.token}"' in html
    # The manager sees the new volunteer, marked as signed up through the link.
    page = client_for(cast.manager).get(url(cast, "person", person_pk=person.pk), **EN).content.decode()
    assert "volunteer sign-up" in page


@pytest.mark.django_db
def test_sending_the_same_form_twice_stores_it_once(cast, client, skills):
    link = make_volunteer_link(cast.authority)
    data = signup_data(skills)
    first, second = client.post(public_url(link), data), client.post(public_url(link), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    client.post(public_url(link), signup_data(skills, name="Another"))
    with scopes_disabled():
        assert Person.objects.filter(authority=cast.authority).count() == 2


@pytest.mark.django_db
def test_the_same_sign_up_sent_again_from_a_reloaded_form_stores_it_once(cast, client, skills):
    """Sent, then the page loaded again (a new form key) and the same answers sent once more, as happens on a
    phone that lost the first answer: one volunteer, and the thanks of the first sending."""
    link = make_volunteer_link(cast.authority)
    first = client.post(public_url(link), signup_data(skills))
    again = client.post(public_url(link), signup_data(skills))  # signup_data makes a new key each time
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    with scopes_disabled():
        assert Person.objects.filter(authority=cast.authority).count() == 1
    assert "Noa Bar" in client.get(again["Location"], **EN).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, message", [
    ({"name": ""}, "Write your name."),
    ({"phone": "", "email": ""}, "Write a phone number or an e-mail address, so that we can call you back."),
    ({"phone": "123"}, "“123” is not a phone number we can call."),
    ({"email": "noa@", "phone": ""}, "Write a whole e-mail address, like name@example.org."),
    ({"availability": ""}, "Choose when you can help."),
    ({"skills": ["999999"]}, "Select a valid choice."),
])
def test_bad_input_gets_a_clear_message_keeps_the_text_and_saves_nothing(cast, client, skills, overrides, message):
    link = make_volunteer_link(cast.authority)
    response = client.post(public_url(link), signup_data(skills, **overrides), **EN)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and "Not sent yet: please correct what is marked." in html
    assert "Mornings only" in html  # what was typed stays on the page
    with scopes_disabled():
        assert not Person.objects.exists()


@pytest.mark.django_db
def test_an_added_skill_cannot_be_forged_into_a_sign_up(cast, client, skills):
    secret = vocabulary.add_skill("Our secret programme", cast.other_authority)
    link = make_volunteer_link(cast.authority)
    response = client.post(public_url(link), signup_data(skills, skills=[secret.pk]), **EN)
    assert response.status_code == 422


@pytest.mark.django_db
def test_a_lost_form_key_gets_a_new_one(cast, client, skills):
    link = make_volunteer_link(cast.authority)
    response = client.post(public_url(link), signup_data(skills, submission="garbled"), **EN)
    assert response.status_code == 422
    assert "This form is out of date: check it and send again." in response.content.decode()
    assert response.context["form"].data["submission"] != "garbled"


@pytest.mark.django_db
def test_without_an_open_emergency_availability_is_not_asked(cast, client, skills):
    with scopes_disabled():
        Emergency.objects.filter(pk=cast.emergency.pk).update(phase=Phase.CLOSED)
    link = make_volunteer_link(cast.authority)
    assert 'name="availability"' not in client.get(public_url(link)).content.decode()
    data = signup_data(skills)
    assert client.post(public_url(link), data).status_code == 302
    with scopes_disabled():
        person = Person.objects.get(submission=data["submission"])
    assert person.availability == "unknown" and person.availability_emergency is None


@pytest.mark.django_db
def test_unknown_and_expired_links(cast, client, skills):
    assert client.get(reverse("resources_public:volunteer", kwargs={"volunteer_token": "nope"})).status_code == 404
    expired = make_volunteer_link(cast.authority, days=-1)
    response = client.get(public_url(expired), **EN)
    assert response.status_code == 410
    assert "It has expired or was closed." in response.content.decode()
    assert client.post(public_url(expired), signup_data(skills)).status_code == 410
    # The thank-you page of a key that was never stored sends back to the form.
    link = make_volunteer_link(cast.authority)
    assert client.get(public_url(link) + f"?sent={uuid.uuid4()}")["Location"] == public_url(link)


@pytest.mark.django_db
def test_sending_is_rate_limited_by_ip(cast, client, skills, settings):
    settings.RATELIMIT_PUBLIC_POST_IP = "3/m"
    link = make_volunteer_link(cast.authority)
    codes = [client.post(public_url(link), signup_data(skills, name=f"V{n}"), **EN).status_code for n in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    with scopes_disabled():
        assert Person.objects.count() == 3


@pytest.mark.django_db
def test_sending_is_rate_limited_by_link(cast, client, skills, settings):
    settings.RATELIMIT_PUBLIC_POST_TOKEN = "2/m"
    first, second = make_volunteer_link(cast.authority), make_volunteer_link(cast.authority)
    codes = [client.post(public_url(first), signup_data(skills), REMOTE_ADDR=f"10.0.0.{n}").status_code
             for n in range(3)]
    assert codes == [302, 302, 429]
    assert client.post(public_url(second), signup_data(skills), REMOTE_ADDR="10.0.0.9").status_code == 302


@pytest.mark.django_db
def test_reading_is_rate_limited_with_a_friendly_page(cast, client, settings):
    settings.RATELIMIT_PUBLIC_GET = "2/m"
    link = make_volunteer_link(cast.authority)
    codes = [client.get(public_url(link), **EN).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "Too many sendings in a short time" in client.get(public_url(link), **EN).content.decode()


@pytest.mark.django_db
def test_the_form_costs_few_queries(cast, client, skills, django_assert_max_num_queries):
    link = make_volunteer_link(cast.authority)
    with django_assert_max_num_queries(5):
        assert client.get(public_url(link)).status_code == 200
    # The form's own work, and the ledger that answers a resend: two lookups, the claim and its answer.
    with django_assert_max_num_queries(18):
        assert client.post(public_url(link), signup_data(skills)).status_code == 302
