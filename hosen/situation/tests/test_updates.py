"""Outgoing updates: the picture read from the registers, the text composed from it, recording a copied
update, e-mail to a channel's list (and its failure), the list of what was sent, and queries per page."""

import smtplib
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from hosen.field.models import Need, Site, SiteStatus
from hosen.integrity.testing import loaded
from hosen.resources.models import Channel
from hosen.situation.compose import Picture, current_picture, whatsapp_text
from hosen.situation.models import EntryKind, LogEntry, OutgoingUpdate, UpdateMethod, UpdateStatus
from hosen.workmodel.models import Emergency

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(cast, name, **kwargs):
    return reverse(f"situation:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def channel(cast, name, authority=None, **fields):
    with scopes_disabled():
        return Channel.objects.create(authority=authority or cast.authority, name=name, kind="whatsapp", **fields)


def at(hour, minute=0):
    return datetime(2026, 10, 8, hour, minute, tzinfo=timezone.get_current_timezone())


# ---- the text from a hand-made picture -------------------------------------------------------


def hand_made_picture():
    return Picture(
        authority_name="Neve Hadgama", emergency_name="Northern storm", at=at(18, 5),
        urgent_total=5, urgent_by_category=[("Equipment and connectivity", 3), ("Emotional support", 2)],
        urgent_top=["Laptops for grade 8 (Critical)", "Support for parents (Critical)",
                    "Bus to the host school (High)"],
        sites_total=12, sites_by_status=[("Open", 5), ("Remote learning", 3), ("Closed", 1)], sites_no_status=3,
        sites_stale=4, decisions=[(at(17, 40), "Remote learning from Sunday"), (at(9, 15), "Open the hotline")],
    )


def test_the_update_text_from_a_hand_made_picture():
    with translation.override("en"):
        text = whatsapp_text(hand_made_picture())
    assert text == (
        "*Neve Hadgama — Northern storm*\n"
        "Situation update, 8.10.2026 18:05\n"
        "\n"
        "*5 urgent needs open*\n"
        "• Equipment and connectivity: 3\n"
        "• Emotional support: 2\n"
        "Most urgent:\n"
        "– Laptops for grade 8 (Critical)\n"
        "– Support for parents (Critical)\n"
        "– Bus to the host school (High)\n"
        "\n"
        "*12 sites*\n"
        "• Open: 5\n"
        "• Remote learning: 3\n"
        "• Closed: 1\n"
        "• No status yet: 3\n"
        "• Not updated in 48 hours: 4\n"
        "\n"
        "*Decisions in the last 24 hours*\n"
        "• 17:40 Remote learning from Sunday\n"
        "• 09:15 Open the hotline\n"
    )


def test_whatsapp_formatting_short_lines_no_html_and_inert_user_marks():
    picture = hand_made_picture()
    picture.decisions = [(at(10), "*Everyone* must <b>read</b> this_now ~please~ " + "word " * 40)]
    picture.authority_name = "Town *one*"
    with translation.override("en"):
        text = whatsapp_text(picture)
    lines = text.splitlines()
    headings = [line for line in lines if line.startswith("*")]
    assert all(line.endswith("*") and line.count("*") == 2 for line in headings)  # only our own bold marks
    assert len(headings) == 4
    assert all(len(line) <= 80 for line in lines)
    decision = next(line for line in lines if line.startswith("• 10:00"))
    assert decision.endswith("…") and "*" not in decision and "_" not in decision and "~" not in decision
    assert "<b>" in decision  # user text stays text: the update is never HTML, and nothing is rendered from it
    assert "<p>" not in text and "<br" not in text and "&lt;" not in text


def test_an_empty_picture_says_so():
    picture = Picture("Town", "Storm", at(8))
    with translation.override("en"):
        text = whatsapp_text(picture)
    assert "*0 urgent needs open*" in text and "*0 sites*" in text and "No new decisions." in text
    assert "Most urgent" not in text


def test_the_text_follows_the_users_language():
    with translation.override("he"):
        hebrew = whatsapp_text(hand_made_picture())
    with translation.override("en"):
        english = whatsapp_text(hand_made_picture())
    assert hebrew.splitlines()[0] == english.splitlines()[0]  # names are the user's own text
    assert "Situation update" in english
    # every interface word goes through gettext; without a Hebrew catalogue entry it falls back to English
    assert hebrew.count("\n") == english.count("\n")


# ---- the picture from the registers ----------------------------------------------------------


@pytest.fixture
def registers(cast):
    """Counted by hand: 4 active sites (open, open, closed, none; one stale), 1 archived; 4 urgent open needs
    (3 equipment, 1 emotional), plus needs that do not count; decisions in and out of the last 24 hours."""
    now = timezone.now()
    with scopes_disabled():
        def site(name, **fields):
            return Site.objects.create(authority=cast.authority, name=name, kind="school", **fields)

        def status(s, state, hours_ago):
            SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=s, status=state,
                                      reported_at=now - timedelta(hours=hours_ago))

        a, b, c, _d = site("א"), site("ב"), site("ג"), site("ד")
        archived = site("ה", is_active=False)
        status(a, "closed", 30)
        status(a, "open", 2)  # the newest status counts
        status(b, "open", 60)  # stale
        status(c, "closed", 1)
        status(archived, "damaged", 1)

        def need(category, urgency, status="open", description="צורך", **fields):
            Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                category=category, urgency=urgency, status=status, description=description,
                                **fields)

        need("equipment", 4, description="מחשבים ניידים לכיתות ח׳", created_at=now - timedelta(hours=5))
        need("equipment", 3, description="נתבים", created_at=now - timedelta(hours=9))
        need("equipment", 3, description="מדפסת", created_at=now - timedelta(hours=1))
        need("emotional", 4, description="תמיכה להורים", created_at=now - timedelta(hours=2))
        need("equipment", 4, status="in_progress")  # not open
        need("food", 2)  # not urgent
        need("food", 4, status="met")
        other = Emergency.objects.get(authority=cast.other_authority)
        Need.objects.create(authority=cast.other_authority, emergency=other, audience="students", category="food",
                            urgency=4, description="סוד")

        def log(text, hours_ago, kind=EntryKind.DECISION):
            LogEntry.objects.create(authority=cast.authority, emergency=cast.emergency, kind=kind, text=text,
                                    happened_at=now - timedelta(hours=hours_ago))

        log("עוברים ללמידה מרחוק", 1)
        log("פותחים מוקד", 20)
        log("החלטה ישנה", 30)
        log("אירוע", 2, EntryKind.EVENT)
    return now


