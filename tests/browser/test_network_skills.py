"""A network admin on a phone adds a skill two authorities typed to the shared list, with its names in the
three languages; then the other authority's person form offers it."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from hosen.resources import skills as vocabulary
from hosen.resources.models import Person, Skill

PHONE_WIDTH = 360


@pytest.fixture
def typed(site):
    cast = site.cast
    vocabulary.load_skills()
    ours = vocabulary.add_skill("תיאטרון בובות", cast.authority)
    theirs = vocabulary.add_skill("תיאטרון  בובות", cast.other_authority)
    with scopes_disabled():
        for name, authority, skill in (("רונית", cast.authority, ours), ("סמיר", cast.other_authority, theirs),
                                       ("נועה", cast.other_authority, theirs)):
            Person.objects.create(authority=authority, name=name, kind="volunteer").skills.set([skill])
    vocabulary.add_skill("رسم على الجدران", cast.other_authority)
    return ours, theirs


@pytest.mark.parametrize("language", ["he", "ar", "en"])
def test_network_admin_adds_a_typed_skill_to_the_shared_list(site, typed, screenshot_dir, language):
    page = site.sign_in(site.context(language), site.cast.network_admin)
    page.goto(site.url("/network/"))
    page.screenshot(path=str(screenshot_dir / f"network_{language}.png"), full_page=True)
    page.locator("a[href='/network/skills/']").click()
    page.wait_for_url(site.url("/network/skills/"))
    assert site.html_lang_dir(page) == (language, "ltr" if language == "en" else "rtl")
    card = page.locator("section.card", has=page.locator("h2", has_text="תיאטרון בובות"))
    expect(card.locator("li")).to_have_count(2)  # two authorities typed it
    page.screenshot(path=str(screenshot_dir / f"network_skills_{language}.png"), full_page=True)

    card.locator("summary").click()
    card.locator("input[name=name_ar]").fill("مسرح الدمى")
    card.locator("input[name=name_en]").fill("Puppet theatre")
    card.locator("input[name=categories][value=emotional]").check()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page scrolls sideways: {width}px"
    page.screenshot(path=str(screenshot_dir / f"network_skills_form_{language}.png"), full_page=True)
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("h2", has_text="תיאטרון בובות")).to_have_count(0)
    expect(page.locator("h2", has_text="رسم على الجدران")).to_have_count(1)  # left as it was
    page.screenshot(path=str(screenshot_dir / f"network_skills_done_{language}.png"), full_page=True)

    shared = Skill.objects.get(authority__isnull=True, name_en="Puppet theatre")
    assert (shared.name_he, shared.name_ar, shared.categories) == ("תיאטרון בובות", "مسرح الدمى", ["emotional"])
    beta = site.sign_in(site.context(language), site.cast.outsider)  # the other authority's manager
    beta.goto(site.url(f"/a/{site.cast.other_authority.slug}/people/new/"))
    expect(beta.locator("label", has_text={"he": "תיאטרון בובות", "ar": "مسرح الدمى",
                                           "en": "Puppet theatre"}[language])).to_have_count(1)
    site.assert_clean()
