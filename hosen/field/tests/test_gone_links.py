"""A report or a pulse answer sent to a link that stopped working while it was being written: nothing is
stored, and everything typed comes back in words, to copy, with whom to ask for a new link."""

import html
import re
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.field.models import Need, PulseRecipient, SiteStatus

from .matrix_links import make_link, make_pulse, make_site

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LONG_NOTE = "The roof of wing B leaks into two classrooms.\nWe moved the children to the hall; " + "מים " * 400


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def report_url(link):
    return reverse("field_public:report", kwargs={"link_token": link.token})


def answer_url(recipient):
    return reverse("field_public:pulse", kwargs={"pulse_token": recipient.token})


def report_data(**overrides):
    data = {"submission": str(uuid.uuid4()), "status": "partial", "present": "120", "evacuated": "",
            "hosted": "", "protected_space": "no", "need_categories": ["equipment", "food"],
            "need_description": "20 laptops and water", "urgency": "3", "is_emerging": "on",
            "note": LONG_NOTE, "reporter_name": "Yossi Cohen"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def copy_box(page):
    """The read-only text to copy: its content, unescaped."""
    found = re.search(r'<textarea id="typed-text"[^>]*readonly[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no read-only text to copy"
    return html.unescape(found.group(1)).strip("\n")


def stored_nothing(link):
    with scopes_disabled():
        return not SiteStatus.objects.filter(via_link=link).exists() and not Need.objects.filter(
            via_link=link).exists()


@pytest.mark.django_db
def test_a_report_sent_after_the_link_was_revoked_comes_back_whole(cast, client, client_for):
    cast.manager.full_name = "Miriam Cohen"
    cast.manager.save(update_fields=["full_name"])
    site = make_site(cast.authority, "Alon North School", area="North")
    link = make_link(cast.authority, cast.emergency, group_area="North")
    with scopes_disabled():
        link.created_by = cast.manager
        link.save(update_fields=["created_by"])
    reporter = client.get(report_url(link), **EN)
    assert reporter.status_code == 200

    # Meanwhile the manager revokes the link, through her own page.
    manager = client_for(cast.manager)
    revoked = manager.post(reverse("field:link_revoke", kwargs={"authority_slug": cast.authority.slug,
                                                                 "link_pk": link.pk}))
    assert revoked.status_code == 302
    manager.logout()

    response = client.post(report_url(link), report_data(site=str(site.pk)), **EN)
    assert response.status_code == 410
    page = response.content.decode()
    assert "What you wrote was not sent." in page
    # Whom to ask: the authority and, by name only, the person who shared the link.
    assert "Miriam Cohen" in page and cast.authority.name in page
    assert cast.manager.email not in page
    # Every field, label and value, in words.
    text = copy_box(page)
    for line in ("The site's status: Partly open", "Present: 120", "Is the protected space available? No",
                 "Urgent needs: Equipment and connectivity, Food and supplies",
                 "What is needed, in a few words: 20 laptops and water", "New since the emergency began: Yes",
                 "Your name (optional): Yossi Cohen"):
        assert line in text, (line, text)
    assert f"Note\n{LONG_NOTE.strip()}" in text  # the whole note, every line of it
    assert html.escape("The roof of wing B leaks") in page.split('<textarea')[0]  # also readable as a list
    assert "Urgency" not in text  # the urgency the form starts with is not something they chose
    # A revoked link names none of the authority's records, not even the site that was chosen.
    assert "Alon North School" not in page
    assert 'data-copy="typed-text"' in page
    assert stored_nothing(link)


@pytest.mark.django_db
def test_an_expired_site_link_and_a_deleted_link_also_give_the_text_back(cast, client):
    site = make_site(cast.authority, "Alon North School")
    expired = make_link(cast.authority, cast.emergency, site=site, hours=-1)
    response = client.post(report_url(expired), report_data(note="Only a note"), **EN)
    assert response.status_code == 410
    page = response.content.decode()
    assert "Note: Only a note" in copy_box(page)
    # Nobody's name is known (the link has no creator on record): the authority's team is whom to ask.
    assert f"Ask the ecosystem team of <bdi dir=\"auto\">{cast.authority.name}</bdi>" in page
    assert stored_nothing(expired)

    # A link that no longer exists at all: the text still comes back, and nothing names the authority.
    unknown = client.post(reverse("field_public:report", kwargs={"link_token": "gone-for-good"}),
                          report_data(note="Lost? Not at all"), **EN)
    assert unknown.status_code == 404
    assert "Note: Lost? Not at all" in copy_box(unknown.content.decode())
    assert cast.authority.name not in unknown.content.decode()


@pytest.mark.django_db
def test_opening_a_dead_link_offers_the_draft_kept_on_the_phone(cast, client):
    """The page holds the form's fields in words for the script that reads the phone's draft."""
    cast.manager.full_name = "Miriam Cohen"
    cast.manager.save(update_fields=["full_name"])
    link = make_link(cast.authority, cast.emergency, group_area="North")
    with scopes_disabled():
        link.created_by = cast.manager
        link.revoked_at = timezone.now()
        link.save(update_fields=["created_by", "revoked_at"])
    make_site(cast.authority, "Alon North School", area="North")
    response = client.get(report_url(link), **EN)
    assert response.status_code == 410
    page = response.content.decode()
    assert f'data-kept-draft="report-{link.token}"' in page and "Miriam Cohen" in page
    guide = html.unescape(re.search(r'data-guide="([^"]*)"', page).group(1))
    assert '"note", "Note", "text"' in guide and '"partial": "Partly open"' in guide
    assert "Alon North School" not in page and '"site"' not in guide
    assert 'id="typed-text"' in page and "hidden" in page.split('data-kept-draft')[1].split(">")[0]


@pytest.mark.django_db
def test_a_pulse_answer_sent_after_the_pulse_closed_comes_back(cast, client):
    cast.manager.full_name = "Miriam Cohen"
    cast.manager.save(update_fields=["full_name"])
    pulse, (dana,) = make_pulse(cast.authority, cast.emergency)
    with scopes_disabled():
        pulse.created_by = cast.manager
        pulse.save(update_fields=["created_by"])
    assert client.get(answer_url(dana), **EN).status_code == 200
    with scopes_disabled():
        pulse.closed_at = timezone.now()
        pulse.save(update_fields=["closed_at"])
    needs = "A laptop that works,\nand a ride on Thursdays"
    response = client.post(answer_url(dana), {"submission": str(uuid.uuid4()), "availability": "partly",
                                              "where": "from home", "how": "", "needs": needs}, **EN)
    assert response.status_code == 410
    page = response.content.decode()
    text = copy_box(page)
    assert "Can you work? Partly" in text and "Where: from home" in text
    assert f"What I need to be able to work\n{needs}" in text and "How" not in text
    assert "Miriam Cohen" in page and cast.authority.name in page
    with scopes_disabled():
        dana.refresh_from_db()
        assert dana.answered_at is None and dana.needs == "" and not PulseRecipient.history.filter(
            history_change_reason__startswith="pulse answer").exists()


@pytest.mark.django_db
def test_a_source_never_cut_and_a_name_too_long_refused(cast, client, settings):
    """The needs' source holds the reporter's whole name; a longer name is refused with the limit, not cut."""
    site = make_site(cast.authority, "Alon North School")
    link = make_link(cast.authority, cast.emergency, site=site)
    longest = "ש" * 100
    for language in ("he", "ar", "en"):  # the source is written in the authority's language
        settings.LANGUAGE_CODE = language
        data = report_data(reporter_name=longest)
        response = client.post(report_url(link), data)
        assert response.status_code == 302
        with scopes_disabled():
            for need in Need.objects.filter(submission=data["submission"]):
                assert longest in need.source and len(need.source) <= Need._meta.get_field("source").max_length

    settings.LANGUAGE_CODE = "en"
    data = report_data(reporter_name="ש" * 101)
    response = client.post(report_url(link), data, **EN)
    assert response.status_code == 422
    assert "Ensure this value has at most 100 characters (it has 101)." in response.content.decode()
    with scopes_disabled():
        assert not SiteStatus.objects.filter(submission=data["submission"]).exists()

    # Without a name, the source says where it came from; the site is the need's own.
    data = report_data(reporter_name="")
    assert client.post(report_url(link), data).status_code == 302
    with scopes_disabled():
        assert {n.source for n in Need.objects.filter(submission=data["submission"])} == {"quick report"}