@pytest.mark.django_db
def test_the_picture_counts_the_registers(cast, registers):
    with scope(authority=cast.authority), translation.override("en"):
        picture = current_picture(cast.authority, cast.emergency, registers)
    assert picture.urgent_total == 4
    assert picture.urgent_by_category == [("Equipment and connectivity", 3), ("Emotional support", 1)]
    assert picture.urgent_top == [
        "מחשבים ניידים לכיתות ח׳ (Critical)", "תמיכה להורים (Critical)", "נתבים (High)"]
    assert picture.sites_total == 4
    assert picture.sites_by_status == [("Open", 2), ("Closed", 1)]
    assert picture.sites_no_status == 1
    assert picture.sites_stale == 2  # ב's status is 60 hours old; ד has none
    assert [text for _when, text in picture.decisions] == ["עוברים ללמידה מרחוק", "פותחים מוקד"]


@pytest.mark.django_db
def test_the_composer_offers_the_text_and_this_authoritys_channels_active_first(cast, client_for, registers):
    channel(cast, "Parents group")
    channel(cast, "Active principals", active_in=cast.emergency)
    channel(cast, "Their group", authority=cast.other_authority)
    response = client_for(cast.team).get(url(cast, "update_new"), **EN)
    assert response.status_code == 200
    body = response.content.decode()
    assert "*4 urgent needs open*" in body and "• Equipment and connectivity: 3" in body
    assert "*4 sites*" in body and "• Not updated in 48 hours: 2" in body and "עוברים ללמידה מרחוק" in body
    options = [c.name for c in response.context["form"].fields["channel"].queryset]
    assert options == ["Active principals", "Parents group"]
    assert "Their group" not in body
    assert 'src="/static/hosen/situation.js"' in body and "<script>" not in body


