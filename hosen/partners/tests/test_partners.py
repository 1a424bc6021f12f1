"""The axis registers: partners with their last contact and reminders, filters, a partner's page and its
contact log added in place, the forms, the export, achievements, the evidence, and queries per page."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from hosen.integrity.testing import with_version
from hosen.partners import evidence
from hosen.partners.models import (
    Achievement,
    AchievementStatus,
    Contact,
    ContactLog,
    Partner,
)
from hosen.partners.queries import with_last_contact
from hosen.resources.models import Facility, FundingSource, Person
from hosen.workmodel.evidence import EvidenceContext
from hosen.workmodel.models import Emergency, EmergencyKind, Phase, Severity

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(cast, name, **kwargs):
    return reverse(f"partners:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def make_partner(cast, name, authority=None, **fields):
    with scopes_disabled():
        return Partner.objects.create(authority=authority or cast.authority, name=name,
                                      kind=fields.pop("kind", "ngo"), **fields)


def contacted(cast, partner, days_ago, emergency="current", **fields):
    with scopes_disabled():
        return ContactLog.objects.create(
            authority_id=partner.authority_id, partner=partner, summary=fields.pop("summary", "שיחה"),
            happened_at=timezone.now() - timedelta(days=days_ago),
            emergency=cast.emergency if emergency == "current" else emergency, **fields)


def closed_emergency(cast):
    with scopes_disabled():
        return Emergency.objects.create(authority=cast.authority, name="ישן", kind=EmergencyKind.FIRE,
                                        started_on="2025-01-01", severity=Severity.LOW, phase=Phase.CLOSED)


@pytest.fixture
def axis(cast):
    """Partners worked by hand (reminder due?):
    mayor — decision maker, last contact 8 days ago → due (7)
    education — decision maker, 3 days ago → not due
    hitech — key, never contacted → due
    university — key, 15 days ago (and an older one) → due (14)
    school — key with its own 30-day window, 20 days ago → not due
    ngo — neither, never contacted → never due; a new collaboration born in this emergency
    old — key but inactive, never contacted → never due, hidden by default
    """
    with scopes_disabled():
        made = {
            "mayor": make_partner(cast, "לשכת ראש העיר", kind="municipal", is_decision_maker=True),
            "education": make_partner(cast, "מנהל החינוך", kind="municipal", is_decision_maker=True),
            "hitech": make_partner(cast, "חברת הייטק", kind="industry", is_key=True),
            "university": make_partner(cast, "האוניברסיטה", kind="academia", is_key=True),
            "school": make_partner(cast, "בית ספר אלון", kind="school", is_key=True, reminder_days=30),
            "ngo": make_partner(cast, "עמותת מדע לכולם", kind="ngo", born_in=cast.emergency),
            "old": make_partner(cast, "קרן ותיקה", kind="philanthropy", is_key=True, is_active=False),
        }
        make_partner(cast, "שותף של רשות ב", authority=cast.other_authority, is_key=True)
        Contact.objects.create(authority=cast.authority, partner=made["mayor"], name="רינה", role="ראש המטה",
                               phone="050-1234567")
    contacted(cast, made["mayor"], 8)
    contacted(cast, made["mayor"], 20, emergency=None)
    contacted(cast, made["education"], 3)
    contacted(cast, made["university"], 15)
    contacted(cast, made["university"], 40, emergency=closed_emergency(cast))
    contacted(cast, made["school"], 20)
    return made


def names(rows):
    return [p.name for p in rows]


# ---- last contact and the list ---------------------------------------------------------------


@pytest.mark.django_db
def test_last_contact_is_the_newest_log_in_one_query(cast, axis):
    with scope(authority=cast.authority), CaptureQueriesContext(connection) as queries:
        partners = {p.name: p for p in with_last_contact(Partner.objects.filter(authority=cast.authority))}
    assert len(queries) == 1
    now = timezone.now()
    assert round((now - partners["לשכת ראש העיר"].last_contact_at) / timedelta(days=1)) == 8
    assert round((now - partners["האוניברסיטה"].last_contact_at) / timedelta(days=1)) == 15
    assert partners["חברת הייטק"].last_contact_at is None


@pytest.mark.django_db
def test_the_list_marks_who_is_overdue_and_asks_to_call_them_today(cast, client_for, axis):
    response = client_for(cast.viewer).get(url(cast, "list"), **EN)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert names(rows) == sorted(names(rows))
    assert "קרן ותיקה" not in names(rows) and "שותף של רשות ב" not in response.content.decode()
    assert {p.name for p in rows if p.due} == {"לשכת ראש העיר", "חברת הייטק", "האוניברסיטה"}
    # call today: never contacted first, then the longest silence
    assert names(response.context["due"]) == ["חברת הייטק", "האוניברסיטה", "לשכת ראש העיר"]
    body = response.content.decode()
    assert "Call these today" in body and 'href="tel:050-1234567"' in body
    assert body.count("Contact overdue") >= 3
    assert url(cast, "new") not in body  # a viewer adds nothing


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected", [
    ({"kind": "municipal"}, {"לשכת ראש העיר", "מנהל החינוך"}),
    ({"key": "1"}, {"חברת הייטק", "האוניברסיטה", "בית ספר אלון"}),
    ({"decision": "1"}, {"לשכת ראש העיר", "מנהל החינוך"}),
    ({"new": "1"}, {"עמותת מדע לכולם"}),
    ({"overdue": "1"}, {"לשכת ראש העיר", "חברת הייטק", "האוניברסיטה"}),
    ({"overdue": "on", "decision": "on"}, {"לשכת ראש העיר"}),
    ({"q": "אוניברסיטה"}, {"האוניברסיטה"}),
    ({"inactive": "1", "key": "1"}, {"חברת הייטק", "האוניברסיטה", "בית ספר אלון", "קרן ותיקה"}),
    ({"kind": "no-such-kind"}, None),  # an invalid filter is ignored
])
def test_filters(cast, client_for, axis, query, expected):
    response = client_for(cast.manager).get(url(cast, "list"), query, **EN)
    assert response.status_code == 200
    got = set(names(response.context["rows"]))
    assert got == (expected if expected is not None else {p.name for p in axis.values() if p.is_active})


@pytest.mark.django_db
def test_toggle_counts(cast, client_for, axis):
    toggles = client_for(cast.manager).get(url(cast, "list"), **EN).context["toggles"]
    assert {t["key"]: t["n"] for t in toggles} == {"overdue": 3, "decision": 2, "key": 3, "new": 1}


@pytest.mark.django_db
def test_the_reminders_page(cast, client_for, axis):
    response = client_for(cast.viewer).get(url(cast, "reminders"), **EN)
    assert response.status_code == 200
    assert names(response.context["due"]) == ["חברת הייטק", "האוניברסיטה", "לשכת ראש העיר"]
    assert "never contacted" in response.content.decode().lower()


@pytest.mark.django_db
def test_with_nobody_due_the_reminders_page_says_so(cast, client_for):
    response = client_for(cast.viewer).get(url(cast, "reminders"), **EN)
    assert response.status_code == 200 and "Nobody is waiting for a call" in response.content.decode()
    assert "Call these today" not in client_for(cast.viewer).get(url(cast, "list"), **EN).content.decode()


# ---- a partner and the contact log -----------------------------------------------------------


@pytest.mark.django_db
def test_a_partners_page_shows_contacts_and_the_log(cast, client_for, axis):
    response = client_for(cast.viewer).get(url(cast, "detail", partner_pk=axis["mayor"].pk), **EN)
    assert response.status_code == 200
    body = response.content.decode()
    assert "רינה" in body and "ראש המטה" in body and 'href="tel:050-1234567"' in body
    assert "8 days ago" in body and "Contact overdue" in body
    assert "after 7 days without contact" in body
    assert [log.happened_at for log in response.context["logs"]] == sorted(
        [log.happened_at for log in response.context["logs"]], reverse=True)
    assert response.context["log_form"] is None  # a viewer gets no form


@pytest.mark.django_db
def test_adding_a_contact_in_place_clears_the_reminder(cast, client_for, axis):
    mayor = axis["mayor"]
    with scopes_disabled():
        rina = Contact.objects.get(partner=mayor)
    response = client_for(cast.team).post(url(cast, "detail", partner_pk=mayor.pk), {
        "channel": "meeting", "contact": rina.pk, "summary": "סיכמנו על פתיחת מרחב מוגן", "happened_at": ""},
        **EN, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="contact-log"') and "<html" not in body
    assert "סיכמנו על פתיחת מרחב מוגן" in body
    assert 'id="partner-last"' in body and 'data-hx-swap-oob="true"' in body and "today" in body
    assert "Contact overdue" not in body
    with scopes_disabled():
        log = ContactLog.objects.filter(partner=mayor).order_by("-happened_at").first()
    assert (log.contact, log.channel, log.emergency, log.created_by) == (rina, "meeting", cast.emergency, cast.team)
    reminders = client_for(cast.team).get(url(cast, "reminders")).context["due"]
    assert "לשכת ראש העיר" not in names(reminders)


@pytest.mark.django_db
@pytest.mark.parametrize("data, error", [
    ({"channel": "call", "summary": "   "}, "summary"),
    ({"channel": "pigeon", "summary": "שיחה קצרה"}, "channel"),
    ({"channel": "call", "summary": "שיחה קצרה", "happened_at": "2099-01-01T10:00"}, "happened_at"),
])
def test_a_failed_log_entry_keeps_the_text_and_changes_nothing(cast, client_for, axis, data, error):
    with scopes_disabled():
        count = ContactLog.objects.count()
    response = client_for(cast.team).post(url(cast, "detail", partner_pk=axis["hitech"].pk), data, **EN, **HTMX)
    assert response.status_code == 422
    assert error in response.context["log_form"].errors
    if data["summary"].strip():
        assert data["summary"] in response.content.decode()
    with scopes_disabled():
        assert ContactLog.objects.count() == count


@pytest.mark.django_db
def test_a_contact_of_another_partner_cannot_be_chosen(cast, client_for, axis):
    with scopes_disabled():
        rina = Contact.objects.get(partner=axis["mayor"])
    response = client_for(cast.team).post(url(cast, "detail", partner_pk=axis["hitech"].pk), {
        "channel": "call", "contact": rina.pk, "summary": "x"}, **EN)
    assert response.status_code == 422
    assert "contact" in response.context["log_form"].errors


@pytest.mark.django_db
def test_a_plain_post_redirects_to_the_log(cast, client_for, axis):
    response = client_for(cast.team).post(url(cast, "detail", partner_pk=axis["hitech"].pk),
                                          {"channel": "email", "summary": "שלחנו הצעה"})
    assert response.status_code == 302 and response["Location"].endswith("#contact-log")


@pytest.mark.django_db
def test_another_authoritys_partner_is_not_found(cast, client_for):
    theirs = make_partner(cast, "שלהם", authority=cast.other_authority)
    client = client_for(cast.manager)
    for name in ("detail", "edit", "contact_new"):
        assert client.get(url(cast, name, partner_pk=theirs.pk)).status_code == 404
    assert client.post(url(cast, "detail", partner_pk=theirs.pk), {"channel": "call", "summary": "x"}
                       ).status_code == 404
    with scopes_disabled():
        assert not ContactLog.objects.exists()


# ---- the forms -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_partner_born_in_this_emergency(cast, client_for):
    response = client_for(cast.team).post(url(cast, "new"), {
        "name": "  מרכז   מדע ", "kind": "ngo", "is_key": "on", "new_collaboration": "on", "since": "2026-10-09",
        "reminder_days": "", "notes": ""})
    with scopes_disabled():
        partner = Partner.objects.get()
    assert response.status_code == 302 and response["Location"] == url(cast, "detail", partner_pk=partner.pk)
    assert (partner.name, partner.is_key, partner.born_in, partner.since) == (
        "מרכז מדע", True, cast.emergency, date(2026, 10, 9))


@pytest.mark.django_db
@pytest.mark.parametrize("data, field", [
    ({"name": "לשכת ראש העיר", "kind": "municipal"}, "name"),  # the name is taken (ignoring case and spaces)
    ({"name": "חדש", "kind": ""}, "kind"),
    ({"name": "חדש", "kind": "ngo", "reminder_days": "0"}, "reminder_days"),
    ({"name": "חדש", "kind": "ngo", "reminder_days": "400"}, "reminder_days"),
    ({"name": "חדש", "kind": "ngo", "since": "yesterday"}, "since"),
])
def test_a_bad_partner_changes_nothing(cast, client_for, axis, data, field):
    with scopes_disabled():
        count = Partner.objects.count()
    response = client_for(cast.team).post(url(cast, "new"), data, **EN)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    with scopes_disabled():
        assert Partner.objects.count() == count


@pytest.mark.django_db
def test_editing_keeps_history_and_can_retire_a_partner(cast, client_for, axis):
    ngo = axis["ngo"]
    response = client_for(cast.manager).post(url(cast, "edit", partner_pk=ngo.pk), with_version(ngo, {
        "name": ngo.name, "kind": "ngo", "is_decision_maker": "on", "reminder_days": "10", "notes": "הערה"}))
    assert response.status_code == 302
    ngo.refresh_from_db()
    # unticking "new collaboration" and "active" (both absent) takes them off
    assert (ngo.is_decision_maker, ngo.reminder_days, ngo.born_in, ngo.is_active) == (True, 10, None, False)
    with scopes_disabled():
        assert ngo.history.count() == 2 and ngo.history.first().history_user == cast.manager


@pytest.mark.django_db
def test_adding_a_contact_person(cast, client_for, axis):
    client = client_for(cast.team)
    response = client.post(url(cast, "contact_new", partner_pk=axis["hitech"].pk), {
        "name": "יוסי", "role": "מנהל קהילה", "phone": "03-5555555", "email": "yossi@example.org"})
    assert response.status_code == 302
    with scopes_disabled():
        contact = Contact.objects.get(partner=axis["hitech"])
    assert (contact.name, contact.authority) == ("יוסי", cast.authority)
    response = client.post(url(cast, "contact_new", partner_pk=axis["hitech"].pk), {"name": "", "email": "bad"}, **EN)
    assert response.status_code == 422 and set(response.context["form"].errors) == {"name", "email"}


# ---- export ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_csv_and_xlsx(cast, client_for, axis):
    client = client_for(cast.viewer)
    response = client.get(url(cast, "export", fmt="csv"), **EN)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1] == "Name" or rows[0][1].lower() == "name"
    assert rows[1][0].startswith("#")  # the HXL row
    by_name = {row[1]: row for row in rows[2:]}
    assert set(by_name) == {p.name for p in axis.values()}  # inactive partners too, others' never
    mayor = by_name["לשכת ראש העיר"]
    assert "רינה" in mayor[10] and "050-1234567" in mayor[10] and mayor[9] == "yes"

    response = client.get(url(cast, "export", fmt="xlsx"), **EN)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2 + len(axis)
    assert client.get(url(cast, "export", fmt="pdf")).status_code == 404


# ---- achievements ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_achievements_in_two_groups_added_and_updated_in_place(cast, client_for):
    client = client_for(cast.team)
    response = client.post(url(cast, "achievements"), {"kind": "stem", "title": "חוג רובוטיקה", "description": "",
                                                       "status": ""}, **EN, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="achievements"') and "חוג רובוטיקה" in body
    with scopes_disabled():
        robotics = Achievement.objects.get()
    assert (robotics.status, robotics.updated_by) == (AchievementStatus.CONTINUES, cast.team)  # the kind's default
    client.post(url(cast, "achievements"), {"kind": "keep", "title": "שיתוף עם התעשייה", "status": "at_risk"})

    groups = client.get(url(cast, "achievements"), **EN).context["groups"]
    assert [(g["kind"], [a.title for a in g["items"]]) for g in groups] == [
        ("keep", ["שיתוף עם התעשייה"]), ("stem", ["חוג רובוטיקה"])]

    status_url = url(cast, "achievement_status", achievement_pk=robotics.pk)
    response = client.post(status_url, with_version(robotics, status="paused"), **EN, **HTMX)
    assert response.status_code == 200 and "Status saved" in response.content.decode()
    robotics.refresh_from_db()
    assert robotics.status == "paused"
    # "kept" is for an achievement to keep, not for a STEM activity
    response = client.post(status_url, with_version(robotics, status="kept"), **EN, **HTMX)
    assert response.status_code == 422
    robotics.refresh_from_db()
    assert robotics.status == "paused"


@pytest.mark.django_db
def test_a_bad_achievement_is_not_added(cast, client_for):
    client = client_for(cast.team)
    response = client.post(url(cast, "achievements"), {"kind": "keep", "title": "", "status": "continues"}, **EN,
                           **HTMX)
    assert response.status_code == 422
    assert {"title", "status"} <= set(response.context["form"].errors)
    with scopes_disabled():
        assert not Achievement.objects.exists()
        theirs = Achievement.objects.create(authority=cast.other_authority, title="x", kind="keep", status="kept")
    assert client.post(url(cast, "achievement_status", achievement_pk=theirs.pk), {"status": "lost"}).status_code == 404


# ---- evidence --------------------------------------------------------------------------------


def run(cast, provider):
    with scope(authority=cast.authority), translation.override("en"):
        return provider(EvidenceContext(cast.authority, cast.emergency, cast.round)).text


@pytest.mark.django_db
def test_evidence_texts(cast, axis):
    # contacted in this emergency: mayor, education, university, school (the inactive one is not counted)
    assert run(cast, evidence.mutual_responsibility) == "4 of 6 partners were contacted in this emergency"
    # in the last 14 days: mayor (8), education (3); university's is 15 days old
    assert run(cast, evidence.collective_work) == "2 partners were in touch in the last 14 days"
    # existing active partners: all but ngo (born in it) and old (inactive) = 5, of which 4 contacted
    assert run(cast, evidence.partners_kept_and_new) == (
        "4 of 5 existing partners kept in touch; 1 new collaboration born in this emergency")
    # this emergency's: mayor (8 days ago), education, university (15), school; not the two others
    assert run(cast, evidence.links_used).startswith("4 contacts with partners logged in this emergency; the last on ")
    # decision makers within their window: education (3 of 7 days); the mayor is 8 days silent
    assert run(cast, evidence.decision_makers) == "1 of 2 decision makers contacted within their reminder window"


@pytest.mark.django_db
def test_evidence_for_achievements_and_assets(cast):
    assert run(cast, evidence.stem_continues) == "No STEM activity on record yet"
    assert run(cast, evidence.achievements_kept) == "No achievements to keep on record yet"
    assert run(cast, evidence.decision_makers) == "No decision makers marked among the partners yet"
    with scopes_disabled():
        for title, kind, status in [("a", "stem", "continues"), ("b", "stem", "paused"), ("c", "stem", "continues"),
                                    ("d", "keep", "kept"), ("e", "keep", "lost")]:
            Achievement.objects.create(authority=cast.authority, title=title, kind=kind, status=status)
        Achievement.objects.create(authority=cast.other_authority, title="x", kind="keep", status="kept")
        make_partner(cast, "p1")
        make_partner(cast, "p2", is_active=False)
        make_partner(cast, "p3", authority=cast.other_authority)
        for n in range(3):
            Person.objects.create(authority=cast.authority, name=f"person {n}", kind="volunteer")
        Person.objects.create(authority=cast.other_authority, name="theirs", kind="volunteer")
        Facility.objects.create(authority=cast.authority, name="hall", kind="hall")
        FundingSource.objects.create(authority=cast.authority, name="fund", kind="municipal")
        FundingSource.objects.create(authority=cast.authority, name="fund 2", kind="business")
    assert run(cast, evidence.stem_continues) == "2 of 3 STEM activities continue"
    assert run(cast, evidence.achievements_kept) == "1 of 2 achievements kept"
    assert run(cast, evidence.community_assets) == (
        "On record: 1 partner, 3 people, 1 facility, 2 funding sources")


# ---- queries per page ------------------------------------------------------------------------


def _grow(cast, n):
    with scopes_disabled():
        for i in range(n):
            partner = Partner.objects.create(authority=cast.authority, name=f"שותף {n}-{i}", kind="ngo",
                                             is_key=i % 2 == 0, is_decision_maker=i % 3 == 0,
                                             born_in=cast.emergency if i % 4 == 0 else None)
            contact = Contact.objects.create(authority=cast.authority, partner=partner, name=f"איש קשר {i}",
                                             phone="050")
            for days in (1, 20):
                ContactLog.objects.create(authority=cast.authority, partner=partner, contact=contact, summary="x",
                                          happened_at=timezone.now() - timedelta(days=days + i),
                                          created_by=cast.team, emergency=cast.emergency)
            Achievement.objects.create(authority=cast.authority, title=f"הישג {n}-{i}", kind="keep", status="kept",
                                       updated_by=cast.manager)
        # one never contacted each time, so that every page has someone to remind about
        silent = Partner.objects.create(authority=cast.authority, name=f"שותף שקט {n}", kind="industry", is_key=True)
        Contact.objects.create(authority=cast.authority, partner=silent, name="x", phone="03")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["list", "reminders", "detail", "achievements", "overdue"])
def test_queries_per_page_do_not_grow(cast, client_for, page):
    client = client_for(cast.manager)
    _grow(cast, 2)
    with scopes_disabled():
        first = Partner.objects.filter(authority=cast.authority).order_by("pk").first()
    path = {"list": url(cast, "list"), "reminders": url(cast, "reminders"), "achievements": url(cast, "achievements"),
            "detail": url(cast, "detail", partner_pk=first.pk), "overdue": url(cast, "list") + "?overdue=1"}[page]
    client.get(path)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    small = count()
    _grow(cast, 40)
    with scopes_disabled():
        for n in range(30):
            ContactLog.objects.create(authority=cast.authority, partner=first, summary=f"עוד {n}",
                                      created_by=cast.team)
    large = count()
    assert large == small, f"{page}: {small} queries, then {large}"
    assert large <= 14


@pytest.mark.django_db
def test_no_inline_scripts_or_styles(cast, client_for, axis):
    client = client_for(cast.manager)
    for path in (url(cast, "list"), url(cast, "detail", partner_pk=axis["mayor"].pk), url(cast, "achievements"),
                 url(cast, "new"), url(cast, "reminders")):
        body = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), path
        assert ' style="' not in body, path
