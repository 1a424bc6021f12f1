"""The axis's writes under pressure: a partner's name taken at the same moment by someone else, names that
differ only in spaces, invisible marks or case, and a status tap on a page that changed meanwhile."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.integrity.testing import loaded, with_version
from hosen.partners.forms import PartnerForm
from hosen.partners.models import Achievement, Partner

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}
RLM = "\u200f"


def url(cast, name, **kwargs):
    return reverse(f"partners:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def partners_named(cast, name):
    with scopes_disabled():
        return Partner.objects.filter(authority=cast.authority, name__iexact=name).count()


@pytest.mark.django_db
def test_two_people_adding_the_same_partner_at_once_end_with_a_form_error(cast, client_for, monkeypatch):
    """The other person's partner is saved right after this form checked the name and before it saves: the
    database refuses the second row, the request runs again, and now the form itself says the name is taken."""
    checks = []
    check_name = PartnerForm.clean_name

    def theirs():
        with scopes_disabled():
            Partner.objects.create(authority=cast.authority, name="מרכז המדע", kind="academia")

    def clean_name(form):
        checks.append(form.data.get("name"))
        if len(checks) > 1:
            # The second run: their partner was committed meanwhile (this test's database undid it with the
            # first run's rollback, so it is put back as the other transaction left it).
            theirs()
        name = check_name(form)
        if len(checks) == 1:
            theirs()  # saved between this check and this save
        return name

    monkeypatch.setattr(PartnerForm, "clean_name", clean_name)
    client = client_for(cast.team)
    data = loaded(client, url(cast, "new"), having="submission", name=f"  מרכז   המדע{RLM} ", kind="ngo")
    response = client.post(url(cast, "new"), data, **EN)

    assert len(checks) == 2, "the first run hit the unique constraint and the view ran again"
    assert response.status_code == 422
    body = response.content.decode()
    assert "There is already a partner named “מרכז המדע”." in body
    assert data["submission"] in body, "the form keeps its submission key for the corrected sending"
    with scopes_disabled():
        assert not Partner.objects.filter(authority=cast.authority, kind="ngo").exists(), "nothing sent is saved"

    # The corrected name goes through on the same form (their partner is there, as the other person left it).
    monkeypatch.setattr(PartnerForm, "clean_name", check_name)
    theirs()
    response = client.post(url(cast, "new"), {**data, "name": "מרכז המדע לנוער"}, **EN)
    assert response.status_code == 302
    assert partners_named(cast, "מרכז המדע לנוער") == 1 and partners_named(cast, "מרכז המדע") == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_concurrent_save_of_the_same_name_ends_in_a_form_error(cast, client_for, monkeypatch):
    """The same race with a real second connection: their partner is committed by another transaction while
    this request is between its check and its save (PostgreSQL; SQLite lets one writer in at a time)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that lets two transactions write at once")
    checks = []
    check_name = PartnerForm.clean_name

    def commit_theirs():
        def run():
            try:
                with scopes_disabled():
                    Partner.objects.create(authority=cast.authority, name="מרכז המדע", kind="academia")
            finally:
                connections.close_all()

        other = threading.Thread(target=run)
        other.start()
        other.join()

    def clean_name(form):
        checks.append(form.data.get("name"))
        name = check_name(form)
        if len(checks) == 1:
            commit_theirs()
        return name

    monkeypatch.setattr(PartnerForm, "clean_name", clean_name)
    client = client_for(cast.team)
    data = loaded(client, url(cast, "new"), having="submission", name="מרכז  המדע", kind="ngo")
    response = client.post(url(cast, "new"), data, **EN)
    assert len(checks) == 2, "the first run hit the unique constraint and the view ran again"
    assert response.status_code == 422
    assert "There is already a partner named “מרכז המדע”." in response.content.decode()
    with scopes_disabled():
        assert list(Partner.objects.filter(authority=cast.authority).values_list("name", "kind")) == [
            ("מרכז המדע", "academia")]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", [
    "מרכז המדע",
    " מרכז  המדע ",
    f"מרכז המדע{RLM}",
    "מרכז\u00a0המדע",
    "\u202bמרכז המדע\u202c",
])
def test_a_name_that_differs_only_in_spaces_or_invisible_marks_is_taken(cast, client_for, typed):
    with scopes_disabled():
        Partner.objects.create(authority=cast.authority, name="מרכז המדע", kind="academia")
    response = client_for(cast.team).post(url(cast, "new"), {"name": typed, "kind": "ngo"}, **EN)
    assert response.status_code == 422
    assert "There is already a partner named" in " ".join(response.context["form"].errors["name"])
    with scopes_disabled():
        assert Partner.objects.filter(authority=cast.authority).count() == 1


