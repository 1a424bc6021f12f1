"""The matcher: scores and reasons worked by hand, the numpy scores against the plain ones, and the
assignment's properties (no resource twice, only candidate edges, never worse than greedy, optimal on
small cases)."""

from datetime import date, timedelta

import numpy as np
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hosen.resources import matching as m
from hosen.resources.matching import FacilityData, FundingData, NeedData, PersonData

TODAY = date(2026, 10, 20)
COUNSELLING = ("Counselling", frozenset({"emotional"}))
TEACHING = ("Teaching", frozenset({"learning", "staff"}))
TECH = ("Tech support", frozenset({"equipment"}))
DRIVING = ("Driving", frozenset({"transport", "food"}))


def codes(match):
    return [r.code for r in match.reasons]


# ---- the constants mirror the models ------------------------------------------------------------


def test_the_plain_values_are_the_models_values():
    from hosen.field.models import NeedCategory, Urgency
    from hosen.resources.models import LANGUAGE_CHOICES, Availability, FundingStatus

    assert set(m.CATEGORIES) == set(NeedCategory.values)
    assert {m.AVAILABLE, m.PARTLY, m.UNAVAILABLE, m.UNKNOWN} == set(Availability.values)
    assert {m.RECEIVED, m.APPROVED, m.REQUESTED, m.IDENTIFIED, m.REJECTED} == set(FundingStatus.values)
    assert m.URGENT_FROM == Urgency.HIGH
    assert set(m.LANGUAGE_BITS) == {code for code, _label in LANGUAGE_CHOICES}


# ---- scores worked by hand ------------------------------------------------------------------------


def test_person_score_adds_up_by_hand():
    need = NeedData(id=1, category="emotional", urgency=4, area="מזרח", language="ar")
    person = PersonData(id=7, skills=(COUNSELLING, ("Art therapy", frozenset({"emotional"})), TECH),
                        availability="available", area=" מזרח ", languages=frozenset({"he", "ar"}), load=1)
    match = m.score_person(need, person)
    # skills 6 + 1 (a second fitting skill) + available 3 + area 2 + Arabic 1 - one allocation 2 = 11
    assert match.score == 11
    assert codes(match) == ["skills", "available", "area", "language", "load"]
    assert dict(match.reasons[0].params)["skills"] == "Art therapy, Counselling"


def test_person_without_a_fitting_skill_or_unavailable_is_no_candidate():
    need = NeedData(id=1, category="emotional")
    assert m.score_person(need, PersonData(id=1, skills=(TECH,), availability="available")) is None
    assert m.score_person(need, PersonData(id=2, skills=(COUNSELLING,), availability="unavailable")) is None
    # Too busy: 6 + 0 (unknown) - 3 allocations x 2 = 0, which is no fit.
    assert m.score_person(need, PersonData(id=3, skills=(COUNSELLING,), load=3)) is None


def test_anyone_may_join_a_staff_need_but_a_fitting_skill_counts_more():
    need = NeedData(id=1, category="staff")
    anyone = m.score_person(need, PersonData(id=1, skills=(TECH,), availability="partly"))
    teacher = m.score_person(need, PersonData(id=2, skills=(TEACHING,), availability="partly"))
    assert (anyone.score, codes(anyone)) == (2 + 1, ["staff", "partly"])
    assert teacher.score == 6 + 1


def test_facility_score_adds_up_by_hand():
    need = NeedData(id=1, category="space", urgency=2, area="north", quantity=40, lacks_protection=True)
    shelter = FacilityData(id=3, is_protected=True, capacity=60, availability="available", area="North")
    small = FacilityData(id=4, is_protected=False, capacity=20, availability="partly")
    # space 6 + protected while the site has none 3 + holds 60 >= 40: 2 + area 2 + available 3 = 16
    assert m.score_facility(need, shelter).score == 16
    assert codes(m.score_facility(need, shelter)) == ["space", "protected_site", "available", "capacity_ok", "area"]
    # space 6 + holds only 20 < 40: -2 + partly 1 = 5
    assert m.score_facility(need, small).score == 5
    assert m.score_facility(need, small).reasons[-1].tone == "minus"


