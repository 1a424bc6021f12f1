"""Phone numbers and e-mail addresses out of the texts donors see, however they are written; ordinary
numbers (dates, times, quantities, money) left as they are. The property tests write a contact in every way
a keyboard allows and hide it in Hebrew, Arabic or English text."""

import csv
import io
import unicodedata

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hosen.field.models import Need, NeedStatus
from hosen.redaction import REMOVED, redact
from hosen.resources.models import DonorLink

# ---- examples people wrote -----------------------------------------------------------------------

CONTACTS = [
    "050–123–4567",  # en dashes
    "050—123—4567",  # em dashes
    "050\u2011123\u20114567",  # non-breaking hyphens
    "050\u2010123\u20104567",  # hyphens
    "050\u2212123\u22124567",  # minus signs
    "050\u05be123\u05be4567",  # Hebrew maqaf
    "050·123·4567",  # middle dots
    "050•123•4567",
    "050_123_4567",
    "050/1234567",
    "050 123 4567",
    "050\u00a0123\u00a04567",  # no-break spaces
    "050\u2009123\u202f4567",  # thin and narrow no-break spaces
    "050 - 123 - 4567",
    "(050) 123-4567",
    "0501234567",
    "٠٥٠-١٢٣-٤٥٦٧",  # Arabic-Indic digits
    "۰۵۰-۱۲۳-۴۵۶۷",  # Extended Arabic-Indic digits
    "０５０－１２３－４５６７",  # fullwidth
    "050\u200f-123\u200e-45\u20666\u20697",  # direction marks inside the number
    "+972-50-123-4567",
    "+972 (0)50 123 4567",
    "00972-50-1234567",
    "972-50-1234567",
    "02-6543210",
    "04 812 3456",
    "077-1234567",
    "1-800-123-456",
    "+44 20 7946 0958",
    "+1 (212) 555-1234",
    "0049 30 12345678",
    "123-4567",
    "dana@school.org.il",
    "dana.levi+needs@school.org.il",
    "DANA@SCHOOL.ORG.IL",
    "dana＠school．org．il",
    "dana﹫school.org.il",
    "dana @ school . org . il",
    "dana [at] school [dot] org [dot] il",
    "dana(at)school(dot)org",
    "dana at school dot org dot il",
    "dana at school.org.il",
    "dana{at}school.org",
    "dana\u200f@\u200eschool.org.il",
    "dana שטרודל school נקודה org נקודה il",
]


@pytest.mark.parametrize("contact", CONTACTS)
@pytest.mark.parametrize("around", ["{}", "call Dana {} today", "להתקשר לדנה {} בבקשה", "اتصلوا {} شكرا",
                                    "טלפון:{}", "({})", "{}."])
def test_a_contact_is_removed_however_it_is_written(contact, around):
    text = around.format(contact)
    result = redact(text)
    assert result == around.format(REMOVED), (text, result)


