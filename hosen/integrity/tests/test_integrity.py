"""No lost work beyond the per-register registry: typed text across a forced sign-in, races between two
sessions at the same moment (on PostgreSQL, where they can interleave), names that differ only by invisible
marks, the network's own forms, and closing an emergency twice."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import PASSWORD
from hosen.field.models import Need, Site
from hosen.integrity.testing import form_data, loaded
from hosen.names import normalize_name
from hosen.workmodel.models import Answer, Emergency

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def a_url(cast, name, **kwargs):
    return reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


def signed_in(user):
    client = Client(**EN)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_need_sent_after_a_sign_out_in_another_tab_comes_back_after_signing_in(cast):
    client = signed_in(cast.team)
    new_need = a_url(cast, "field:need_new")
    data = loaded(client, new_need, audience="students", category="equipment", urgency="3",
                  description="עשרה מחשבים ניידים לכיתה ח׳ — הוקלד במשך עשר דקות")
    client.post(reverse("account_logout"))  # another tab of hers signs her out

    response = client.post(new_need, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    with scopes_disabled():
        assert not Need.objects.exists()

    response = client.post(response["Location"], {"login": cast.team.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == new_need
    page = client.get(new_need).content.decode()
    assert "עשרה מחשבים ניידים לכיתה ח׳ — הוקלד במשך עשר דקות" in page
    assert "You were signed out while writing" in page
    with scopes_disabled():
        assert not Need.objects.exists(), "shown back to check, not saved on her behalf"

    again = form_data(page)
    assert again["description"] == data["description"]
    assert again["submission"] == data["submission"], "the same sending: a resend of the first stays one"
    assert client.post(new_need, again).status_code == 302
    assert client.post(new_need, again).status_code == 302
    with scopes_disabled():
        assert Need.objects.get().description.startswith("עשרה מחשבים")
    assert "You were signed out" not in client.get(new_need).content.decode(), "shown back once"


@pytest.mark.django_db
def test_an_htmx_change_after_the_session_ended_sends_the_page_to_sign_in(cast):
    client = signed_in(cast.team)
    client.post(reverse("account_logout"))
    checklist = a_url(cast, "workmodel:checklist")
    response = client.post(a_url(cast, "workmodel:answer", number=6), {"i6-status": "done"},
                           HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{checklist}")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('account_login')}?next={checklist}"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["בית ספר  האלון", "בית ספר האלון\u200f", "\u200eבית ספר האלון ",
                                   "בית\u00a0ספר האלון", "בית ספר האלון\u2069"])
def test_a_site_name_that_differs_only_by_spaces_or_direction_marks_is_the_same_site(cast, typed):
    client = signed_in(cast.manager)
    new_site = a_url(cast, "field:site_new")
    assert client.post(new_site, loaded(client, new_site, name="בית ספר האלון", kind="school")).status_code == 302
    response = client.post(new_site, loaded(client, new_site, name=typed, kind="school"))
    assert response.status_code == 422
    assert "There is already a site named" in response.content.decode()
    with scopes_disabled():
        assert list(Site.objects.values_list("name", flat=True)) == ["בית ספר האלון"]
    assert normalize_name(typed) == "בית ספר האלון"


@pytest.mark.django_db
def test_the_networks_forms_create_once(cast):
    client = signed_in(cast.network_admin)
    invite = reverse("tenancy:network_invite")
    data = loaded(client, invite, email="new.manager@test.org", authority=str(cast.authority.pk))
    answers = [client.post(invite, data) for _ in range(3)]
    assert [a.status_code for a in answers] == [302] * 3
    from hosen.accounts.models import Invitation

    assert Invitation.objects.filter(email="new.manager@test.org").count() == 1
    response = client.post(invite, {**data, "email": "not an address", "submission": ""})
    assert response.status_code == 422


@pytest.mark.django_db
def test_closing_an_emergency_twice_keeps_both_lessons(cast):
    first, second = signed_in(cast.manager), signed_in(cast.manager)
    close = a_url(cast, "workmodel:emergency_close", pk=cast.emergency.pk)
    hers = loaded(first, close, lessons="Open the shelters list a day earlier.")
    his = loaded(second, close, lessons="Keep one phone line for parents only.")
    assert first.post(close, hers).status_code == 302
    response = second.post(close, his, follow=True)
    assert "Your lessons were added" in response.content.decode()
    with scopes_disabled():
        emergency = Emergency.objects.get(pk=cast.emergency.pk)
    assert not emergency.is_open
    assert "a day earlier" in emergency.lessons and "parents only" in emergency.lessons


# ---- real races: two sessions at the same moment --------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's write transactions are exclusive from BEGIN (IMMEDIATE): these requests cannot interleave "
           "there; bench/writes.py drives many processes against one SQLite file instead")


def _at_once(*posts):
    """Run the posts in threads released together; each thread has its own database connection."""
    barrier, answers = threading.Barrier(len(posts)), [None] * len(posts)

    def run(index, post):
        try:
            barrier.wait()
            answers[index] = post()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_answers_to_one_item_at_once_end_in_a_conflict_not_an_error(model_content):
    from conftest import make_cast

    cast = make_cast()
    team, manager = signed_in(cast.team), signed_in(cast.manager)
    for number in (6, 7, 8, 9, 10, 11, 12, 13):
        item = a_url(cast, "workmodel:answer", number=number)
        his = loaded(team, item, having=f"i{number}-note", **{f"i{number}-status": "done",
                                                               f"i{number}-note": "הושלם"})
        hers = loaded(manager, item, having=f"i{number}-note", **{f"i{number}-status": "partly",
                                                                   f"i{number}-note": "חסר"})
        answers = _at_once(lambda item=item, his=his: team.post(item, his, HTTP_HX_REQUEST="true"),
                           lambda item=item, hers=hers: manager.post(item, hers, HTTP_HX_REQUEST="true"))
        assert sorted(a.status_code for a in answers) == [200, 409]
        loser = next(a for a in answers if a.status_code == 409).content.decode()
        assert "Saved meanwhile by someone else" in loser
        with scopes_disabled():
            assert Answer.objects.filter(round=cast.round, item__number=number).count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_new_sites_with_one_name_at_once_end_in_a_clear_message(model_content):
    from conftest import make_cast

    cast = make_cast()
    team, manager = signed_in(cast.team), signed_in(cast.manager)
    new_site = a_url(cast, "field:site_new")
    for attempt in range(6):
        name = f"בית ספר הדקל {attempt}"
        his = loaded(team, new_site, name=name, kind="school")
        hers = loaded(manager, new_site, name=f" {name}\u200f", kind="school")
        answers = _at_once(lambda his=his: team.post(new_site, his), lambda hers=hers: manager.post(new_site, hers))
        assert sorted(a.status_code for a in answers) == [302, 422]
        loser = next(a for a in answers if a.status_code == 422).content.decode()
        assert "There is already a site named" in loser
        with scopes_disabled():
            assert Site.objects.filter(authority=cast.authority, name=name).count() == 1


@pytest.mark.django_db
def test_a_quick_report_sent_again_after_going_back_is_stored_once(cast):
    from hosen.field.models import SiteStatus
    from hosen.field.tests.matrix_links import make_link, make_site

    site = make_site(cast.authority, "בית ספר הגפן")
    link = make_link(cast.authority, cast.emergency, site=site)
    phone = Client(**EN)
    report = reverse("field_public:report", kwargs={"link_token": link.token})
    typed = {"status": "partial", "present": "120", "note": "חצי מהכיתות פתוחות", "reporter_name": "יוסי"}
    first = phone.post(report, loaded(phone, report, **typed))
    assert first.status_code == 302
    # Back: the page loads again with a new key, and the same report is sent once more (and once more).
    for _ in range(2):
        again = phone.post(report, loaded(phone, report, **typed))
        assert again.status_code == 302 and again["Location"] == first["Location"]
    with scopes_disabled():
        assert SiteStatus.objects.filter(via_link=link).count() == 1
    # A different report a minute later is a new one.
    assert phone.post(report, loaded(phone, report, **{**typed, "status": "open"})).status_code == 302
    with scopes_disabled():
        assert SiteStatus.objects.filter(via_link=link).count() == 2