def test_facility_fits_only_spaces_and_activities_and_protection_follows_urgency():
    shelter = FacilityData(id=1, is_protected=True)
    assert m.score_facility(NeedData(id=1, category="food"), shelter) is None
    calm = m.score_facility(NeedData(id=2, category="learning", urgency=2), shelter)
    urgent = m.score_facility(NeedData(id=3, category="learning", urgency=3), shelter)
    assert (calm.score, urgent.score) == (2, 2 + 3)
    assert "protected_urgent" in codes(urgent)
    assert m.score_facility(NeedData(id=4, category="space"), FacilityData(id=2, availability="unavailable")) is None


def test_funding_score_by_status_and_deadline():
    need = NeedData(id=1, category="equipment")

    def fund(**fields):
        return FundingData(id=1, categories=frozenset({"equipment", "food"}), **fields)

    assert m.score_funding(need, fund(status="received"), TODAY).score == 6 + 3
    assert m.score_funding(need, fund(status="approved"), TODAY).score == 6 + 3
    assert m.score_funding(need, fund(status="requested"), TODAY).score == 6 + 1
    assert m.score_funding(need, fund(status="identified"), TODAY).score == 6
    assert m.score_funding(need, fund(status="rejected"), TODAY) is None
    assert m.score_funding(need, fund(status="approved", deadline=TODAY - timedelta(days=1)), TODAY) is None
    soon = m.score_funding(need, fund(status="approved", deadline=TODAY + timedelta(days=3)), TODAY)
    assert soon.score == 9 and "deadline" in codes(soon)
    assert m.score_funding(NeedData(id=2, category="transport"), fund(status="received"), TODAY) is None


def test_reasons_are_words_in_the_readers_language():
    need = NeedData(id=1, category="emotional", area="מזרח", language="ar")
    person = PersonData(id=1, skills=(COUNSELLING,), availability="available", area="מזרח",
                        languages=frozenset({"ar"}), load=2)
    match = m.score_person(need, person)
    with translation.override("en"):
        texts = [str(r) for r in match.reasons]
    assert texts == ["Skills that fit: Counselling", "Available in this emergency", "In the need's area: מזרח",
                     "Speaks Arabic, the language the need was written in", "Already allocated to 2 other needs"]


@pytest.mark.parametrize(("text", "language"), [
    ("نحتاج إلى حواسيب للطلاب", "ar"),
    ("Нужны ноутбуки для учеников", "ru"),
    ("צריך מחשבים ניידים לתלמידים", None),
    ("Laptops for grade 8", None),
    ("צריך iPad", None),
    ("", None),
])
def test_written_language(text, language):
    assert m.written_language(text) == language


def test_rank_for_need_is_best_first_per_kind_and_leaves_out_the_allocated():
    need = NeedData(id=1, category="emotional", area="a")
    people = [PersonData(id=1, skills=(COUNSELLING,), availability="partly"),
              PersonData(id=2, skills=(COUNSELLING,), availability="available", area="a"),
              PersonData(id=3, skills=(COUNSELLING,), availability="available"),
              PersonData(id=4, skills=(TECH,), availability="available")]
    ranked = m.rank_for_need(need, people, [FacilityData(id=9)], [], today=TODAY, exclude={("person", 3)})
    assert [x.resource_id for x in ranked["person"]] == [2, 1]
    assert [x.resource_id for x in ranked["facility"]] == [9]
    assert ranked["funding"] == []


def test_rank_for_resource_weighs_urgency():
    person = PersonData(id=1, skills=(COUNSELLING, TECH), availability="available", area="a")
    needs = [NeedData(id=1, category="emotional", urgency=2, area="a"),  # fit 11, weight 2: 22
             NeedData(id=2, category="equipment", urgency=4),  # fit 9, weight 8: 72
             NeedData(id=3, category="food", urgency=4),  # no fit
             NeedData(id=4, category="emotional", urgency=3)]  # fit 9, weight 4: 36
    assert [need.id for need, _match in m.rank_for_resource("person", person, needs, today=TODAY)] == [2, 4, 1]
    assert [need.id for need, _ in m.rank_for_resource("person", person, needs, today=TODAY, exclude={2})] == [4, 1]


# ---- the plan, worked by hand ---------------------------------------------------------------------