ORDINARY = [
    "30 laptops for grade 8, 2026",
    "rooms 12-14 and 101",
    "200 tablets by 12.03.2026",
    "from 12/03/2026 to 15/03/2026",
    "2026-03-12",
    "the 12.03.2026–15.03.2026 week",
    "years 2024–2026",
    "at 10:30",
    "between 10.30-12.30",
    "03.12.26 10.30",
    "on 12.3 at 08.00",
    "5,000 ₪",
    "a budget of 1,250,000 ₪",
    "5000000 ₪",
    "₪ 2500000",
    "3000000 ש\"ח",
    "shoe sizes 36 38 40 42",
    "grades 7 8 9 10 11 12",
    "2 x 500 ml",
    "10% of 3,500 students",
    "we meet at school. Come early",
    "חדר 101, קומה 2",
    "קבוצה של 25 תלמידים, 3 מורים",
    "٢٠٠ جهاز لوحي",
    "@school_channel on Telegram",
    "room A-12, building 3",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_numbers_and_words_stay_as_written(text):
    assert redact(text) == text


def test_only_the_contact_goes_the_rest_stays_to_the_character():
    text = "\u200fצריך 200 טאבלטים עד 12.03.2026; דנה: 050–123–4567, dana@school.org.il (10:30)"
    assert redact(text) == "\u200fצריך 200 טאבלטים עד 12.03.2026; דנה: […], […] (10:30)"


@pytest.mark.parametrize("text", ["a" * 5000, "x." * 2500, "a @ " * 1250, "1.12 " * 1000, "12.12." * 830 + "99",
                                  "(0)" * 1666, "dana at school dot " * 270])
def test_a_long_odd_text_takes_milliseconds_not_seconds(text):
    """A description is at most 5,000 characters; whatever they are, the donors' list must not stall on it."""
    import time

    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 0.5


def test_empty_and_none():
    assert redact(None) == "" and redact("") == ""


# ---- properties ----------------------------------------------------------------------------------

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u05be"
SPACES = " \u00a0\u2009\u202f\u2007\u3000"
OTHER_SEPARATORS = ".·•_/"
BIDI = "\u200e\u200f\u061c\u2066\u2067\u2068\u2069\u202a\u202b\u202c"
DIGIT_SCRIPTS = ["0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "０１２３４５６７８９"]

HEBREW = st.text(alphabet="אבגדהוזחטיכלמנסעפצקרשת", min_size=1, max_size=8)
ARABIC = st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي", min_size=1, max_size=8)
ENGLISH = st.sampled_from(["call", "Dana", "the", "laptops", "for", "school", "please", "needs", "room", "urgent",
                           "parents", "tablets", "phone", "write", "to", "or", "and", "soon"])
WORDS = st.lists(st.one_of(HEBREW, ARABIC, ENGLISH), max_size=6).map(" ".join)
GLUE = st.sampled_from([" ", ": ", " (", "\n", " - ", ", ", " \u200f", "\u00a0"])


@st.composite
def separator(draw):
    """What stands between two groups of a number: nothing, one mark, or a mark with spaces around it."""
    mark = draw(st.sampled_from(["", *DASHES, *SPACES, *OTHER_SEPARATORS]))
    if mark and mark not in SPACES and draw(st.booleans()):
        space = draw(st.sampled_from(SPACES))
        mark = f"{space}{mark}{space}"
    return mark


@st.composite
def phone_number(draw):
    """(how it is written, its national digits): an Israeli mobile or landline, nationally or with the
    country code, or a number abroad with its "+" or "00"."""
    kind = draw(st.sampled_from(["mobile", "landline", "abroad"]))
    if kind == "mobile":
        national = "05" + draw(st.sampled_from("0234589")) + draw(st.text("0123456789", min_size=7, max_size=7))
        groups = [national[:3], national[3:6], national[6:]] if draw(st.booleans()) else [national[:3],
                                                                                             national[3:]]
    elif kind == "landline":
        national = "0" + draw(st.sampled_from("234689")) + draw(st.text("0123456789", min_size=7, max_size=7))
        groups = [national[:2], national[2:5], national[5:]] if draw(st.booleans()) else [national[:2],
                                                                                             national[2:]]
    else:
        country = draw(st.sampled_from(["1", "44", "33", "49", "7", "380", "251"]))
        rest = draw(st.text("123456789", min_size=1, max_size=1)) + draw(st.text("0123456789", min_size=7,
                                                                                  max_size=9))
        groups = [draw(st.sampled_from(["+", "00"])) + country, rest[:3], rest[3:]]
        national = rest
    if kind != "abroad" and draw(st.booleans()):  # with the country code: +972 50…, 00972 (0)50…, 972-50…
        prefix = draw(st.sampled_from(["+972", "00972", "972"]))
        first = groups[0][1:]
        if draw(st.booleans()):
            first = "(0)" + first
        groups = [prefix, first, *groups[1:]]
    if draw(st.booleans()) and kind != "abroad" and not groups[0].startswith(("+", "00", "97")):
        groups[0] = f"({groups[0]})"
    written = groups[0]
    for group in groups[1:]:
        written += draw(separator()) + group
    digits = dict(zip("0123456789", draw(st.sampled_from(DIGIT_SCRIPTS)), strict=True))
    written = "".join(digits.get(c, c) for c in written)
    # Direction marks anywhere inside, as pasting between right-to-left and left-to-right text leaves them.
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(1, len(written) - 1))
        written = written[:at] + draw(st.sampled_from(BIDI)) + written[at:]
    return written, national


@st.composite
def email_address(draw):
    """(how it is written, its name part): with "@", "＠", "[at]", "(at)", " at ", " @ ", and dots the same."""
    name = draw(st.from_regex(r"[a-z]{2,6}[0-9]{1,3}([._+-][a-z]{1,5})?", fullmatch=True))
    labels = draw(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]", fullmatch=True), min_size=1, max_size=3))
    tld = draw(st.sampled_from(["com", "org", "il", "net", "ac", "muni"]))
    at, dot = draw(st.sampled_from([("@", "."), ("＠", "．"), (" @ ", " . "), ("[at]", "[dot]"), (" (at) ", " (dot) "),
                                    (" at ", " dot "), (" at ", "."), ("{at}", "{dot}"), ("@", " dot "),
                                    ("\u200f@\u200e", "."), (" שטרודל ", " נקודה ")]))
    if draw(st.booleans()):
        name = name.upper()
    return name + at + dot.join([*labels, tld]), name


def _digits_only(text):
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdigit())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=WORDS, glue_before=GLUE, contact=phone_number(), glue_after=GLUE, after=WORDS)
def test_no_phone_number_survives(before, glue_before, contact, glue_after, after):
    written, national = contact
    result = redact(before + glue_before + written + glue_after + after)
    # The words around have no digits: any digit left would be a piece of the number.
    assert _digits_only(result) == "", (written, result)
    assert national[-7:] not in _digits_only(result)
    assert before in result and after in result


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=WORDS, glue_before=GLUE, contact=email_address(), glue_after=GLUE, after=WORDS)
def test_no_email_address_survives(before, glue_before, contact, glue_after, after):
    written, name = contact
    result = redact(before + glue_before + written + glue_after + after)
    assert name.casefold() not in unicodedata.normalize("NFKC", result).casefold(), (written, result)
    assert "@" not in unicodedata.normalize("NFKC", result)
    assert before.split(" ")[0] in result and after.split(" ")[-1] in result


