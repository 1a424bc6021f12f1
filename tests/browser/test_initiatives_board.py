"""The design-thinking board on a phone: a manager starts an initiative, notes what she found in ASK and moves
it on to IMAGINE with one tap, in place.

Uses the live server, the watched browser contexts and the skip rules of tests/browser/conftest.py.
"""

import re

from django_scopes import scopes_disabled
from playwright.sync_api import expect

from hosen.initiatives.models import Initiative, PhaseMove, PhaseNote
from hosen.workmodel.models import DesignPhase

PHONE_WIDTH = 360
TITLE = "מעבדה ניידת במקלטים"


def no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px phone"


def in_view(page, locator):
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH


def test_a_manager_moves_an_initiative_on_by_phone(site, screenshot_dir):
    cast = site.cast
    slug = cast.authority.slug
    board_url = site.url(f"/a/{slug}/initiatives/")
    with scopes_disabled():
        ask_questions = [q.text_he for q in DesignPhase.objects.get(key="ask").questions.all()]
        imagine_name = DesignPhase.objects.get(key="imagine").name_he

    page = site.sign_in(site.context("he"), cast.manager)
    page.goto(board_url)
    assert site.html_lang_dir(page) == ("he", "rtl")
    no_horizontal_scroll(page)
    page.locator(f"main a[href='/a/{slug}/initiatives/new/']").click()
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=owner]", "דנה כהן")
    page.locator("form.dt-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/initiatives/\d+/$"))
    with scopes_disabled():
        initiative = Initiative.objects.get(title=TITLE)
    assert initiative.phase == "ask" and initiative.emergency == cast.emergency

    # ASK: the phase's guiding questions, and a note added in place (no page load).
    expect(page.locator("#notes .dt-questions li")).to_have_count(len(ask_questions))
    expect(page.locator("#notes .dt-questions")).to_contain_text(ask_questions[0])
    page.evaluate("window.hosenSamePage = true")
    page.fill("#notes textarea[name=text]", "ילדים שוהים שעות במקלטים בלי פעילות")
    page.locator("#notes button[type=submit]").click()
    expect(page.locator("#notes .saved")).to_be_visible()
    expect(page.locator("#notes .dt-notes")).to_contain_text("ילדים שוהים שעות במקלטים")
    assert page.evaluate("window.hosenSamePage") is True
    with scopes_disabled():
        assert list(PhaseNote.objects.filter(initiative=initiative).values_list("phase", "text")) == [
            ("ask", "ילדים שוהים שעות במקלטים בלי פעילות")]
    no_horizontal_scroll(page)

    # The board: the card is in ASK; one tap on its "next" button moves it to IMAGINE, in place.
    page.goto(board_url)
    card = page.locator(f"#initiative-{initiative.pk}")
    expect(page.locator("#phase-ask")).to_contain_text(TITLE)
    expect(card.locator(".dt-last")).to_contain_text("ילדים שוהים")
    next_button = card.locator("button.dt-next")
    expect(next_button).to_contain_text(imagine_name)
    box = next_button.bounding_box()
    assert box["height"] >= 40 and box["width"] >= 44, "a thumb-sized target"
    page.evaluate("window.hosenSamePage = true")
    next_button.click()
    moved = page.locator(f"#phase-imagine #initiative-{initiative.pk}")
    expect(moved).to_be_visible()
    expect(page.locator("#phase-ask")).not_to_contain_text(TITLE)
    expect(moved.locator("[role=status]")).to_contain_text(imagine_name)
    assert page.evaluate("window.hosenSamePage") is True, "the move swapped the board in place"
    # The moved card takes the focus, which brings its new column into view on the phone.
    expect(moved).to_be_focused()
    page.wait_for_function(f"""() => {{
        const r = document.getElementById('initiative-{initiative.pk}').getBoundingClientRect();
        return r.left >= 0 && r.right <= {PHONE_WIDTH};
    }}""")
    assert in_view(page, moved)
    no_horizontal_scroll(page)
    with scopes_disabled():
        assert Initiative.objects.get(pk=initiative.pk).phase == "imagine"
        assert list(PhaseMove.objects.filter(initiative=initiative).values_list("from_phase", "to_phase",
                                                                                "moved_by")) == [
            ("ask", "imagine", cast.manager.pk)]
    page.screenshot(path=str(screenshot_dir / "initiatives_board_he.png"), full_page=True)

    page.goto(site.url(f"/a/{slug}/initiatives/{initiative.pk}/"))
    expect(page.locator(".dt-step-current")).to_contain_text(imagine_name)
    expect(page.locator("details.dt-past")).to_contain_text("1")
    no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / "initiatives_detail_he.png"), full_page=True)

    # Arabic, right to left as well: the same board and page.
    arabic = site.sign_in(site.context("ar"), cast.manager)
    arabic.goto(board_url)
    assert site.html_lang_dir(arabic) == ("ar", "rtl")
    with scopes_disabled():
        imagine_ar = DesignPhase.objects.get(key="imagine").name_ar
    expect(arabic.locator("#phase-imagine h2")).to_contain_text(imagine_ar)
    no_horizontal_scroll(arabic)
    arabic.screenshot(path=str(screenshot_dir / "initiatives_board_ar.png"), full_page=True)
    arabic.goto(site.url(f"/a/{slug}/initiatives/{initiative.pk}/"))
    no_horizontal_scroll(arabic)
    arabic.screenshot(path=str(screenshot_dir / "initiatives_detail_ar.png"), full_page=True)
    site.assert_clean()