def test_three_needs_three_people_by_hand():
    """Three needs, three people; the least urgent need is the one left without anyone.

        fit (W x fit)           Dana (1)      Eli (2)       Fadi (3)
        need 10: emotional, 4   11 (88)       9 (72)        —
        need 11: learning, 4    —             9 (72)        —
        need 12: emotional, 2   11 (22)       9 (18)        —

    Dana counsels, is available and lives in the east, where needs 10 and 12 are (6 + 3 + 2 = 11);
    Eli teaches and counsels, available (6 + 3 = 9); Fadi only drives. Weights: critical 8, medium 2.
    Every matching, by hand: 10-Dana + 11-Eli = 160; 10-Eli + 12-Dana = 94; 10-Dana + 12-Eli = 106;
    11-Eli + 12-Dana = 94. The best is 10-Dana, 11-Eli (need 12 waits).
    """
    needs = [NeedData(id=10, category="emotional", urgency=4, area="east"),
             NeedData(id=11, category="learning", urgency=4),
             NeedData(id=12, category="emotional", urgency=2, area="east")]
    people = [PersonData(id=1, skills=(COUNSELLING,), availability="available", area="east"),
              PersonData(id=2, skills=(TEACHING, COUNSELLING), availability="available"),
              PersonData(id=3, skills=(DRIVING,), availability="available")]
    plan = m.build_plan(needs, people, today=TODAY)
    assert [(p.need_id, p.resource_id, p.fit, p.value) for p in plan.pairs] == [(10, 1, 11, 88), (11, 2, 9, 72)]
    assert plan.objective == 160
    assert (plan.needs, plan.urgent, plan.covered_urgent) == (3, 2, 2)


def test_three_by_three_where_greedy_is_worse():
    """Greedy's best-first choice leaves a critical need without anyone; the solver covers all three.

        W x fit                        P1 (teacher,     P2 (driver,     P3 (driver,
                                       east, avail.)    available)      partly)
        need A: staff, critical, east  8 x 11 = 88      8 x 5 = 40      8 x 3 = 24
        need B: learning, critical     8 x 9 = 72       —               —
        need C: transport, high        —                4 x 9 = 36      4 x 7 = 28

    (A staff need takes anyone: 2, + availability; the teacher's skill also answers "staff".)
    Greedy: A-P1 (88); B-P1 is taken; A is done; C-P2 (36): 124, and B is left out.
    Best, by hand: B-P1 + A-P2 + C-P3 = 72 + 40 + 28 = 140 (B-P1 + A-P3 + C-P2 = 132; A-P1 + C-P2 = 124).
    """
    needs = [NeedData(id=1, category="staff", urgency=4, area="east"),
             NeedData(id=2, category="learning", urgency=4),
             NeedData(id=3, category="transport", urgency=3)]
    people = [PersonData(id=1, skills=(TEACHING,), availability="available", area="east"),
              PersonData(id=2, skills=(DRIVING,), availability="available"),
              PersonData(id=3, skills=(DRIVING,), availability="partly")]
    edges = m.candidate_edges(needs, people, today=TODAY, k=None)
    values = (np.array([m.urgency_weight(n.urgency) for n in needs])[edges.need] * edges.fit).tolist()
    table = {(needs[i].id, people[j].id): v for i, j, v in zip(edges.need.tolist(), edges.resource.tolist(), values,
                                                               strict=True)}
    assert table == {(1, 1): 88, (1, 2): 40, (1, 3): 24, (2, 1): 72, (3, 2): 36, (3, 3): 28}

    greedy = m.greedy(edges.need.tolist(), edges.resource.tolist(), values)
    assert {(needs[i].id, people[j].id) for i, j in greedy} == {(1, 1), (3, 2)}
    assert m.total(greedy, edges.need.tolist(), edges.resource.tolist(), values) == 124

    plan = m.build_plan(needs, people, today=TODAY)
    # The most urgent first, the more valuable first among equals.
    assert [(p.need_id, p.resource_id, p.value) for p in plan.pairs] == [(2, 1, 72), (1, 2, 40), (3, 3, 28)]
    assert plan.objective == 140


def test_solver_beats_greedy_on_a_hand_made_case():
    """Rows are needs, columns resources, values as given:

                col 0   col 1
        row 0   10      9
        row 1   8       —

    Greedy takes (0, 0) = 10 and row 1 is left with nothing: 10. The best is (0, 1) + (1, 0) = 17."""
    rows, cols, values = [0, 0, 1], [0, 1, 0], [10, 9, 8]
    assert m.greedy(rows, cols, values) == [(0, 0)]
    assert m.solve(rows, cols, values) == [(0, 1), (1, 0)]
    assert m.brute_force(2, rows, cols, values) == 17