@pytest.mark.django_db
def test_the_composer_without_channels_or_emergency_says_what_to_do(cast, client_for):
    client = client_for(cast.manager)
    response = client.get(url(cast, "update_new"), **EN)
    assert response.status_code == 200 and "no communication channels" in response.content.decode()
    with scopes_disabled():
        cast.emergency.phase = "closed"
        cast.emergency.save()
    response = client.get(url(cast, "update_new"), **EN)
    assert response.status_code == 200 and "no open emergency" in response.content.decode()


# ---- sending ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_i_sent_it_records_a_copied_update_with_the_edited_text(cast, client_for):
    group = channel(cast, "Principals")
    response = client_for(cast.team).post(url(cast, "update_new"), {
        "channel": group.pk, "text": "*Update*\r\nAll schools remote tomorrow.\r\n", "send": "copied"})
    assert response.status_code == 302 and response["Location"] == url(cast, "updates")
    with scopes_disabled():
        update = OutgoingUpdate.objects.get()
    assert (update.channel, update.channel_name, update.method, update.status, update.composed_by) == (
        group, "Principals", UpdateMethod.COPIED, UpdateStatus.SENT, cast.team)
    assert update.text == "*Update*\nAll schools remote tomorrow."
    assert update.emergency == cast.emergency and len(mail.outbox) == 0