@pytest.mark.django_db
def test_a_name_taken_in_another_case_or_another_authority(cast, client_for):
    with scopes_disabled():
        Partner.objects.create(authority=cast.authority, name="Intel Israel", kind="industry")
        Partner.objects.create(authority=cast.other_authority, name="מרכז המדע", kind="academia")
    client = client_for(cast.team)
    response = client.post(url(cast, "new"), {"name": "intel  israel", "kind": "industry"}, **EN)
    assert response.status_code == 422 and "name" in response.context["form"].errors
    # Another authority's partner of the same name is theirs: this one may have it too.
    response = client.post(url(cast, "new"), {"name": "מרכז המדע", "kind": "academia"}, **EN)
    assert response.status_code == 302
    assert partners_named(cast, "מרכז המדע") == 1


@pytest.mark.django_db
def test_renaming_to_a_taken_name_is_a_form_error_and_the_name_is_stored_clean(cast, client_for):
    with scopes_disabled():
        Partner.objects.create(authority=cast.authority, name="מרכז המדע", kind="academia")
        mine = Partner.objects.create(authority=cast.authority, name="עמותת נוער", kind="ngo")
    client = client_for(cast.manager)
    data = loaded(client, url(cast, "edit", partner_pk=mine.pk), having="version", name=f"מרכז  המדע{RLM}")
    response = client.post(url(cast, "edit", partner_pk=mine.pk), data, **EN)
    assert response.status_code == 422 and "name" in response.context["form"].errors
    response = client.post(url(cast, "edit", partner_pk=mine.pk), {**data, "name": f" עמותת  נוער{RLM}  צפון "})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "עמותת נוער צפון"


@pytest.mark.django_db
def test_a_contact_persons_name_is_stored_clean(cast, client_for):
    with scopes_disabled():
        partner = Partner.objects.create(authority=cast.authority, name="מרכז המדע", kind="academia")
    response = client_for(cast.team).post(url(cast, "contact_new", partner_pk=partner.pk),
                                          {"name": f"  רינה{RLM}   כהן ", "phone": "050-1234567"})
    assert response.status_code == 302
    with scopes_disabled():
        assert partner.contacts.get().name == "רינה כהן"


@pytest.mark.django_db
def test_a_status_tap_on_a_stale_card_that_asks_for_what_is_already_there_is_a_quiet_success(cast, client_for):
    with scopes_disabled():
        robotics = Achievement.objects.create(authority=cast.authority, title="חוג רובוטיקה", kind="stem",
                                              status="continues")
    status_url = url(cast, "achievement_status", achievement_pk=robotics.pk)
    stale = with_version(robotics, status="paused")
    assert client_for(cast.team).post(status_url, stale, **EN, **HTMX).status_code == 200
    manager = client_for(cast.manager)
    # Someone else paused it too, from the same old page: it is paused, as asked; nothing more happens.
    response = manager.post(status_url, stale, **EN, **HTMX)
    assert response.status_code == 200 and "Status saved" in response.content.decode()
    robotics.refresh_from_db()
    assert (robotics.status, robotics.updated_by) == ("paused", cast.team)
    # From the same old page, "at risk" is refused: the card comes back as it is now, and says why.
    response = manager.post(status_url, {**stale, "status": "at_risk"}, **EN, **HTMX)
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed this meanwhile" in body and 'aria-pressed="true">Paused<' in body
    robotics.refresh_from_db()
    assert robotics.status == "paused"
    # Without htmx it goes back to the list with the message.
    response = manager.post(status_url, {**stale, "status": "at_risk"}, **EN)
    assert response.status_code == 302
    assert "changed this meanwhile" in manager.get(response["Location"], **EN).content.decode()
    # The card's fresh version applies.
    response = manager.post(status_url, with_version(robotics, status="at_risk"), **EN, **HTMX)
    assert response.status_code == 200
    robotics.refresh_from_db()
    assert robotics.status == "at_risk"


@pytest.mark.django_db
def test_the_conflict_view_of_a_partner_lists_only_what_differs(cast, client_for):
    with scopes_disabled():
        partner = Partner.objects.create(authority=cast.authority, name="מרכז המדע", kind="academia",
                                         born_in=cast.emergency)
    edit = url(cast, "edit", partner_pk=partner.pk)
    hers = loaded(client_for(cast.manager), edit, having="version", notes="היא: מחכים לתשובה")
    his = loaded(client_for(cast.team), edit, having="version", notes="הוא: מוכנים לארח")
    assert client_for(cast.team).post(edit, his).status_code == 302
    response = client_for(cast.manager).post(edit, hers, **EN)
    assert response.status_code == 409
    conflict = response.content.decode()
    conflict = conflict[conflict.index('<section class="conflict"'):conflict.index("</section>")]
    assert "היא: מחכים לתשובה" in conflict and "הוא: מוכנים לארח" in conflict
    assert conflict.count('<th scope="row">') == 1, "only the notes differ (the new collaboration is the same)"
    partner.refresh_from_db()
    assert partner.notes == "הוא: מוכנים לארח" and partner.born_in == cast.emergency