def test_empty_cases():
    assert m.solve([], [], []) == []
    plan = m.build_plan([], [], today=TODAY)
    assert plan.pairs == [] and plan.objective == 0
    plan = m.build_plan([NeedData(id=1, category="food")], [PersonData(id=1, skills=(TECH,))], today=TODAY)
    assert plan.pairs == []


def test_spread_windows_let_a_group_of_equal_needs_cover_many_resources():
    # Twelve identical needs and twelve identical people: top-3 each would offer the same three people
    # to all twelve; the sliding windows offer each need its own, so every need is covered.
    needs = [NeedData(id=i, category="emotional", urgency=3) for i in range(1, 13)]
    people = [PersonData(id=j, skills=(COUNSELLING,), availability="available") for j in range(1, 13)]
    narrow = m.candidate_edges(needs, people, today=TODAY, k=3, spread=False)
    assert set(narrow.resource.tolist()) == {0, 1, 2}
    plan = m.build_plan(needs, people, today=TODAY, k=3)
    assert len(plan.pairs) == 12
    assert len({p.resource_id for p in plan.pairs}) == 12


def test_best_per_need():
    needs = [NeedData(id=1, category="space", urgency=4), NeedData(id=2, category="food")]
    people = [PersonData(id=5, skills=(DRIVING,), availability="partly")]
    facilities = [FacilityData(id=8, is_protected=True), FacilityData(id=9)]
    funding = [FundingData(id=3, categories=frozenset({"food"}), status="received")]
    best = m.best_per_need(needs, people, facilities, funding, today=TODAY)
    assert best == {1: ("facility", 8, 9), 2: ("funding", 3, 9)}


# ---- properties -----------------------------------------------------------------------------------

AREAS = ["", "east", "west", "East "]
categories = st.sampled_from(m.CATEGORIES)
needs_strategy = st.lists(st.builds(
    NeedData, id=st.just(0), category=categories, urgency=st.integers(1, 4), area=st.sampled_from(AREAS),
    quantity=st.one_of(st.none(), st.integers(0, 80)), language=st.sampled_from([None, "ar", "ru"]),
    lacks_protection=st.booleans()), max_size=9)
skill = st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.frozensets(categories, max_size=3))
people_strategy = st.lists(st.builds(
    PersonData, id=st.just(0), skills=st.lists(skill, max_size=3).map(tuple),
    availability=st.sampled_from([m.AVAILABLE, m.PARTLY, m.UNKNOWN, m.UNAVAILABLE]), area=st.sampled_from(AREAS),
    languages=st.frozensets(st.sampled_from(["he", "ar", "ru", "en"])), load=st.integers(0, 3)), max_size=7)
facilities_strategy = st.lists(st.builds(
    FacilityData, id=st.just(0), is_protected=st.booleans(), capacity=st.one_of(st.none(), st.integers(0, 80)),
    availability=st.sampled_from([m.AVAILABLE, m.PARTLY, m.UNKNOWN, m.UNAVAILABLE]), area=st.sampled_from(AREAS),
    load=st.integers(0, 2)), max_size=5)
funding_strategy = st.lists(st.builds(
    FundingData, id=st.just(0), categories=st.frozensets(categories, max_size=3),
    status=st.sampled_from([m.RECEIVED, m.APPROVED, m.REQUESTED, m.IDENTIFIED, m.REJECTED]),
    deadline=st.one_of(st.none(), st.integers(-5, 30).map(lambda d: TODAY + timedelta(days=d))),
    load=st.integers(0, 2)), max_size=4)


