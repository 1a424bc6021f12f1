""""How long ago" in words: a plural form for each number in each language, "just now" instead of a zero.

Django's own `naturaltime` read "منذ 5 ساعة" in Arabic (one form for every number) and `timesince` "0 דקות" in
Hebrew. `hosen.relative_time.time_ago` counts through Hosen's own catalogs with `ngettext`.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone, translation

from hosen import relative_time
from hosen.relative_time import time_ago

NOW = timezone.now()
COUNTS = [0, 1, 2, 3, 5, 11, 100]


def ago(**delta):
    return time_ago(NOW - timedelta(**delta), now=NOW)


@pytest.mark.parametrize("minutes, expected", [
    (0, "just now"), (1, "1 minute ago"), (2, "2 minutes ago"), (3, "3 minutes ago"), (5, "5 minutes ago"),
    (11, "11 minutes ago"), (100, "1 hour ago"),
])
def test_minutes_in_english(minutes, expected):
    with translation.override("en"):
        assert ago(minutes=minutes, seconds=5) == expected


@pytest.mark.parametrize("hours, expected", [
    (1, "1 hour ago"), (2, "2 hours ago"), (3, "3 hours ago"), (5, "5 hours ago"), (11, "11 hours ago"),
    (100, "4 days ago"),
])
def test_hours_and_days_in_english(hours, expected):
    with translation.override("en"):
        assert ago(hours=hours) == expected


def test_seconds_and_a_clock_a_little_ahead_read_as_just_now():
    with translation.override("en"):
        assert ago(seconds=59) == "just now"
        assert time_ago(NOW + timedelta(seconds=30), now=NOW) == "just now"
        assert time_ago(None) == ""


def test_a_month_and_more_shows_the_date():
    with translation.override("en"):
        when = NOW - timedelta(days=45)
        assert time_ago(when, now=NOW) == "on " + timezone.localtime(when).strftime("%-d.%-m.%Y")


@pytest.mark.parametrize("language", ["he", "ar", "en"])
def test_every_count_goes_through_ngettext_with_the_number_itself(language):
    """The number decides the plural form in each language (Arabic's few/many, Hebrew's two and tens)."""
    calls = []

    def recording(singular, plural, number):
        calls.append((singular, number))
        return translation.ngettext(singular, plural, number)

    with translation.override(language), mock.patch.object(relative_time, "ngettext", recording):
        for n in COUNTS:
            ago(minutes=n, seconds=5)
            ago(hours=n, seconds=5)
    # 0 is "just now" (no count at all); 100 minutes is 1 hour, 100 hours 4 days.
    by_msgid = {}
    for singular, n in calls:
        by_msgid.setdefault(singular, []).append(n)
    assert by_msgid["%(count)d minute ago"] == [1, 2, 3, 5, 11]
    assert by_msgid["%(count)d hour ago"] == [1, 2, 3, 5, 11, 1]
    assert by_msgid["%(count)d day ago"] == [4]


def _translated(language):
    with translation.override(language):
        return translation.ngettext("%(count)d minute ago", "%(count)d minutes ago", 5) != "%(count)d minutes ago"


# Needs the compiled catalogs with these messages (tests/test_catalogs.py requires every message translated,
# so once they are compiled this runs in every suite).
@pytest.mark.skipif(not (_translated("he") and _translated("ar")), reason="catalogs not yet compiled")
@pytest.mark.parametrize("language", ["he", "ar"])
def test_hebrew_and_arabic_use_their_own_plural_forms(language):
    with translation.override("en"):
        english = {n: ago(minutes=n, seconds=5) for n in COUNTS}
    with translation.override(language):
        shown = {n: ago(minutes=n, seconds=5) for n in COUNTS}
    for n in COUNTS:
        assert shown[n] != english[n]
        assert "0" not in shown[0]  # "just now", never "0 minutes"
    assert shown[1] != shown[5].replace("5", "1")  # one minute is not "1 minutes"
    assert shown[2] != shown[5].replace("5", "2")  # Hebrew and Arabic both have a form for two
    if language == "ar":
        assert shown[5].replace("5", "11") != shown[11]  # few (3–10) and many (11–99) differ


# ---- on the pages --------------------------------------------------------------------------------


def _report(cast, name, **ago_delta):
    from django_scopes import scopes_disabled

    from hosen.field.models import Site, SiteState, SiteStatus

    with scopes_disabled():
        site = Site.objects.create(authority=cast.authority, name=name, kind="school")
        SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site,
                                  status=SiteState.OPEN, reported_at=timezone.now() - timedelta(**ago_delta))
    return site


@pytest.mark.django_db
def test_the_site_board_and_a_site_page_say_just_now_and_count_hours(cast, client_for):
    fresh = _report(cast, "בית ספר אלון", seconds=20)
    _report(cast, "בית ספר תמר", hours=5, minutes=3)
    client = client_for(cast.viewer)
    board = client.get(f"/a/{cast.authority.slug}/sites/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "updated just now" in board and "updated 5 hours ago" in board
    assert "seconds ago" not in board
    page = client.get(f"/a/{cast.authority.slug}/sites/{fresh.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">just now</time>" in page


@pytest.mark.django_db
def test_a_need_card_says_just_now_not_zero_minutes(cast, client_for):
    from django_scopes import scopes_disabled

    from hosen.field.models import Need, NeedStatus

    with scopes_disabled():
        for description, age in (("צורך חדש", timedelta(seconds=10)), ("צורך ישן", timedelta(hours=2))):
            Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                category="equipment", description=description, urgency=2, status=NeedStatus.OPEN,
                                created_at=timezone.now() - age)
    body = client_for(cast.viewer).get(f"/a/{cast.authority.slug}/needs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">just now</time>" in body and ">2 hours ago</time>" in body
    assert "0 minutes" not in body


@pytest.mark.django_db
def test_protected_space_for_one_person_is_singular(cast, client_for):
    from django_scopes import scopes_disabled

    from hosen.field.models import Site

    with scopes_disabled():
        site = Site.objects.create(authority=cast.authority, name="גן", kind="school", has_protected_space=True,
                                   protected_capacity=1)
    client = client_for(cast.viewer)
    board = client.get(f"/a/{cast.authority.slug}/sites/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page = client.get(f"/a/{cast.authority.slug}/sites/{site.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "for 1 person" in board and "for 1 person" in page
    assert "1 people" not in board + page


@pytest.mark.django_db
def test_a_protected_facility_for_one_person_is_singular_in_the_totals(cast, client_for):
    from django_scopes import scopes_disabled

    from hosen.resources.models import Facility

    with scopes_disabled():
        Facility.objects.create(authority=cast.authority, name="מקלט", kind="hall", capacity=1, is_protected=True)
    body = client_for(cast.viewer).get(f"/a/{cast.authority.slug}/facilities/",
                                       HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(for 1 person)" in body and "1 people" not in body
