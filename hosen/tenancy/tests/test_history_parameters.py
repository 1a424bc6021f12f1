"""The history page's parameters: a bad value gets a note in the user's language and is ignored, never a 500."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HISTORY = "/a/{slug}/history/"

# Date-like text (well-formed but possibly impossible: day 30 of February, hour 25, offset +99:00) and any text.
DATE_LIKE = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}{}".format,
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 61),
    st.sampled_from(["", "Z", "+14:00", "-14:00", "+99:00", ":00.999999+02:00"]),
)
VALUES = st.one_of(DATE_LIKE, st.text(max_size=40), st.sampled_from(["workmodel.round", "accounts.user", ""]))


def _manager(cast):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_login(cast.manager)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("before", [
    "2026-02-30T10:00",  # the day does not exist
    "2026-13-01T10:00", "2026-10-07T25:00", "yesterday", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
    "2026-10-07T10:00:00+99:00", "\x00", "2026-03-27T02:30",  # the hour Israel's clocks skip
])
def test_a_bad_before_is_ignored_with_a_note(cast, before):
    response = _manager(cast).get(HISTORY.format(slug=cast.authority.slug), {"before": before})
    assert response.status_code == 200
    body = response.content.decode()
    assert "not one this page can show" in body
    assert "History of changes" in body


@pytest.mark.django_db
def test_an_unknown_kind_of_record_is_ignored_with_a_note(cast):
    response = _manager(cast).get(HISTORY.format(slug=cast.authority.slug), {"kind": "accounts.user"})
    assert response.status_code == 200
    assert "no such kind of record" in response.content.decode()


@pytest.mark.django_db
def test_good_parameters_page_back_without_a_note(cast):
    client = _manager(cast)
    for before in ["2026-10-07T10:00", "2026-10-07T10:00:00.123456+00:00", "2030-01-01"]:
        response = client.get(HISTORY.format(slug=cast.authority.slug), {"before": before, "kind": "workmodel.round"})
        assert response.status_code == 200
        assert "class=\"msg" not in response.content.decode().split("<main", 1)[1].split("History of changes")[0]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(["before", "kind", "page", "other"]), VALUES, max_size=3))
def test_no_parameters_answer_500(cast, params):
    response = _manager(cast).get(HISTORY.format(slug=cast.authority.slug), params)
    assert response.status_code == 200, params
