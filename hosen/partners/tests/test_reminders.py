"""The reminder rule, `needs_contact`, against cases worked by hand (see its docstring for the rule)."""

from datetime import UTC, datetime, timedelta

import pytest

from hosen.partners.models import Partner, needs_contact

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def partner(key=False, decision=False, days=None, active=True):
    return Partner(name="p", kind="ngo", is_key=key, is_decision_maker=decision, reminder_days=days,
                   is_active=active)


def ago(days, extra=timedelta(0)):
    return NOW - timedelta(days=days) + extra


@pytest.mark.parametrize("who, last, due", [
    # a key partner: 14 days by default; exactly 14 days is due, a second less is not
    (partner(key=True), ago(14), True),
    (partner(key=True), ago(14, SECOND), False),
    (partner(key=True), ago(30), True),
    (partner(key=True), ago(0), False),
    # a decision maker: 7 days
    (partner(decision=True), ago(7), True),
    (partner(decision=True), ago(7, SECOND), False),
    (partner(decision=True), ago(10), True),
    # both: the decision maker's shorter window
    (partner(key=True, decision=True), ago(7), True),
    (partner(key=True, decision=True), ago(6), False),
    # a window of its own wins over the default, either way
    (partner(key=True, days=3), ago(3), True),
    (partner(key=True, days=3), ago(3, SECOND), False),
    (partner(decision=True, days=30), ago(10), False),
    (partner(decision=True, days=30), ago(30), True),
    # never contacted: due at once
    (partner(key=True), None, True),
    (partner(decision=True), None, True),
    # neither key nor a decision maker: never, whatever the silence or the window
    (partner(), None, False),
    (partner(), ago(400), False),
    (partner(days=1), ago(5), False),
    # an inactive partner is never due
    (partner(key=True, decision=True, active=False), None, False),
    (partner(key=True, active=False), ago(100), False),
    # a contact logged with a clock ahead of ours is a recent one
    (partner(decision=True), NOW + timedelta(hours=1), False),
])
def test_needs_contact(who, last, due):
    assert needs_contact(who, last, NOW) is due


def test_the_window_in_days():
    assert partner(key=True).window_days == 14
    assert partner(decision=True).window_days == 7
    assert partner(key=True, decision=True).window_days == 7
    assert partner(key=True, days=21).window_days == 21
    assert partner().window_days == 14
