"""The situation room and the axis on a phone: a manager logs an overdue task and marks it done in place,
a team member's event reaches the manager's open room by polling, without touching what she is typing;
screenshots of the room, the update composer, the partners list and a partner in Hebrew and Arabic."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

PHONE_WIDTH = 360
POLL_SECONDS = 2  # the test's polling interval (HOSEN_ROOM_POLL_SECONDS), instead of 20 s


def no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px phone"


def room_url(site):
    return site.url(f"/a/{site.cast.authority.slug}/room/")


def add(page, kind, text, **task):
    """Add to the log through the quick form, in place, and wait for the log to come back."""
    form = page.locator("#quick-add")
    form.locator(f"label.kind-{kind}").click()
    form.locator("textarea[name=text]").fill(text)
    if "owner" in task:
        form.locator("input[name=owner]").fill(task["owner"])
    if "due_at" in task:
        form.locator("input[name=due_at]").fill(task["due_at"])
    with page.expect_response(lambda r: r.url == room_url_of(page) and r.request.method == "POST"):
        form.locator("button[type=submit]").click()


def room_url_of(page):
    return page.url.split("#")[0].split("?")[0]


def test_overdue_task_done_in_place_and_a_colleagues_event_arrives_by_polling(site, settings, screenshot_dir):
    settings.HOSEN_ROOM_POLL_SECONDS = POLL_SECONDS
    cast = site.cast
    manager = site.sign_in(site.context(), cast.manager)
    manager.goto(room_url(site))
    assert manager.locator("#room-log").get_attribute("data-poll") == str(POLL_SECONDS)
    assert manager.locator("#room-log").get_attribute("data-hx-trigger") == f"every {POLL_SECONDS}s"
    # A mark on the window: it survives only as long as the page is never reloaded.
    manager.evaluate("window.roomNeverReloaded = true")

    # The task fields appear only for a task.
    expect(manager.locator(".room-task-fields")).to_be_hidden()
    past = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    add(manager, "task", "לחלק ערכות לימוד לכיתות ה׳", owner="רונית", due_at=past)
    task = manager.locator("#room-log li.room-entry", has_text="לחלק ערכות לימוד")
    expect(task).to_have_class(re.compile(r"\boverdue\b"))
    expect(task.locator(".tag-overdue")).to_be_visible()
    expect(task).to_contain_text("רונית")
    # the form is ready for the next entry: empty text, still on "task"
    expect(manager.locator("#quick-add textarea[name=text]")).to_have_value("")
    expect(manager.locator("#quick-add input[name=kind][value=task]")).to_be_checked()
    expect(manager.locator("a.room-chip.alarm")).to_contain_text("1")
    no_horizontal_scroll(manager)

    # Done, in place.
    with manager.expect_response(lambda r: "/done/" in r.url and r.request.method == "POST"):
        task.locator("button.task-done").click()
    task = manager.locator("#room-log li.room-entry", has_text="לחלק ערכות לימוד")
    expect(task.locator(".tag-done")).to_be_visible()
    expect(task.locator(".tag-overdue")).to_have_count(0)
    expect(task).not_to_have_class(re.compile(r"\boverdue\b"))

    # The manager starts typing; meanwhile a team member, on another phone, logs an event.
    manager.locator("#quick-add label.kind-decision").click()
    manager.locator("#quick-add textarea[name=text]").fill("הוחלט: למידה מרחוק עד")
    team = site.sign_in(site.context(), cast.team)
    team.goto(room_url(site))
    add(team, "event", "נפל טיל ליד בית הספר הדרומי, אין נפגעים")
    expect(team.locator("#room-log")).to_contain_text("נפל טיל ליד בית הספר הדרומי")

    # The manager's room shows it after a poll, and what she typed is untouched.
    expect(manager.locator("#room-log")).to_contain_text("נפל טיל ליד בית הספר הדרומי",
                                                         timeout=(POLL_SECONDS * 3 + 5) * 1000)
    expect(manager.locator("#quick-add textarea[name=text]")).to_have_value("הוחלט: למידה מרחוק עד")
    expect(manager.locator("#quick-add input[name=kind][value=decision]")).to_be_checked()
    assert manager.evaluate("window.roomNeverReloaded") is True
    manager.screenshot(path=str(screenshot_dir / "situation_room_live_he.png"), full_page=True)
    site.assert_clean()


def test_a_failed_add_keeps_the_text(site):
    manager = site.sign_in(site.context(), site.cast.manager)
    manager.goto(room_url(site))
    manager.locator("#quick-add label.kind-task").click()
    manager.locator("#quick-add textarea[name=text]").fill("לבדוק את המקלט")
    manager.locator("#quick-add input[name=due_at]").evaluate("el => { el.type = 'text'; el.value = 'מחר'; }")
    site.watch.expect_status(room_url(site), 422)
    with manager.expect_response(lambda r: r.url == room_url(site) and r.request.method == "POST") as answer:
        manager.locator("#quick-add button[type=submit]").click()
    assert answer.value.status == 422
    expect(manager.locator("#quick-add .errorlist").first).to_be_visible()
    expect(manager.locator("#quick-add textarea[name=text]")).to_have_value("לבדוק את המקלט")
    with scopes_disabled():
        from hosen.situation.models import LogEntry

        assert not LogEntry.objects.exists()


@pytest.fixture
def pictures(cast):
    """Enough data for screenshots that look like a real day."""
    from hosen.field.models import Need, Site, SiteStatus
    from hosen.partners.models import Achievement, Contact, ContactLog, Partner
    from hosen.resources.models import Channel
    from hosen.situation.models import LogEntry

    now = timezone.now()
    with scopes_disabled():
        a = cast.authority
        for minutes, kind, text, extra in [
            (200, "event", "אזעקות בצפון העיר; בתי הספר נכנסו למרחבים המוגנים", {}),
            (150, "decision", "עוברים ללמידה מרחוק עד יום ראשון", {}),
            (120, "task", "להפיץ 40 מחשבים ניידים למשפחות בשכונה המזרחית",
             {"owner": "רונית כהן", "due_at": now - timedelta(minutes=30), "priority": "urgent"}),
            (60, "task", "לפתוח את המרחב המוגן במתנ\"ס לפעילות העשרה",
             {"owner": "אבי", "due_at": now + timedelta(hours=3)}),
            (20, "note", "מנהל החינוך מבקש עדכון בשעה 18:00", {}),
        ]:
            LogEntry.objects.create(authority=a, emergency=cast.emergency, kind=kind, text=text, created_by=cast.team,
                                    happened_at=now - timedelta(minutes=minutes), **extra)
        north = Site.objects.create(authority=a, name="בית ספר אלון", kind="school")
        south = Site.objects.create(authority=a, name="גן השקד", kind="kindergarten")
        SiteStatus.objects.create(authority=a, emergency=cast.emergency, site=north, status="remote")
        SiteStatus.objects.create(authority=a, emergency=cast.emergency, site=south, status="closed",
                                  reported_at=now - timedelta(hours=60))
        for category, urgency, text in [("equipment", 4, "מחשבים ניידים לכיתות ח׳"),
                                        ("emotional", 3, "תמיכה רגשית להורים")]:
            Need.objects.create(authority=a, emergency=cast.emergency, audience="students", category=category,
                                urgency=urgency, description=text)
        Channel.objects.create(authority=a, name="קבוצת מנהלי בתי הספר", kind="whatsapp", active_in=cast.emergency)
        Channel.objects.create(authority=a, name="רשימת ההורים", kind="mailing_list",
                               email_recipients="a@example.org\nb@example.org")
        mayor = Partner.objects.create(authority=a, name="לשכת ראש העיר", kind="municipal", is_decision_maker=True)
        Contact.objects.create(authority=a, partner=mayor, name="רינה לוי", role="ראש המטה", phone="050-1234567")
        ContactLog.objects.create(authority=a, partner=mayor, summary="עדכון על המעבר ללמידה מרחוק",
                                  happened_at=now - timedelta(days=9), emergency=cast.emergency)
        Partner.objects.create(authority=a, name="חברת הייטק בפארק", kind="industry", is_key=True)
        Partner.objects.create(authority=a, name="עמותת מדע לכולם", kind="ngo", born_in=cast.emergency)
        education = Partner.objects.create(authority=a, name="מנהל החינוך", kind="municipal", is_decision_maker=True)
        ContactLog.objects.create(authority=a, partner=education, summary="תיאום מרחבים מוגנים",
                                  happened_at=now - timedelta(days=1), emergency=cast.emergency)
        Achievement.objects.create(authority=a, title="אולימפיאדת הרובוטיקה העירונית", kind="stem", status="continues")
    return {"mayor": mayor}


@pytest.mark.parametrize("language", ["he", "ar"])
def test_screenshots(site, pictures, screenshot_dir, language):
    cast = site.cast
    page = site.sign_in(site.context(language), cast.manager)
    slug = cast.authority.slug
    shots = [
        ("situation_room", f"/a/{slug}/room/"),
        ("situation_update", f"/a/{slug}/room/updates/new/"),
        ("partners_list", f"/a/{slug}/partners/"),
        ("partner_detail", f"/a/{slug}/partners/{pictures['mayor'].pk}/"),
    ]
    for name, path in shots:
        page.goto(site.url(path))
        assert site.html_lang_dir(page) == (language, "rtl")
        no_horizontal_scroll(page)
        page.screenshot(path=str(screenshot_dir / f"{name}_{language}.png"), full_page=True)
    page.goto(site.url(f"/a/{slug}/partners/"))
    expect(page.locator(".call-today")).to_contain_text("לשכת ראש העיר")
    site.assert_clean()