@pytest.mark.django_db
def test_send_by_email_goes_to_the_recipients_in_bcc(cast, client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lists = channel(cast, "Parents list", email_recipients="a@example.org\n\n  b@example.org \nnot an address\n"
                                                           "A@example.org\nc@example.org;")
    response = client_for(cast.manager).post(url(cast, "update_new"), {
        "channel": lists.pk, "text": "*Update*\nStay home.", "send": "email"}, **EN)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [] and message.bcc == ["a@example.org", "b@example.org", "c@example.org"]
    assert message.body == "*Update*\nStay home." and "Parents list" not in message.subject
    assert cast.authority.name in message.subject and cast.emergency.name in message.subject
    assert message.reply_to == [cast.manager.email]
    with scopes_disabled():
        update = OutgoingUpdate.objects.get()
    assert (update.method, update.recipients, update.status) == (UpdateMethod.EMAIL, 3, UpdateStatus.SENT)


@pytest.mark.django_db
def test_a_long_list_goes_out_in_batches(cast, client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lists = channel(cast, "Everyone", email_recipients="\n".join(f"p{i}@example.org" for i in range(120)))
    client_for(cast.manager).post(url(cast, "update_new"), {"channel": lists.pk, "text": "x", "send": "email"})
    assert [len(m.bcc) for m in mail.outbox] == [50, 50, 20]
    with scopes_disabled():
        assert OutgoingUpdate.objects.get().recipients == 120


@pytest.mark.django_db
def test_a_channel_without_addresses_cannot_be_emailed_and_the_text_is_kept(cast, client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    group = channel(cast, "WhatsApp only")
    response = client_for(cast.manager).post(url(cast, "update_new"), {
        "channel": group.pk, "text": "טקסט שנשמר", "send": "email"}, **EN)
    assert response.status_code == 422
    assert "no e-mail recipients" in response.content.decode() and "טקסט שנשמר" in response.content.decode()
    assert len(mail.outbox) == 0
    with scopes_disabled():
        assert not OutgoingUpdate.objects.exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise smtplib.SMTPConnectError(421, "mail server down")

    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "mail server down")

    def close(self):
        pass


@pytest.mark.django_db
def test_a_failed_email_says_so_keeps_the_text_and_can_be_tried_again(cast, client_for, settings):
    settings.EMAIL_BACKEND = "hosen.situation.tests.test_updates.BrokenBackend"
    lists = channel(cast, "Parents list", email_recipients="a@example.org")
    client = client_for(cast.manager)
    response = client.post(url(cast, "update_new"), {"channel": lists.pk, "text": "עדכון חשוב", "send": "email"},
                           **EN)
    # The failed attempt is kept: the answer goes to the list, where it says so, with the text and "try again".
    with scopes_disabled():
        failed = OutgoingUpdate.objects.get()
    assert (failed.status, failed.recipients) == (UpdateStatus.FAILED, 0) and "mail server down" in failed.error
    assert response.status_code == 302 and response["Location"] == url(cast, "updates") + f"#update-{failed.pk}"
    listed = client.get(response["Location"], **EN).content.decode()
    assert "could not be sent" in listed and "עדכון חשוב" in listed
    assert "Not sent" in listed and "Try again" in listed

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(url(cast, "updates"), {"update": failed.pk})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].body == "עדכון חשוב"
    with scopes_disabled():
        assert list(OutgoingUpdate.objects.order_by("pk").values_list("status", flat=True)) == ["failed", "sent"]
    listed = client.get(url(cast, "updates"), **EN).content.decode()
    assert "It was sent again later." in listed and "Try again" not in listed


@pytest.mark.django_db
def test_an_update_sent_three_times_goes_out_once(cast, client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lists = channel(cast, "Parents list", email_recipients="a@example.org\nb@example.org")
    client = client_for(cast.manager)
    page = url(cast, "update_new") + f"?channel={lists.pk}"
    data = loaded(client, page, having="submission", text="עדכון: מחר למידה מרחוק", send="email")
    answers = [client.post(url(cast, "update_new"), data) for _ in range(3)]
    assert [a.status_code for a in answers] == [302] * 3
    assert {a["Location"] for a in answers} == {url(cast, "updates")}
    # Back, the page loads again (a new key), and the same text goes to the same channel: still once.
    again = loaded(client, page, having="submission", text="עדכון: מחר למידה מרחוק", send="email")
    assert again["submission"] != data["submission"]
    assert client.post(url(cast, "update_new"), again).status_code == 302
    assert len(mail.outbox) == 1
    with scopes_disabled():
        assert OutgoingUpdate.objects.count() == 1


def failed_update(cast, text="עדכון חשוב"):
    group = channel(cast, "Parents list", email_recipients="a@example.org")
    with scopes_disabled():
        return OutgoingUpdate.objects.create(
            authority=cast.authority, emergency=cast.emergency, channel=group, channel_name=group.name, text=text,
            composed_by=cast.manager, method=UpdateMethod.EMAIL, recipients=0, status=UpdateStatus.FAILED,
            error="mail server down")


@pytest.mark.django_db
def test_try_again_from_two_pages_sends_once(cast, settings):
    from django.test import Client

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed = failed_update(cast)
    manager, team = Client(**EN), Client(**EN)
    manager.force_login(cast.manager)
    team.force_login(cast.team)
    hers, his = (loaded(c, url(cast, "updates"), having="update") for c in (manager, team))
    assert hers["update"] == his["update"] == str(failed.pk)
    first = manager.post(url(cast, "updates"), hers)
    second = manager.post(url(cast, "updates"), hers)  # a double tap
    third = team.post(url(cast, "updates"), his)  # a colleague, on a page loaded before
    assert [a.status_code for a in (first, second, third)] == [302] * 3
    assert len(mail.outbox) == 1
    with scopes_disabled():
        assert list(OutgoingUpdate.objects.order_by("pk").values_list("status", flat=True)) == ["failed", "sent"]
    assert "already sent again, so it was not sent a second time" in team.get(third["Location"]).content.decode()


@pytest.mark.django_db
def test_a_try_again_that_fails_can_be_tried_again(cast, client_for, settings):
    settings.EMAIL_BACKEND = "hosen.situation.tests.test_updates.BrokenBackend"
    failed = failed_update(cast)
    client = client_for(cast.manager)
    assert client.post(url(cast, "updates"), {"update": failed.pk}).status_code == 302
    assert len(mail.outbox) == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The same request a minute later is a new attempt, not the first answer again.
    assert client.post(url(cast, "updates"), {"update": failed.pk}).status_code == 302
    assert len(mail.outbox) == 1
    with scopes_disabled():
        assert list(OutgoingUpdate.objects.order_by("pk").values_list("status", flat=True)) == [
            "failed", "failed", "sent"]


@pytest.mark.django_db
def test_another_authoritys_channel_is_not_found(cast, client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    theirs = channel(cast, "Their list", authority=cast.other_authority, email_recipients="secret@example.org")
    client = client_for(cast.manager)
    for action in ("email", "copied"):
        response = client.post(url(cast, "update_new"), {"channel": theirs.pk, "text": "x", "send": action})
        assert response.status_code == 404
    assert client.get(url(cast, "update_new"), {"channel": theirs.pk}).status_code == 404
    assert client.get(url(cast, "update_new"), {"channel": 999999}).status_code == 404
    assert len(mail.outbox) == 0
    with scopes_disabled():
        assert not OutgoingUpdate.objects.exists()


@pytest.mark.django_db
def test_a_post_without_a_way_or_text_sends_nothing(cast, client_for):
    group = channel(cast, "Principals")
    client = client_for(cast.manager)
    assert client.post(url(cast, "update_new"), {"channel": group.pk, "text": "x"}).status_code == 422
    assert client.post(url(cast, "update_new"), {"channel": group.pk, "text": "  ", "send": "copied"}
                       ).status_code == 422
    with scopes_disabled():
        assert not OutgoingUpdate.objects.exists()


# ---- the list --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_what_went_where_when_by_whom_and_how(cast, client_for):
    group = channel(cast, "Principals")
    with scopes_disabled():
        OutgoingUpdate.objects.create(authority=cast.authority, emergency=cast.emergency, channel=group,
                                      channel_name="Principals", text="first", composed_by=cast.team,
                                      method=UpdateMethod.COPIED, sent_at=timezone.now() - timedelta(hours=3))
        OutgoingUpdate.objects.create(authority=cast.authority, emergency=cast.emergency, channel=None,
                                      channel_name="Old list", text="second", composed_by=cast.manager,
                                      method=UpdateMethod.EMAIL, recipients=7)
        other = Emergency.objects.get(authority=cast.other_authority)
        OutgoingUpdate.objects.create(authority=cast.other_authority, emergency=other, channel_name="Secret",
                                      text="theirs", method=UpdateMethod.COPIED)
    response = client_for(cast.viewer).get(url(cast, "updates"), **EN)
    assert response.status_code == 200
    assert [u.text for u in response.context["page"].object_list] == ["second", "first"]
    body = response.content.decode()
    assert "Old list" in body and "7 recipients" in body and "team" in body and "Secret" not in body
    assert url(cast, "update_new") not in body  # a viewer cannot compose
    # a viewer cannot try again either
    assert client_for(cast.viewer).post(url(cast, "updates"), {"update": 1}).status_code == 403


@pytest.mark.django_db
def test_queries_for_the_updates_pages_do_not_grow(cast, client_for):
    client = client_for(cast.manager)

    def grow(n):
        with scopes_disabled():
            for i in range(n):
                c = Channel.objects.create(authority=cast.authority, name=f"ערוץ {n}-{i}", kind="mailing_list",
                                           email_recipients="a@example.org\nb@example.org")
                OutgoingUpdate.objects.create(authority=cast.authority, emergency=cast.emergency, channel=c,
                                              channel_name=c.name, text="x", composed_by=cast.team,
                                              method=UpdateMethod.EMAIL, recipients=2)
                LogEntry.objects.create(authority=cast.authority, emergency=cast.emergency, kind="decision",
                                        text=f"החלטה {i}")

    for path in (url(cast, "updates"), url(cast, "update_new")):
        grow(1)
        client.get(path)
        with CaptureQueriesContext(connection) as small:
            assert client.get(path).status_code == 200
        grow(30)
        with CaptureQueriesContext(connection) as large:
            assert client.get(path).status_code == 200
        assert len(large) == len(small), f"{path}: {len(small)} then {len(large)}"
        assert len(large) <= 16


@pytest.mark.django_db
def test_the_confirmation_counts_one_recipient_in_the_singular(cast, client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lists = channel(cast, "Parents list", email_recipients="a@example.org")
    response = client_for(cast.manager).post(url(cast, "update_new"), {
        "channel": lists.pk, "text": "*Update*", "send": "email"}, follow=True, **EN)
    assert "The update was e-mailed to 1 recipient of Parents list." in response.content.decode()


def _stale_line_translated(language):
    with translation.override(language):
        return translation.gettext("Not updated in 48 hours") != "Not updated in 48 hours"


# Needs the compiled catalogs with this message (tests/test_catalogs.py then requires it translated).
@pytest.mark.skipif(not (_stale_line_translated("he") and _stale_line_translated("ar")),
                    reason="catalogs not yet compiled")
@pytest.mark.parametrize("language", ["he", "ar"])
def test_the_stale_sites_line_is_in_the_update_language(language):
    picture = Picture("Town", "Storm", timezone.now(), sites_total=4, sites_no_status=1, sites_stale=2)
    with translation.override(language):
        text = whatsapp_text(picture)
    assert "Not updated" not in text and "No status yet" not in text
