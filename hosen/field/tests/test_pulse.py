"""The team availability pulse: sending it, the personal answer form, who answered and who did not."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.field.models import Pulse, PulseRecipient
from hosen.workmodel import services as workmodel_services

from .matrix_links import make_pulse


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def pulses_url(cast):
    return reverse("field:pulses", kwargs={"authority_slug": cast.authority.slug})


def pulse_url(cast, pulse):
    return reverse("field:pulse", kwargs={"authority_slug": cast.authority.slug, "pulse_pk": pulse.pk})


def answer_url(recipient):
    return reverse("field_public:pulse", kwargs={"pulse_token": recipient.token})


def new_pulse(**overrides):
    data = {"title": "Who can work this week?", "message": "Schools reopen on Sunday.", "valid_hours": "48",
            "members": [], "others": ""}
    data.update(overrides)
    return data


def answer(**overrides):
    data = {"submission": str(uuid.uuid4()), "availability": "partly", "where": "From home", "how": "Mornings",
            "needs": "A laptop"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_sending_a_pulse_makes_personal_links_and_emails_them(cast, client_for):
    client = client_for(cast.manager)
    page = client.get(pulses_url(cast)).content.decode()
    assert f'value="{cast.team.pk}"' in page and f'value="{cast.manager.pk}"' in page
    assert f'value="{cast.viewer.pk}"' not in page and f'value="{cast.outsider.pk}"' not in page

    response = client.post(pulses_url(cast), new_pulse(
        members=[str(cast.team.pk)],
        others="Dana Levi, 050-1234567\nSami Khoury, Sami@Example.org\n\nTEAM@test.org no, team@test.org"))
    assert response.status_code == 302
    with scopes_disabled():
        pulse = Pulse.objects.get()
        recipients = {r.name: r for r in pulse.recipients.all()}
        assert all(r.history.count() == 1 for r in recipients.values())
    assert response["Location"] == pulse_url(cast, pulse) + "#main"
    assert (pulse.emergency, pulse.created_by, pulse.title) == (cast.emergency, cast.manager, "Who can work this week?")
    assert timedelta(hours=47) < pulse.expires_at - timezone.now() <= timedelta(hours=48)
    # The team member once (ticked, and pasted again with the same address), Dana, Sami.
    assert set(recipients) == {cast.team.display_name, "Dana Levi", "Sami Khoury"}
    assert recipients[cast.team.display_name].user == cast.team
    assert recipients["Sami Khoury"].contact == "sami@example.org"
    assert len({r.token for r in recipients.values()}) == 3

    assert sorted(m.to[0] for m in mail.outbox) == ["sami@example.org", "team@test.org"]
    for message in mail.outbox:
        recipient = next(r for r in recipients.values() if r.contact == message.to[0])
        assert f"http://testserver/p/{recipient.token}/" in message.body
        assert recipient.name in message.body and "Schools reopen on Sunday." in message.body
        assert "Who can work this week?" in message.subject and cast.authority.name in message.subject
        assert "&#" not in message.body  # plain text, not HTML-escaped

    html = client.get(pulse_url(cast, pulse)).content.decode()
    dana = recipients["Dana Levi"]
    assert f"http://testserver/p/{dana.token}/" in html
    assert "https://wa.me/972501234567?text=" in html  # straight to Dana's WhatsApp


@pytest.mark.django_db
def test_the_email_speaks_the_members_own_language(cast, client_for):
    cast.team.language = "en"
    cast.team.save(update_fields=["language"])
    client = client_for(cast.manager)
    client.post(pulses_url(cast), new_pulse(members=[str(cast.team.pk)]))
    assert len(mail.outbox) == 1
    assert "Please tell us whether you can work" in mail.outbox[0].body


@pytest.mark.django_db
@pytest.mark.parametrize("others, message", [
    ("", "Choose at least one person to send the pulse to."),
    (", 050-1234567", "Line 1: write the person&#x27;s name before the comma."),
    ("Dana\n050-1234567", "Line 2: write the person&#x27;s name, then a comma"),
    ("Dana, dana@", "Line 1: dana@ is not a valid e-mail address."),
    ("Dana, tomorrow", "Line 1: tomorrow is neither a phone number nor an e-mail address."),
    ("\n".join(f"P{n}, 050-00000{n:02d}" for n in range(301)), "at most 300 people"),
])
def test_bad_pulse_forms_say_why_and_send_nothing(cast, client_for, others, message):
    client = client_for(cast.manager)
    client.cookies["django_language"] = "en"
    response = client.post(pulses_url(cast), new_pulse(others=others))
    assert response.status_code == 422
    assert message in response.content.decode()
    with scopes_disabled():
        assert not Pulse.objects.exists() and not PulseRecipient.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_a_name_alone_is_enough_for_a_shared_link(cast, client_for):
    client_for(cast.manager).post(pulses_url(cast), new_pulse(others="Grandpa Moshe"))
    with scopes_disabled():
        assert PulseRecipient.objects.get().contact == ""
    assert not mail.outbox


@pytest.mark.django_db
def test_another_authoritys_member_cannot_be_ticked(cast, client_for):
    response = client_for(cast.manager).post(pulses_url(cast), new_pulse(members=[str(cast.outsider.pk)]))
    assert response.status_code == 422
    with scopes_disabled():
        assert not Pulse.objects.exists()


@pytest.mark.django_db
def test_answering_re_answering_and_history(cast, client):
    pulse, (dana, rami) = make_pulse(cast.authority, cast.emergency,
                                     people=[("Dana Levi", "050-1234567"), ("Rami Cohen", "")])
    page = client.get(answer_url(dana))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dana Levi" in html and pulse.title in html and f'data-keep="pulse-{dana.token}"' in html
    assert "Rami Cohen" not in html  # nobody else's name

    first = answer()
    response = client.post(answer_url(dana), first)
    assert response.status_code == 302 and response["Location"] == answer_url(dana) + "?sent=1"
    thanks = client.get(response["Location"]).content.decode()
    assert f'data-clear-keep="pulse-{dana.token}"' in thanks
    with scopes_disabled():
        dana.refresh_from_db()
        assert (dana.availability, dana.where, dana.how, dana.needs) == ("partly", "From home", "Mornings", "A laptop")
        first_time = dana.answered_at
        assert first_time is not None

        # Sending the same form again changes nothing, not even the history.
        client.post(answer_url(dana), first)
        assert dana.history.count() == 2
        dana.refresh_from_db()
        assert dana.answered_at == first_time

    # The form opens with the answer given, ready to correct.
    assert 'value="From home"' in client.get(answer_url(dana)).content.decode()
    client.post(answer_url(dana), answer(availability="can", where="At school", how="", needs=""))
    with scopes_disabled():
        dana.refresh_from_db()
        assert (dana.availability, dana.where, dana.how, dana.needs) == ("can", "At school", "", "")
        history = list(dana.history.order_by("history_date").values_list("availability", flat=True))
    assert history == ["", "partly", "can"]
    assert dana.answered_at > first_time


@pytest.mark.django_db
def test_bad_answers_change_nothing(cast, client):
    client.cookies["django_language"] = "en"
    _pulse, (dana,) = make_pulse(cast.authority, cast.emergency)
    for data, message in [(answer(availability=""), "Choose whether you can work."),
                          (answer(availability="maybe"), "Select a valid choice"),
                          (answer(where="x" * 201), "at most 200 characters"),
                          (answer(submission=""), "This form is out of date")]:
        response = client.post(answer_url(dana), data)
        assert response.status_code == 422 and message in response.content.decode(), message
    with scopes_disabled():
        dana.refresh_from_db()
        assert dana.answered_at is None and dana.history.count() == 1


@pytest.mark.django_db
def test_closed_expired_unknown_pulse_links(cast, client, client_for):
    pulse, (dana,) = make_pulse(cast.authority, cast.emergency)
    _old, (late,) = make_pulse(cast.authority, cast.emergency, hours=-1, people=[("Late Person", "")])
    unknown = client.get(reverse("field_public:pulse", kwargs={"pulse_token": "nope"}))
    assert unknown.status_code == 404 and cast.authority.name not in unknown.content.decode()
    assert client.get(answer_url(late)).status_code == 410
    assert "Late Person" not in client.get(answer_url(late)).content.decode()

    # The manager closes the pulse: the links stop, the answers stay.
    client.post(answer_url(dana), answer())
    manager = client_for(cast.manager)
    assert manager.post(pulse_url(cast, pulse), {"action": "close"}).status_code == 302
    with scopes_disabled():
        pulse.refresh_from_db()
        dana.refresh_from_db()
    assert pulse.closed_at is not None and dana.availability == "partly"
    client.logout()
    assert client.get(answer_url(dana)).status_code == 410
    assert client.post(answer_url(dana), answer(availability="cannot")).status_code == 410
    with scopes_disabled():
        dana.refresh_from_db()
    assert dana.availability == "partly"

    _p, (third,) = make_pulse(cast.authority, cast.emergency, people=[("Third", "")])
    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "Lessons from this emergency are kept.")
    assert client.get(answer_url(third)).status_code == 410


@pytest.mark.django_db
def test_answers_are_rate_limited(cast, client, settings):
    settings.RATELIMIT_PUBLIC_POST_IP = "2/10m"
    _pulse, (dana,) = make_pulse(cast.authority, cast.emergency)
    assert [client.post(answer_url(dana), answer()).status_code for _ in range(3)] == [302, 302, 429]


@pytest.mark.django_db
def test_the_manager_sees_who_answered_and_who_did_not(cast, client_for, client):
    pulse, people = make_pulse(cast.authority, cast.emergency, people=[
        ("Avi Can", "050-1111111"), ("Bella Partly", "bella@test.org"), ("Carmel Cannot", ""), ("Dov Silent", "")])
    for person, availability in zip(people[:3], ["can", "partly", "cannot"], strict=True):
        client.post(answer_url(person), answer(availability=availability, where=f"Where {person.name}"))
    manager = client_for(cast.manager)
    manager.cookies["django_language"] = "en"
    html = manager.get(pulse_url(cast, pulse)).content.decode()
    answered, waiting = html.split("Not answered yet</h2>")
    for name in ("Avi Can", "Bella Partly", "Carmel Cannot"):
        assert name in answered and f"Where {name}" in answered
    assert "Dov Silent" in waiting and "Dov Silent" not in answered
    assert '<span class="n">3/4</span>' in html
    for label in ("Can work", "Partly", "Cannot work"):
        assert f'<span class="n">1</span> {label}' in html
    assert f"/p/{people[3].token}/" in html

    listing = manager.get(pulses_url(cast)).content.decode()
    assert "3 of 4 answered" in listing and "1 not yet" in listing

    # Readers see the answers, never the personal links (they would let them answer as someone else).
    for user in (cast.viewer, cast.team, cast.coordinator):
        html = client_for(user).get(pulse_url(cast, pulse)).content.decode()
        assert "Dov Silent" in html
        assert not any(p.token in html for p in people)
        assert "Close the pulse" not in html


@pytest.mark.django_db
def test_another_authoritys_pulse_is_missing_here(cast, client_for):
    from hosen.workmodel.services import current_emergency

    with scopes_disabled():
        theirs_emergency = current_emergency(cast.other_authority)
    theirs, _people = make_pulse(cast.other_authority, theirs_emergency)
    client = client_for(cast.manager)
    assert client.get(pulse_url(cast, theirs)).status_code == 404
    assert client.post(pulse_url(cast, theirs), {"action": "close"}).status_code == 404
    with scopes_disabled():
        theirs.refresh_from_db()
    assert theirs.closed_at is None


@pytest.mark.django_db
def test_only_the_manager_sends_or_closes(cast, client_for):
    pulse, _people = make_pulse(cast.authority, cast.emergency)
    for user in (cast.team, cast.viewer):
        client = client_for(user)
        assert client.post(pulses_url(cast), new_pulse(others="Dana, 050-1234567")).status_code == 403
        assert client.post(pulse_url(cast, pulse), {"action": "close"}).status_code == 403
    with scopes_disabled():
        assert Pulse.objects.count() == 1
        pulse.refresh_from_db()
    assert pulse.closed_at is None and not mail.outbox


@pytest.mark.django_db
def test_without_an_open_emergency_the_pulse_page_explains(cast, client_for):
    with scopes_disabled():
        workmodel_services.close_emergency(cast.emergency, "Lessons from the first emergency.")
    client = client_for(cast.manager)
    client.cookies["django_language"] = "en"
    assert "There is no open emergency" in client.get(pulses_url(cast)).content.decode()
    client.post(pulses_url(cast), new_pulse(others="Dana, 050-1234567"))
    with scopes_disabled():
        assert not Pulse.objects.exists()


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_queries_on_the_pulse_pages_do_not_grow(cast, client_for, client):
    pulse, people = make_pulse(cast.authority, cast.emergency, people=[("First", "050-1111111")])
    client.post(answer_url(people[0]), answer())
    manager = client_for(cast.manager)
    paths = [pulses_url(cast), pulse_url(cast, pulse)]
    for path in paths:
        manager.get(path)
    small = [_count(manager, path) for path in paths]
    small_public = _count(client, answer_url(people[0]))
    with scopes_disabled():
        for n in range(15):
            make_pulse(cast.authority, cast.emergency, people=[(f"Other {n}", "")])
            PulseRecipient.objects.create(authority=cast.authority, pulse=pulse, name=f"Person {n}",
                                          contact=f"p{n}@test.org", availability="can" if n % 2 else "",
                                          answered_at=timezone.now() if n % 2 else None)
    large = [_count(manager, path) for path in paths]
    assert large == small, (small, large)
    assert max(large) <= 12, large
    assert _count(client, answer_url(people[0])) == small_public <= 4


@pytest.mark.django_db
def test_one_email_sent_is_said_in_the_singular(cast, client_for):
    response = client_for(cast.manager).post(pulses_url(cast), new_pulse(members=[str(cast.team.pk)]),
                                             follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert len(mail.outbox) == 1
    assert "The pulse is ready. 1 e-mail was sent;" in response.content.decode()
