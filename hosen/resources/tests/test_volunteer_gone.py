"""A volunteer sign-up sent to a link revoked or expired while it was being filled: nobody is stored, and
everything typed comes back in words, to copy, with whom to ask for a new link."""

import html
import re
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.resources import skills as vocabulary
from hosen.resources.models import Person, Skill

from .matrix_registers import make_volunteer_link

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


def public_url(link):
    return reverse("resources_public:volunteer", kwargs={"volunteer_token": link.token})


def copy_box(page):
    found = re.search(r'<textarea id="typed-text"[^>]*readonly[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no read-only text to copy"
    return html.unescape(found.group(1)).strip("\n")


def signup(vocab, **overrides):
    data = {"submission": str(uuid.uuid4()), "name": "Noa Bar", "phone": "050 765 4321", "email": "noa@example.org",
            "area": "North", "languages": ["he", "am"], "skills": [vocab["cooking"].pk, vocab["driving"].pk],
            "other_skills": "guitar lessons", "availability": "partly",
            "note": "Mornings only.\nI have a car with seven seats."}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_sign_up_sent_after_the_link_was_revoked_comes_back_whole(cast, client, client_for, skills):
    cast.manager.full_name = "Miriam Cohen"
    cast.manager.save(update_fields=["full_name"])
    link = make_volunteer_link(cast.authority, label="Parents group", created_by=cast.manager)
    assert client.get(public_url(link), **EN).status_code == 200

    manager = client_for(cast.manager)
    revoke = reverse("resources:volunteer_link_revoke", kwargs={"authority_slug": cast.authority.slug,
                                                                 "volunteer_link_pk": link.pk})
    assert manager.post(revoke).status_code == 302
    manager.logout()

    response = client.post(public_url(link), signup(skills), **EN)
    assert response.status_code == 410
    page = response.content.decode()
    assert "You are not signed up yet: what you wrote was not sent." in page
    assert "Miriam Cohen" in page and cast.authority.name in page and cast.manager.email not in page
    assert "Parents group" not in page  # the link's label is the manager's own
    text = copy_box(page)
    for line in ("Your name: Noa Bar", "Phone: 050 765 4321", "E-mail: noa@example.org",
                 "Where do you live?", "Languages you speak: Hebrew, Amharic",
                 "What can you help with?", "Anything else you can do: guitar lessons",
                 "When can you help? Partly, some hours or days",
                 "Anything we should know\nMornings only.\nI have a car with seven seats."):
        assert line in text, (line, text)
    helped = next(line for line in text.splitlines() if line.startswith("What can you help with?"))
    assert "Cooking" in helped and "Driving" in helped
    with scopes_disabled():
        assert not Person.objects.exists()


@pytest.mark.django_db
def test_an_expired_link_gives_back_what_was_typed_even_with_a_forged_skill(cast, client, skills):
    expired = make_volunteer_link(cast.authority, days=-1)
    response = client.post(public_url(expired), signup(skills, skills=["not-a-number", "999999"]), **EN)
    assert response.status_code == 410
    page = response.content.decode()
    assert "It has expired or was closed." in page
    text = copy_box(page)
    assert "Your name: Noa Bar" in text and "What can you help with?" not in text
    with scopes_disabled():
        assert not Person.objects.exists()
