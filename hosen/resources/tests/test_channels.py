"""The communication channels register: the list with its totals, the toggle "active in this emergency"
in place, the form (e-mail recipients one a line), the export, and the queries each page costs."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.integrity.testing import with_version
from hosen.resources.models import Channel
from hosen.workmodel.models import Emergency, Phase

from .matrix_registers import make_channel
from .test_people import closed_emergency

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(cast, name, **kwargs):
    return reverse(f"resources:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


@pytest.fixture
def channels(cast):
    """channel          kind          reach  active in
    principals        whatsapp        40   this emergency
    parents           mailing_list  3000   this emergency
    radio             radio        15000   an old emergency  -> not active now
    page              social          —    never
    theirs            (another authority, active in theirs, reach 99999)
    Totals: 4 channels, 2 active now, reaching 3040."""
    old = closed_emergency(cast)
    now = timezone.now()
    with scopes_disabled():
        their_emergency = Emergency.objects.get(authority=cast.other_authority)
    return {
        "principals": make_channel(cast.authority, "Principals group", "whatsapp", reach=40, audience="principals",
                                   active_in=cast.emergency, activated_at=now,
                                   address="https://chat.whatsapp.com/xyz"),
        "parents": make_channel(cast.authority, "Parents list", "mailing_list", reach=3000, active_in=cast.emergency,
                                activated_at=now, email_recipients="a@example.org\nb@example.org"),
        "radio": make_channel(cast.authority, "Local radio", "radio", reach=15000, active_in=old, activated_at=now,
                              address="javascript:alert(1)"),
        "page": make_channel(cast.authority, "Facebook page", "social", owner="Miri"),
        "theirs": make_channel(cast.other_authority, "Their secret group", "whatsapp", reach=99999,
                               active_in=their_emergency),
    }


def listed(response):
    return [channel.name for channel in response.context["page"].object_list]


@pytest.mark.django_db
def test_the_list_shows_the_channels_and_the_totals_of_the_active_ones(cast, client_for, channels):
    response = client_for(cast.viewer).get(url(cast, "channels"), **EN)
    assert response.status_code == 200
    assert listed(response) == ["Facebook page", "Local radio", "Parents list", "Principals group"]
    assert response.context["totals"] == {"channels": 4, "active": 2, "reach": 3040, "reach_text": "3,040"}
    html = response.content.decode()
    assert "Their secret group" not in html
    assert 'href="https://chat.whatsapp.com/xyz"' in html
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html  # shown as text, never a link
    assert 'type="submit" name="active"' not in html  # a viewer has no toggle


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected", [
    ({"active": "1"}, ["Parents list", "Principals group"]),
    ({"active": "0"}, ["Facebook page", "Local radio"]),
    ({"kind": "radio"}, ["Local radio"]),
    ({"q": "miri"}, ["Facebook page"]),
    ({"q": "principals"}, ["Principals group"]),
    ({"active": "maybe"}, ["Facebook page", "Local radio", "Parents list", "Principals group"]),
])
def test_filters(cast, client_for, channels, query, expected):
    assert listed(client_for(cast.team).get(url(cast, "channels"), query, **EN)) == expected


@pytest.mark.django_db
def test_toggle_with_htmx_returns_the_card_and_the_new_totals(cast, client_for, channels):
    radio = channels["radio"]
    response = client_for(cast.team).post(url(cast, "channel_active", channel_pk=radio.pk),
                                          with_version(radio, active="1"), **EN, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="card reg-card channel is-active" id="channel-{radio.pk}"')
    assert 'id="channel-totals"' in html and 'data-hx-swap-oob="true"' in html
    assert response.context["totals"] == {"channels": 4, "active": 3, "reach": 18040, "reach_text": "18,040"}
    assert "18,040" in html
    with scopes_disabled():
        radio.refresh_from_db()
        assert radio.history.latest().history_user == cast.team
    assert radio.active_in == cast.emergency and radio.activated_at is not None

    response = client_for(cast.team).post(url(cast, "channel_active", channel_pk=radio.pk),
                                          with_version(radio, active="0"), **EN, **HTMX)
    assert response.status_code == 200 and response.context["totals"]["active"] == 2
    with scopes_disabled():
        radio.refresh_from_db()
    assert radio.active_in is None and radio.activated_at is None


@pytest.mark.django_db
def test_toggle_without_htmx_goes_back_and_a_bad_value_changes_nothing(cast, client_for, channels):
    page = channels["page"]
    client = client_for(cast.manager)
    response = client.post(url(cast, "channel_active", channel_pk=page.pk),
                           with_version(page, active="1", next=url(cast, "channels") + "?kind=social"))
    assert response["Location"] == url(cast, "channels") + f"?kind=social#channel-{page.pk}"
    bad = client.post(url(cast, "channel_active", channel_pk=channels["radio"].pk), {"active": "yes"}, **HTMX)
    assert bad.status_code == 422
    with scopes_disabled():
        assert Channel.objects.get(pk=channels["radio"].pk).active_in_id != cast.emergency.pk
        assert Channel.objects.get(pk=page.pk).active_in_id == cast.emergency.pk


@pytest.mark.django_db
def test_toggle_needs_an_open_emergency_and_stays_in_the_authority(cast, client_for, channels):
    client = client_for(cast.manager)
    theirs = channels["theirs"]
    assert client.post(url(cast, "channel_active", channel_pk=theirs.pk), {"active": "0"}).status_code == 404
    assert client.get(url(cast, "channel_edit", channel_pk=theirs.pk)).status_code == 404
    assert client_for(cast.viewer).post(url(cast, "channel_active", channel_pk=channels["page"].pk),
                                        {"active": "1"}).status_code == 403
    with scopes_disabled():
        Emergency.objects.filter(pk=cast.emergency.pk).update(phase=Phase.CLOSED)
    client = client_for(cast.manager)
    response = client.post(url(cast, "channel_active", channel_pk=channels["page"].pk), {"active": "1"},
                           **EN, **HTMX)
    assert response.status_code == 422
    assert "there is no open emergency now" in response.content.decode()
    page = client.get(url(cast, "channels"), **EN)
    assert "There is no open emergency now" in page.content.decode()
    assert page.context["totals"] == {"channels": 4, "active": 0, "reach": 0, "reach_text": "0"}


def channel_data(**overrides):
    data = {"name": "Teachers group", "kind": "whatsapp", "audience": "teachers", "reach": "120", "owner": "Dana",
            "address": "https://chat.whatsapp.com/abc", "email_recipients": "", "active": "on", "notes": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_a_new_channel_active_now_with_recipients_one_a_line(cast, client_for):
    # The name as pasted from WhatsApp: a right-to-left mark and a double space do not make it another name.
    data = channel_data(name="\u200fTeachers  group ", kind="mailing_list",
                        email_recipients=" a@example.org \n\nB@example.org\na@example.org\n")
    response = client_for(cast.team).post(url(cast, "channel_new"), data, **EN)
    assert response.status_code == 302
    with scopes_disabled():
        channel = Channel.objects.get(name="Teachers group")
    assert channel.email_recipients == "a@example.org\nB@example.org"
    assert channel.active_in == cast.emergency and channel.reach == 120
    assert response["Location"].endswith(f"#channel-{channel.pk}")


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, message", [
    ({"email_recipients": "a@example.org\nnot-an-address\nb@example.org"}, "email_recipients",
     "Line 2: “not-an-address” is not an e-mail address."),
    ({"email_recipients": "a@example.org, b@example.org"}, "email_recipients",
     "Line 1: “a@example.org, b@example.org” — write one address a line."),
    ({"reach": "-5"}, "reach", "The number cannot be negative."),
    ({"reach": "lots"}, "reach", "Write a whole number."),
    ({"kind": ""}, "kind", "Choose the kind of channel."),
    ({"name": ""}, "name", "This field is required."),
    ({"address": "javascript:alert(1)"}, "address", "Write a web link"),
])
def test_bad_input_gets_a_clear_message_and_saves_nothing(cast, client_for, overrides, field, message):
    response = client_for(cast.manager).post(url(cast, "channel_new"), channel_data(**overrides), **EN)
    assert response.status_code == 422
    assert any(message in error for error in response.context["form"].errors[field]), response.context["form"].errors
    with scopes_disabled():
        assert not Channel.objects.exists()


@pytest.mark.django_db
def test_editing_keeps_the_activation_time_unless_the_channel_is_switched(cast, client_for, channels):
    principals = channels["principals"]
    activated = principals.activated_at
    client = client_for(cast.manager)
    form = client.get(url(cast, "channel_edit", channel_pk=principals.pk), **EN).context["form"]
    assert form.initial["active"] is True
    assert client.post(url(cast, "channel_edit", channel_pk=principals.pk),
                       with_version(principals, channel_data(name="Principals (north)"))).status_code == 302
    with scopes_disabled():
        principals.refresh_from_db()
    assert principals.name == "Principals (north)" and principals.activated_at == activated
    assert client.post(url(cast, "channel_edit", channel_pk=principals.pk),
                       with_version(principals, channel_data(active=None))).status_code == 302
    with scopes_disabled():
        principals.refresh_from_db()
    assert principals.active_in is None


@pytest.mark.django_db
def test_export_has_the_channels_with_hxl_tags(cast, client_for, channels):
    response = client_for(cast.viewer).get(url(cast, "channels_export", fmt="csv"), {"active": "1"}, **EN)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:4] == ["#contact+channel+name", "#contact+channel+type", "#targeted+description", "#reached"]
    assert [row[0] for row in rows[2:]] == ["Parents list", "Principals group"]
    parents = dict(zip(rows[0], rows[2], strict=True))
    assert parents["active in this emergency"] == "yes" and parents["reach (people)"] == "3000"
    assert parents["e-mail recipients"] == "a@example.org, b@example.org"


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_channels(cast, client_for):
    for n in range(3):
        make_channel(cast.authority, f"C{n}", reach=n, active_in=cast.emergency)
    client = client_for(cast.team)
    path = url(cast, "channels")
    client.get(path)
    with CaptureQueriesContext(connection) as small:
        client.get(path)
    for n in range(60):
        make_channel(cast.authority, f"D{n}", ["sms", "radio", "website"][n % 3], reach=n * 10,
                     active_in=cast.emergency if n % 2 else None)
    with CaptureQueriesContext(connection) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small), f"{len(small)} then {len(large)}"
    assert len(large) <= 10, len(large)


@pytest.mark.django_db
def test_evidence_for_channels_used_and_active(cast, channels, django_assert_max_num_queries):
    from .test_people import evidence

    with django_assert_max_num_queries(2):
        found = evidence(cast, 16, 17)
    assert found[16] == found[17]
    assert found[16].text == "2 of 4 channels active in this emergency, reaching about 3,040 people"
    assert found[16].url == url(cast, "channels") + "?active=1"
