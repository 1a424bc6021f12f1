"""A manager on a phone allocates a proposed person to a need with one tap, sees it happen, and releases it."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from hosen.field.models import Need, NeedStatus, Site
from hosen.resources.models import Allocation, Person, Skill

PHONE_WIDTH = 360


@pytest.fixture
def matching(site):
    cast = site.cast
    with scopes_disabled():
        counselling = Skill.objects.create(key="counselling", name_he="ייעוץ רגשי", name_ar="إرشاد نفسي",
                                           name_en="Counselling", categories=["emotional"])
        school = Site.objects.create(authority=cast.authority, name="בית ספר אלון", kind="school", area="מזרח")
        need = Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="parents",
                                   category="emotional", urgency=4, quantity=25, site=school,
                                   description="תמיכה רגשית להורים שפונו מהשכונה המזרחית")
        ronit = Person.objects.create(authority=cast.authority, name="רונית לוי", kind="staff", area="מזרח",
                                      availability="available", availability_emergency=cast.emergency,
                                      role="פסיכולוגית")
        ronit.skills.set([counselling])
        other = Person.objects.create(authority=cast.authority, name="נועה שמש", kind="volunteer",
                                      availability="partly", availability_emergency=cast.emergency)
        other.skills.set([counselling])
    return {"need": need, "ronit": ronit}


def state(need):
    with scopes_disabled():
        need.refresh_from_db()
        return need.status, list(Allocation.objects.filter(need=need).values_list("person_id", "released_at"))


@pytest.mark.parametrize("language", ["he", "ar"])
def test_manager_allocates_a_proposed_person_and_releases_her(site, matching, screenshot_dir, language):
    need, ronit = matching["need"], matching["ronit"]
    page = site.sign_in(site.context(language), site.cast.manager)
    path = f"/a/{site.cast.authority.slug}/needs/{need.pk}/matches/"
    page.goto(site.url(path))
    assert site.html_lang_dir(page) == (language, "rtl")

    # The best proposal is Ronit, with her reasons in words.
    card = page.locator(f"#proposal-person-{ronit.pk}")
    expect(card).to_be_visible()
    expect(page.locator(".proposals .proposal").first).to_have_id(f"proposal-person-{ronit.pk}")
    expect(card.locator(".reason")).to_have_count(3)  # a fitting skill, available, same area
    expect(card.locator(".reasons")).to_contain_text("ייעוץ רגשי" if language == "he" else "إرشاد نفسي")
    expect(page.locator("#match-block .nst")).to_have_class("nst nst-open")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page scrolls sideways: {width}px"
    page.screenshot(path=str(screenshot_dir / f"allocation_proposals_{language}.png"), full_page=True)

    # One tap: the block is swapped in place (htmx), no page load.
    button = card.locator("button[type=submit]")
    box = button.bounding_box()
    assert box["height"] >= 40, "the allocate button is too small to tap"
    with page.expect_response(lambda r: r.url.endswith(path) and r.request.method == "POST") as sent:
        button.click()
    assert sent.value.status == 200
    assert page.url == site.url(path)
    expect(page.locator("#match-block .saved")).to_be_visible()
    expect(page.locator("#match-block .need .nst")).to_have_class("nst nst-in_progress")
    allocated = page.locator("#match-block .match-alloc")
    expect(allocated).to_have_count(1)
    expect(allocated).to_contain_text("רונית לוי")
    expect(page.locator(f"#proposal-person-{ronit.pk}")).to_have_count(0)  # no longer proposed
    status, allocations = state(need)
    assert status == NeedStatus.IN_PROGRESS and allocations == [(ronit.pk, None)]
    page.screenshot(path=str(screenshot_dir / f"allocation_allocated_{language}.png"), full_page=True)

    # Release her: the need goes back to open and she is proposed again.
    with page.expect_response(lambda r: "/release/" in r.url and r.request.method == "POST"):
        allocated.locator("button[type=submit]").click()
    expect(page.locator("#match-block .need .nst")).to_have_class("nst nst-open")
    expect(page.locator("#match-block .match-alloc")).to_have_count(0)
    expect(page.locator(f"#proposal-person-{ronit.pk}")).to_be_visible()
    status, allocations = state(need)
    assert status == NeedStatus.OPEN and len(allocations) == 1 and allocations[0][1] is not None
    page.screenshot(path=str(screenshot_dir / f"allocation_released_{language}.png"), full_page=True)
    site.assert_clean()


def test_allocating_works_without_javascript(site, matching):
    """The same tap with scripts off: a plain POST, then back to the page (PRG) with the message."""
    need, ronit = matching["need"], matching["ronit"]
    context = site.watch.attach(site._new_context(java_script_enabled=False))
    context.add_cookies([{"name": "django_language", "value": "he", "url": site.base_url}])
    page = site.sign_in(context, site.cast.manager)
    path = f"/a/{site.cast.authority.slug}/needs/{need.pk}/matches/"
    page.goto(site.url(path))
    page.locator(f"#proposal-person-{ronit.pk} button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == site.url(path)
    expect(page.locator(".messages .msg")).to_be_visible()
    expect(page.locator("#match-block .match-alloc")).to_contain_text("רונית לוי")
    assert state(need)[0] == NeedStatus.IN_PROGRESS
    site.assert_clean()