def numbered(items, start=1):
    """Give generated records distinct ids (in a shuffled order, so id order is not list order)."""
    ids = list(range(start, start + len(items)))[::-1]
    return [type(x)(**{**x.__dict__, "id": i}) for x, i in zip(items, ids, strict=True)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(needs_strategy, people_strategy, facilities_strategy, funding_strategy)
def test_numpy_scores_are_the_plain_scores(needs, people, facilities, funding):
    needs, people, facilities, funding = numbered(needs), numbered(people), numbered(facilities), numbered(funding)
    edges = m.candidate_edges(needs, people, facilities, funding, today=TODAY, k=None)
    keys = m.resource_keys(people, facilities, funding)
    resources = {**{("person", p.id): p for p in people}, **{("facility", f.id): f for f in facilities},
                 **{("funding", f.id): f for f in funding}}
    found = {(needs[i].id, keys[j]): fit for i, j, fit in zip(edges.need.tolist(), edges.resource.tolist(),
                                                               edges.fit.tolist(), strict=True)}
    assert len(found) == len(edges), "an edge appears twice"
    expected = {}
    for need in needs:
        for key, resource in resources.items():
            match = m.score(need, key[0], resource, TODAY)
            if match is not None:
                expected[(need.id, key)] = match.score
    assert found == expected


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(needs_strategy, people_strategy, facilities_strategy, funding_strategy, st.integers(1, 3))
def test_top_k_is_the_plain_ranking(needs, people, facilities, funding, k):
    needs, people, facilities, funding = numbered(needs), numbered(people), numbered(facilities), numbered(funding)
    edges = m.candidate_edges(needs, people, facilities, funding, today=TODAY, k=k, spread=False)
    keys = m.resource_keys(people, facilities, funding)
    got = {}
    for i, j in zip(edges.need.tolist(), edges.resource.tolist(), strict=True):
        got.setdefault((needs[i].id, keys[j][0]), set()).add(keys[j][1])
    for need in needs:
        ranked = m.rank_for_need(need, people, facilities, funding, today=TODAY, k=k)
        for kind, matches in ranked.items():
            assert got.get((need.id, kind), set()) == {x.resource_id for x in matches}


edge_lists = st.integers(1, 5).flatmap(lambda n_rows: st.tuples(
    st.just(n_rows), st.lists(st.tuples(st.integers(0, n_rows - 1), st.integers(0, 4), st.integers(1, 40)),
                              max_size=14)))


@settings(max_examples=300, deadline=None)
@given(edge_lists)
def test_solver_properties_on_small_cases(case):
    n_rows, edges = case
    rows = [e[0] for e in edges]
    cols = [e[1] for e in edges]
    values = [e[2] for e in edges]
    chosen = m.solve(rows, cols, values)
    assert len({r for r, _c in chosen}) == len(chosen), "a need got two resources"
    assert len({c for _r, c in chosen}) == len(chosen), "a resource was used twice"
    assert set(chosen) <= set(zip(rows, cols, strict=True)), "a pair that is not a candidate edge"
    objective = m.total(chosen, rows, cols, values)
    assert objective >= m.total(m.greedy(rows, cols, values), rows, cols, values)
    assert objective == m.brute_force(n_rows, rows, cols, values)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(needs_strategy, people_strategy, facilities_strategy, funding_strategy, st.integers(1, 4))
def test_plan_properties(needs, people, facilities, funding, k):
    needs, people, facilities, funding = numbered(needs), numbered(people), numbered(facilities), numbered(funding)
    plan = m.build_plan(needs, people, facilities, funding, today=TODAY, k=k)
    used = [(p.kind, p.resource_id) for p in plan.pairs]
    assert len(set(used)) == len(used), "a resource was used twice"
    assert len({p.need_id for p in plan.pairs}) == len(plan.pairs)
    by_id = {n.id: n for n in needs}
    resources = {**{("person", p.id): p for p in people}, **{("facility", f.id): f for f in facilities},
                 **{("funding", f.id): f for f in funding}}
    for pair in plan.pairs:
        match = m.score(by_id[pair.need_id], pair.kind, resources[(pair.kind, pair.resource_id)], TODAY)
        assert match is not None and match.score == pair.fit > 0
        assert pair.value == m.urgency_weight(by_id[pair.need_id].urgency) * pair.fit
    edges = m.candidate_edges(needs, people, facilities, funding, today=TODAY, k=k)
    weights = np.array([m.urgency_weight(n.urgency) for n in needs], dtype=np.int64)
    values = (weights[edges.need] * edges.fit).tolist() if len(edges) else []
    greedy = m.greedy(edges.need.tolist(), edges.resource.tolist(), values)
    assert plan.objective >= m.total(greedy, edges.need.tolist(), edges.resource.tolist(), values)
    # With every candidate edge (k = None), nothing beats the solver.
    full = m.candidate_edges(needs, people, facilities, funding, today=TODAY, k=None)
    if len(needs) <= 5 and len(full):
        full_values = (weights[full.need] * full.fit).tolist()
        best = m.brute_force(len(needs), full.need.tolist(), full.resource.tolist(), full_values)
        assert m.build_plan(needs, people, facilities, funding, today=TODAY, k=None).objective == best