DAY, MONTH = st.integers(1, 31).map(str), st.integers(1, 12).map(str)
ORDINARY_NUMBER = st.one_of(
    st.builds(lambda d, m, y, s: s.join([d, m, y]), DAY, MONTH, st.integers(2000, 2040).map(str),
              st.sampled_from("./-")),
    st.builds(lambda d, m: f"{d}.{m}", DAY, MONTH),
    st.builds(lambda h, m: f"{h}:{m:02d}", st.integers(0, 23), st.integers(0, 59)),
    st.builds(lambda h, m: f"{h}.{m:02d}", st.integers(0, 23), st.integers(0, 59)),
    st.integers(1900, 2099).map(str),
    st.builds(lambda a, b: f"{a}–{b}", st.integers(1990, 2030), st.integers(1990, 2030)),
    st.builds(lambda n, u: f"{n} {u}", st.integers(1, 999), st.sampled_from(["tablets", "טאבלטים", "حقيبة", "ml"])),
    st.integers(1, 10**9).map(lambda n: f"{n:,} ₪"),
    st.integers(1, 10**9).map(lambda n: f"₪{n:,}"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORDS, ORDINARY_NUMBER), max_size=5).map(
    lambda parts: " ".join(f"{words} {number}," for words, number in parts)))
def test_a_text_without_contacts_comes_back_unchanged(text):
    assert redact(text) == text


# ---- through the donors' list --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_donors_list_and_its_downloads_show_no_contact_however_written(cast, client_for):
    description = ("Tablets, 200 by 12.03.2026. Call Dana 050–123–4567 or 052\u2011765\u20114321 or 054·111·2222 "
                   "or 053_333_4444, or ٠٥٠١٢٣٤٥٦٨, or write dana＠school.org.il / dana at school dot org dot il")
    with scopes_disabled():
        Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                            category="equipment", description=description, urgency=2, status=NeedStatus.OPEN)
        link = DonorLink.objects.create(authority=cast.authority, emergency=cast.emergency)
    client = client_for(None)
    page = client.get(reverse("resources_public:donors", kwargs={"donor_token": link.token}),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    csv_file = client.get(reverse("resources_public:donors_download",
                                  kwargs={"donor_token": link.token, "fmt": "csv"})).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_file)))
    shown = [row for row in rows if any("Tablets" in cell for cell in row)]
    assert shown, rows
    for text in (page, " ".join(shown[0])):
        assert "Tablets, 200 by 12.03.2026." in text
        for digits in ("1234567", "7654321", "1112222", "3334444", "٥٠١٢٣٤٥٦٨"):
            assert digits not in _digits_only(text) and digits not in text
        for address in ("school.org", "school dot", "＠"):
            assert address not in text
