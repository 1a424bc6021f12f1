"""Local times across the clock changes, through the real forms and exports.

In Asia/Jerusalem in 2026 the clocks go forward on Friday 27 March at 02:00 (to 03:00) and back on Sunday
25 October at 02:00 (to 01:00): 01:30 on 25.10.2026 happens twice — first at +03:00 (22:30 UTC the day
before), then at +02:00 (23:30 UTC) — and 02:30 on 27.3.2026 never happens."""

import csv
import io
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from hosen.partners.models import ContactLog, Partner
from hosen.reports import tabular
from hosen.situation.models import EntryKind, LogEntry
from hosen.timefields import LocalDateTimeField

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}
JERUSALEM = ZoneInfo("Asia/Jerusalem")
TWICE = "2026-10-25T01:30"
FIRST_UTC = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)
SECOND_UTC = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
SKIPPED = "2026-03-27T02:30"


def room(cast, name="room", **kwargs):
    return reverse(f"situation:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def partner_url(cast, name, **kwargs):
    return reverse(f"partners:{name}", kwargs={"authority_slug": cast.authority.slug, **kwargs})


def entries():
    with scopes_disabled():
        return list(LogEntry.objects.order_by("pk"))


class FormFields(HTMLParser):
    """The values a browser would post from the page's forms: inputs (checked radios and checkboxes only),
    textareas and selected options, by name. The page's own markup, read back as it is."""

    def __init__(self):
        super().__init__()
        self.values, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    self.values[name] = a.get("value", "on")
            elif a.get("type") != "submit":
                self.values[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def posted_back(html):
    parser = FormFields()
    parser.feed(html)
    return parser.values


def test_the_2026_transitions_are_where_the_tests_expect_them():
    first = datetime(2026, 10, 25, 1, 30, tzinfo=JERUSALEM)
    second = first.replace(fold=1)
    assert (first.astimezone(UTC), second.astimezone(UTC)) == (FIRST_UTC, SECOND_UTC)
    assert (first.utcoffset().total_seconds(), second.utcoffset().total_seconds()) == (3 * 3600, 2 * 3600)
    skipped = datetime(2026, 3, 27, 2, 30, tzinfo=JERUSALEM)
    assert skipped.astimezone(UTC).astimezone(JERUSALEM).hour == 3  # 02:30 is not a time that day


# ---- the situation room --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("occurrence, moment", [("first", FIRST_UTC), ("second", SECOND_UTC)])
def test_the_repeated_hour_is_logged_as_the_occurrence_chosen(cast, client_for, occurrence, moment):
    response = client_for(cast.team).post(room(cast), {
        "kind": "event", "text": "אזעקה", "happened_at": TWICE, "happened_at_occurrence": occurrence})
    assert response.status_code == 302
    [added] = entries()
    assert added.happened_at == moment


@pytest.mark.django_db
def test_a_task_due_in_the_repeated_hour_keeps_its_occurrence(cast, client_for):
    client = client_for(cast.manager)
    client.post(room(cast), {"kind": "task", "text": "לבדוק", "due_at": TWICE, "due_at_occurrence": "second"})
    client.post(room(cast), {"kind": "task", "text": "לבדוק שוב", "due_at": TWICE, "due_at_occurrence": "first"})
    assert [e.due_at for e in entries()] == [SECOND_UTC, FIRST_UTC]


@pytest.mark.django_db
def test_the_repeated_hour_without_a_choice_asks_and_saves_nothing(cast, client_for):
    response = client_for(cast.team).post(room(cast), {"kind": "event", "text": "אזעקה", "happened_at": TWICE},
                                          **EN)
    assert response.status_code == 422
    assert response.context["form"].errors["happened_at"] == [
        "01:30 on 25.10.2026 happens twice, because the clocks go back an hour that night. "
        "Choose which one you mean."]
    body = response.content.decode()
    # the re-rendered form offers the two, with their offsets, and keeps what was typed
    assert "On 25.10.2026 the clocks go back an hour, so 01:30 happens twice. Which one?" in body
    assert 'name="happened_at_occurrence" value="first"' in body
    assert 'name="happened_at_occurrence" value="second"' in body
    assert "summer time" in body and "UTC+03:00" in body and "winter time" in body and "UTC+02:00" in body
    assert f'value="{TWICE}"' in body and "אזעקה" in body
    assert entries() == []

    # what the page offers is what the next post needs: choosing one saves it
    values = posted_back(body)
    assert values["happened_at"] == TWICE and "happened_at_occurrence" not in values  # nothing chosen for her
    values["happened_at_occurrence"] = "second"
    assert client_for(cast.team).post(room(cast), values).status_code == 302
    assert [e.happened_at for e in entries()] == [SECOND_UTC]


@pytest.mark.django_db
def test_the_question_comes_back_in_place_with_htmx(cast, client_for):
    response = client_for(cast.team).post(room(cast), {"kind": "event", "text": "אזעקה", "happened_at": TWICE},
                                          **EN, **HTMX)
    assert response.status_code == 422 and response["HX-Retarget"] == "#quick-add"
    body = response.content.decode()
    assert "happens twice" in body and 'name="happened_at_occurrence"' in body
    assert entries() == []


@pytest.mark.django_db
def test_an_ordinary_time_shows_no_choice_and_ignores_a_stray_one(cast, client_for):
    client = client_for(cast.team)
    assert "_occurrence" not in client.get(room(cast), **EN).content.decode()
    response = client.post(room(cast), {"kind": "event", "text": "רגיל", "happened_at": "2026-10-25T02:30",
                                        "happened_at_occurrence": "first"})
    assert response.status_code == 302
    # 02:30 on the autumn night is once only, in winter time
    assert [e.happened_at for e in entries()] == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]


@pytest.mark.django_db
def test_the_skipped_spring_hour_is_refused_with_the_time_an_hour_later(cast, client_for):
    response = client_for(cast.team).post(room(cast), {"kind": "event", "text": "אזעקה", "happened_at": SKIPPED,
                                                       "happened_at_occurrence": "first"}, **EN)
    assert response.status_code == 422
    assert response.context["form"].errors["happened_at"] == [
        "02:30 on 27.3.2026 does not exist: the clocks go forward an hour that night. Did you mean 03:30?"]
    assert "_occurrence" not in response.content.decode()  # nothing to choose: there is no such time
    assert entries() == []
    client_for(cast.team).post(room(cast), {"kind": "event", "text": "אזעקה", "happened_at": "2026-03-27T03:30"})
    assert [e.happened_at for e in entries()] == [datetime(2026, 3, 27, 0, 30, tzinfo=UTC)]


@pytest.mark.django_db
@pytest.mark.parametrize("moment, checked", [(FIRST_UTC, "first"), (SECOND_UTC, "second")])
def test_a_correction_shows_which_occurrence_and_a_plain_save_keeps_it(cast, client_for, moment, checked):
    with scopes_disabled():
        entry = LogEntry.objects.create(authority=cast.authority, emergency=cast.emergency, kind=EntryKind.EVENT,
                                        text="אזעקה בלילה", happened_at=moment)
    client = client_for(cast.manager)
    edit = room(cast, "entry_edit", entry_pk=entry.pk)
    body = client.get(edit, **EN).content.decode()
    values = posted_back(body)
    assert values["happened_at"] == TWICE and values["happened_at_occurrence"] == checked
    values["text"] = "אזעקה בלילה, תוקן"
    assert client.post(edit, values).status_code == 302
    entry.refresh_from_db()
    assert (entry.text, entry.happened_at) == ("אזעקה בלילה, תוקן", moment)


# ---- the partners' contact log ---------------------------------------------------------------------


@pytest.fixture
def partners(cast):
    with scopes_disabled():
        return [Partner.objects.create(authority=cast.authority, name=name, kind="ngo", since=date(2026, 1, 4))
                for name in ("עמותה ראשונה", "עמותה שנייה")]


@pytest.mark.django_db
def test_a_contact_in_the_repeated_hour_needs_the_choice_and_keeps_it(cast, client_for, partners):
    client = client_for(cast.team)
    detail = partner_url(cast, "detail", partner_pk=partners[0].pk)
    data = {"channel": "call", "summary": "שיחת לילה", "happened_at": TWICE}
    response = client.post(detail, data, **EN, **HTMX)
    assert response.status_code == 422
    assert "happens twice" in response.content.decode()
    with scopes_disabled():
        assert not ContactLog.objects.exists()
    assert client.post(detail, {**data, "happened_at_occurrence": "first"}).status_code == 302
    with scopes_disabled():
        assert [log.happened_at for log in ContactLog.objects.all()] == [FIRST_UTC]


# ---- exports ---------------------------------------------------------------------------------------


def _log_contacts(cast, client_for, partners):
    client = client_for(cast.team)
    for partner, occurrence in zip(partners, ("first", "second"), strict=True):
        response = client.post(partner_url(cast, "detail", partner_pk=partner.pk), {
            "channel": "call", "summary": "שיחת לילה", "happened_at": TWICE, "happened_at_occurrence": occurrence})
        assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_the_csv_export_writes_times_with_their_offset(cast, client_for, partners):
    client = _log_contacts(cast, client_for, partners)
    response = client.get(partner_url(cast, "export", fmt="csv"), **EN)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, data = rows[0], rows[2:]
    by_name = {row[header.index("name")]: dict(zip(header, row, strict=True)) for row in data}
    first, second = (by_name[p.name]["last contact"] for p in partners)
    assert (first, second) == ("2026-10-25T01:30:00+03:00", "2026-10-25T01:30:00+02:00")
    assert (datetime.fromisoformat(first), datetime.fromisoformat(second)) == (FIRST_UTC, SECOND_UTC)
    assert by_name[partners[0].name]["partner since"] == "2026-01-04"  # a date stays a date


@pytest.mark.django_db
def test_the_excel_export_writes_times_as_iso_text_and_dates_as_dates(cast, client_for, partners):
    client = _log_contacts(cast, client_for, partners)
    sheet = load_workbook(io.BytesIO(client.get(partner_url(cast, "export", fmt="xlsx"), **EN).content)).active
    header = [c.value for c in sheet[1]]
    by_name = {row[header.index("name")].value: row for row in sheet.iter_rows(min_row=3)}
    contact = [by_name[p.name][header.index("last contact")] for p in partners]
    assert [c.value for c in contact] == ["2026-10-25T01:30:00+03:00", "2026-10-25T01:30:00+02:00"]
    assert {c.data_type for c in contact} == {"s"}
    assert [datetime.fromisoformat(c.value) for c in contact] == [FIRST_UTC, SECOND_UTC]
    since = by_name[partners[0].name][header.index("partner since")]
    assert since.is_date and since.value.date() == date(2026, 1, 4)


def test_a_winter_and_a_summer_time_in_the_local_offset():
    with timezone.override("Asia/Jerusalem"):
        assert tabular.iso_local(datetime(2026, 7, 1, 9, 0, 5, 123456, tzinfo=UTC)) == "2026-07-01T12:00:05+03:00"
        assert tabular.iso_local(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == "2026-12-01T11:00:00+02:00"


# ---- the field where no choice can be offered (a row of an imported file) ----------------------------


class RowForm(forms.Form):
    when = LocalDateTimeField(error_messages={
        "ambiguous_time": "%(time)s on %(date)s happens twice: write %(first)s or %(second)s."})


def test_a_row_without_a_choice_gets_its_own_message_and_an_offset_settles_it():
    with timezone.override("Asia/Jerusalem"):
        row = RowForm({"when": "2026-10-25 01:30"})
        assert not row.is_valid()
        assert row.errors["when"] == [
            "01:30 on 25.10.2026 happens twice: write 2026-10-25T01:30:00+03:00 or 2026-10-25T01:30:00+02:00."]
        for text, moment in (("2026-10-25T01:30:00+03:00", FIRST_UTC), ("2026-10-25T01:30:00+02:00", SECOND_UTC)):
            row = RowForm({"when": text})
            assert row.is_valid() and row.cleaned_data["when"] == moment
