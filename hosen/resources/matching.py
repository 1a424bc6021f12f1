"""Matching resources to needs: the fit scores, their reasons in words, and the whole-authority plan.

Pure functions over plain data (the dataclasses below): no database here. hosen/resources/allocation.py
reads the registers into this data and writes the allocations the manager chooses.

The fit score of a need and a resource is a small integer; a resource is a candidate for a need only
when the rules below allow it and its score is above zero.

Person
    skills        +6 for a skill whose need categories include the need's category, +1 for each further
                  such skill (at most +2 more). Without one she is no candidate — except for a "staff" need,
                  which anyone may join (+2).
    availability  in the current emergency: available +3, partly +1, unknown 0; unavailable: no candidate.
    area          +2 when her area is the area of the need's site.
    language      +1 when the need was written in a language she speaks, other than Hebrew (the
                  registers say nothing else about a site's language; see `written_language`).
    load          -2 for every active allocation she already has (to other needs).
Facility
    category      "space" +6; "learning" and "emotional" +2 (a place for the activities: a supporting resource,
                  so that the people who run them come first among equals); any other: no candidate.
    protection    +3 when it is a protected space and the need's site reports none, or the need is urgent.
    capacity      +2 when it holds at least the need's quantity, -2 when it holds fewer; 0 when unknown.
    area          +2 when its area (or its site's) is the area of the need's site.
    availability  available +3, partly +1, unknown 0; unavailable: no candidate.
    load          -2 for every active allocation.
Funding source
    category      +6 when the need's category is among those it can fund; otherwise no candidate.
    status        received or approved +3, requested +1, identified 0; rejected: no candidate.
    deadline      passed: no candidate.
    load          -2 for every active allocation.

Urgency weighs a need's priority: W(urgency) = 2^(urgency - 1), so low 1, medium 2, high 4, critical 8.
Resources for one need are ranked by fit (the urgency is the same for all of them); the needs one
person could meet are ranked by W x fit.

The plan ("assign all") chooses pairs (need, resource), each need at most one resource and each
resource at most one need, that maximise the sum of W(need's urgency) x fit over the chosen pairs. Its
candidate edges are each need's best `k` resources of each kind (ties spread by a hash, so that needs
with equal choices do not all queue for the same resource); the assignment is solved exactly on those
edges by SciPy's sparse LAPJV (`min_weight_full_bipartite_matching`), with a private "unassigned" column
per need so that a full matching always exists (see `solve`).
"""

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

# Values of hosen.field.models.NeedCategory and hosen.resources.models.Availability / FundingStatus
# (kept as plain strings so that this module needs no models; a test checks that they agree).
CATEGORIES = ("equipment", "learning", "emotional", "staff", "space", "food", "transport", "other")
STAFF, SPACE, LEARNING, EMOTIONAL = "staff", "space", "learning", "emotional"
AVAILABLE, PARTLY, UNAVAILABLE, UNKNOWN = "available", "partly", "unavailable", "unknown"
RECEIVED, APPROVED, REQUESTED, IDENTIFIED, REJECTED = "received", "approved", "requested", "identified", "rejected"
URGENT_FROM = 3  # Urgency.HIGH

PERSON, FACILITY, FUNDING = "person", "facility", "funding"
KINDS = (PERSON, FACILITY, FUNDING)

SKILL_POINTS, EXTRA_SKILL_POINTS, EXTRA_SKILLS_MAX, ANYONE_FOR_STAFF = 6, 1, 2, 2
AVAILABILITY_POINTS = {AVAILABLE: 3, PARTLY: 1, UNKNOWN: 0}
AREA_POINTS, LANGUAGE_POINTS, LOAD_PENALTY = 2, 1, 2
FACILITY_CATEGORY_POINTS = {SPACE: 6, LEARNING: 2, EMOTIONAL: 2}
PROTECTION_POINTS, CAPACITY_POINTS = 3, 2
FUNDING_CATEGORY_POINTS = 6
FUNDING_STATUS_POINTS = {RECEIVED: 3, APPROVED: 3, REQUESTED: 1, IDENTIFIED: 0}
DEADLINE_SOON_DAYS = 14

# Scripts that tell which language a need was written in. Hebrew is everyone's working language here,
# so it earns nothing; Latin letters are left out too (brand names and links are written in them).
SCRIPT_LANGUAGES = {"ARABIC": "ar", "CYRILLIC": "ru", "ETHIOPIC": "am"}
LANGUAGE_NAMES = {"ar": _("Arabic"), "ru": _("Russian"), "am": _("Amharic")}
LANGUAGE_BITS = {code: bit for bit, code in enumerate(("he", "ar", "en", "ru", "am", "fr", "es", "other"))}


def urgency_weight(urgency: int) -> int:
    return 2 ** (max(1, min(4, int(urgency))) - 1)


def normal_area(text) -> str:
    return " ".join(str(text or "").split()).casefold()


def written_language(text) -> str | None:
    """The language a text was written in, when its letters tell: "ar", "ru" or "am"; None otherwise
    (Hebrew, Latin letters, mixed or too short)."""
    counts: dict[str, int] = {}
    letters = 0
    for char in str(text or ""):
        if not char.isalpha():
            continue
        letters += 1
        script = unicodedata.name(char, "").split(" ")[0]
        if script in SCRIPT_LANGUAGES:
            counts[script] = counts.get(script, 0) + 1
    if letters < 3 or not counts:
        return None
    script, n = max(counts.items(), key=lambda item: item[1])
    return SCRIPT_LANGUAGES[script] if n * 2 > letters else None


# ---- the plain data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedData:
    id: int
    category: str
    urgency: int = 2
    area: str = ""  # the area of the need's site, normalised
    quantity: int | None = None
    language: str | None = None  # written_language(description)
    lacks_protection: bool = False  # its site reports no protected space


@dataclass(frozen=True)
class PersonData:
    id: int
    skills: tuple[tuple[str, frozenset], ...] = ()  # (name in the reader's language, need categories)
    availability: str = UNKNOWN  # in the current emergency
    area: str = ""
    languages: frozenset = frozenset()
    load: int = 0  # active allocations


@dataclass(frozen=True)
class FacilityData:
    id: int
    is_protected: bool = False
    capacity: int | None = None
    availability: str = UNKNOWN
    area: str = ""
    load: int = 0


@dataclass(frozen=True)
class FundingData:
    id: int
    categories: frozenset = frozenset()
    status: str = IDENTIFIED
    deadline: date | None = None
    load: int = 0


# ---- reasons -----------------------------------------------------------------------------------

REASON_TEXT = {
    "skills": _("Skills that fit: %(skills)s"),
    "staff": _("Can join the staff this need asks for"),
    "available": _("Available in this emergency"),
    "partly": _("Partly available in this emergency"),
    "unknown": _("Availability in this emergency is not known yet"),
    "area": _("In the need's area: %(area)s"),
    "language": _("Speaks %(language)s, the language the need was written in"),
    "load": ngettext_lazy("Already allocated to %(n)d other need", "Already allocated to %(n)d other needs", "n"),
    "space": _("A space for this need"),
    "activities": _("A place for learning and support activities"),
    "protected_site": _("A protected space, and the need's site reports none"),
    "protected_urgent": _("A protected space for an urgent need"),
    "capacity_ok": _("Holds %(capacity)d people, %(quantity)d needed"),
    "capacity_low": _("Holds only %(capacity)d people, %(quantity)d needed"),
    "funds_category": _("Funds needs of this category"),
    "received": _("The money has been received"),
    "approved": _("The money is approved"),
    "requested": _("Requested, not approved yet"),
    "identified": _("Identified, not requested yet"),
    "deadline": ngettext_lazy("Deadline in %(n)d day", "Deadline in %(n)d days", "n"),
}


@dataclass(frozen=True)
class Reason:
    """One reason of a score, in words: rendered in the active language when shown."""

    code: str
    points: int = 0
    params: tuple = ()  # ((name, value), ...): hashable, so reasons can be compared in tests

    def __str__(self):
        params = dict(self.params)
        text = REASON_TEXT[self.code]
        return str(text % params) if params else str(text)

    @property
    def tone(self) -> str:
        return "plus" if self.points > 0 else "minus" if self.points < 0 else "neutral"


@dataclass(frozen=True)
class Match:
    kind: str
    resource_id: int
    score: int
    reasons: tuple[Reason, ...] = field(default=(), compare=False)


def _availability(availability) -> Reason | None:
    if availability not in AVAILABILITY_POINTS:
        return None  # unavailable (or a value we do not know): no candidate
    return Reason(availability, AVAILABILITY_POINTS[availability])


def _load(load) -> Reason | None:
    return Reason("load", -LOAD_PENALTY * load, (("n", load),)) if load > 0 else None


def _area(need, area) -> Reason | None:
    if need.area and area and normal_area(area) == normal_area(need.area):
        return Reason("area", AREA_POINTS, (("area", area),))
    return None


def _match(kind, resource, reasons) -> Match | None:
    reasons = tuple(r for r in reasons if r is not None)
    score = sum(r.points for r in reasons)
    if score <= 0:
        return None
    # Strongest reasons first, the costs last: the list reads as the argument for the proposal.
    reasons = tuple(sorted(reasons, key=lambda r: -r.points))
    return Match(kind, resource.id, score, reasons)


def score_person(need: NeedData, person: PersonData) -> Match | None:
    availability = _availability(person.availability)
    if availability is None:
        return None
    fitting = [name for name, categories in person.skills if need.category in categories]
    if fitting:
        points = SKILL_POINTS + EXTRA_SKILL_POINTS * min(len(fitting) - 1, EXTRA_SKILLS_MAX)
        skills = Reason("skills", points, (("skills", ", ".join(sorted(fitting))),))
    elif need.category == STAFF:
        skills = Reason("staff", ANYONE_FOR_STAFF)
    else:
        return None
    language = None
    if need.language in LANGUAGE_BITS and need.language in person.languages:
        language = Reason("language", LANGUAGE_POINTS, (("language", LANGUAGE_NAMES.get(need.language,
                                                                                       need.language)),))
    return _match(PERSON, person, [skills, availability, _area(need, person.area), language, _load(person.load)])


def score_facility(need: NeedData, facility: FacilityData) -> Match | None:
    availability = _availability(facility.availability)
    if availability is None or need.category not in FACILITY_CATEGORY_POINTS:
        return None
    fit = Reason("space" if need.category == SPACE else "activities", FACILITY_CATEGORY_POINTS[need.category])
    protection = None
    if facility.is_protected:
        if need.lacks_protection:
            protection = Reason("protected_site", PROTECTION_POINTS)
        elif need.urgency >= URGENT_FROM:
            protection = Reason("protected_urgent", PROTECTION_POINTS)
    capacity = None
    if need.quantity is not None and facility.capacity is not None:
        params = (("capacity", facility.capacity), ("quantity", need.quantity))
        if facility.capacity >= need.quantity:
            capacity = Reason("capacity_ok", CAPACITY_POINTS, params)
        else:
            capacity = Reason("capacity_low", -CAPACITY_POINTS, params)
    return _match(FACILITY, facility, [fit, protection, capacity, _area(need, facility.area), availability,
                                       _load(facility.load)])


def score_funding(need: NeedData, funding: FundingData, today: date) -> Match | None:
    if funding.status not in FUNDING_STATUS_POINTS or need.category not in funding.categories:
        return None
    if funding.deadline is not None and funding.deadline < today:
        return None
    deadline = None
    if funding.deadline is not None and (funding.deadline - today).days <= DEADLINE_SOON_DAYS:
        deadline = Reason("deadline", 0, (("n", (funding.deadline - today).days),))
    return _match(FUNDING, funding, [Reason("funds_category", FUNDING_CATEGORY_POINTS),
                                     Reason(funding.status, FUNDING_STATUS_POINTS[funding.status]),
                                     deadline, _load(funding.load)])


def score(need, kind, resource, today) -> Match | None:
    if kind == PERSON:
        return score_person(need, resource)
    if kind == FACILITY:
        return score_facility(need, resource)
    return score_funding(need, resource, today)


def _ranked(matches, k):
    found = sorted((m for m in matches if m is not None), key=lambda m: (-m.score, m.resource_id))
    return found if k is None else found[:k]


def rank_for_need(need, people=(), facilities=(), funding=(), *, today, k=10, exclude=frozenset()):
    """{kind: [Match, best first]}: the `k` best of each kind; `exclude` holds (kind, id) to leave out
    (those already allocated to this need)."""
    return {
        PERSON: _ranked((score_person(need, p) for p in people if (PERSON, p.id) not in exclude), k),
        FACILITY: _ranked((score_facility(need, f) for f in facilities if (FACILITY, f.id) not in exclude), k),
        FUNDING: _ranked((score_funding(need, f, today) for f in funding if (FUNDING, f.id) not in exclude), k),
    }


def rank_for_resource(kind, resource, needs, *, today, k=20, exclude=frozenset()):
    """[(need, Match)] the needs one resource could meet, best first by W x fit; `exclude` holds the ids
    of needs it is already allocated to."""
    found = []
    for need in needs:
        if need.id in exclude:
            continue
        match = score(need, kind, resource, today)
        if match is not None:
            found.append((need, match))
    found.sort(key=lambda pair: (-urgency_weight(pair[0].urgency) * pair[1].score, -pair[0].urgency, pair[0].id))
    return found if k is None else found[:k]


# ---- many needs at once: candidate edges with numpy --------------------------------------------
#
# A resource's fit for a need depends on the need only through a few of its features: for a person the
# category, the area and the language; for a facility the category, the area, whether it asks for a
# protected space and which capacities hold its quantity; for a funding source the category. Needs that
# agree on these get the same row of scores, so each such group is scored once, with numpy.
#
# Candidates: with `spread` off, every need of a group gets the group's best `k` resources (what the pages
# show). With `spread` on (the plan), the group's needs, most urgent first, get sliding windows over the
# group's ranking: the t-th need gets the resources ranked t .. t+k-1. Two hundred needs of one group then
# see two hundred different best resources between them instead of queueing for the same ten, so the
# solver can cover all of them when there are enough resources, and each keeps k choices for the
# conflicts with other groups.


@dataclass
class Edges:
    """Candidate pairs: `need[i]` indexes the needs, `resource[i]` the resources (people first, then
    facilities, then funding sources), `fit[i]` the fit score (> 0)."""

    need: np.ndarray
    resource: np.ndarray
    fit: np.ndarray

    def __len__(self):
        return len(self.fit)


def resource_keys(people, facilities, funding) -> list[tuple[str, int]]:
    return ([(PERSON, p.id) for p in people] + [(FACILITY, f.id) for f in facilities]
            + [(FUNDING, f.id) for f in funding])


def _codes(values, table):
    return np.array([table.setdefault(v, len(table)) if v else -1 for v in values], dtype=np.int64)


CHUNK_CELLS = 2_000_000  # score rows are built this many cells at a time, to bound memory


def _group_candidates(rows, signature, cols, res_ids, row_scores, k, spread, offset, out):
    """Candidates for the needs `rows` (most urgent first) among the resources `cols`.

    `signature[i]` says which needs share a row of scores; `row_scores(need indices, cols)` scores them."""
    if len(rows) == 0 or len(cols) == 0:
        return
    keys, first, inverse = np.unique(signature, return_index=True, return_inverse=True)
    members_order = np.argsort(inverse, kind="stable")  # grouped, most urgent first within each group
    bounds = np.concatenate([[0], np.cumsum(np.bincount(inverse, minlength=len(keys)))])
    # The lower id first among resources of equal fit, as on the pages.
    id_rank = np.argsort(np.argsort(res_ids[cols], kind="stable"), kind="stable")
    step = max(1, CHUNK_CELLS // len(cols))
    for start in range(0, len(keys), step):
        block = row_scores(rows[first[start:start + step]], cols)
        order = np.lexsort((np.broadcast_to(id_rank, block.shape), -block), axis=1)
        for g in range(block.shape[0]):
            ranked = order[g][block[g, order[g]] > 0]
            length = len(ranked)
            if length == 0:
                continue
            group = start + g
            members = rows[members_order[bounds[group]:bounds[group + 1]]]
            width = length if k is None else min(k, length)
            if spread and width < length:
                positions = (np.arange(len(members))[:, None] + np.arange(width)[None, :]) % length
            else:
                positions = np.broadcast_to(np.arange(width)[None, :], (len(members), width))
            picked = ranked[positions]
            out.append((np.repeat(members, width), cols[picked].ravel() + offset, block[g, picked].ravel()))


def candidate_edges(needs, people=(), facilities=(), funding=(), *, today, k=10, spread=True) -> Edges:
    """Candidate pairs for the needs, scored with numpy: each need's best `k` of each kind (all of them
    when k is None), or sliding windows over its group's ranking when `spread` (see above).

    The scores are exactly those of `score_person`, `score_facility` and `score_funding` (a test checks
    it); among resources of equal fit the lower id comes first."""
    empty = Edges(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    if not needs:
        return empty
    out: list = []
    need_ids = np.array([x.id for x in needs], dtype=np.int64)
    urgency = np.array([x.urgency for x in needs], dtype=np.int64)
    by_urgency = np.lexsort((need_ids, -urgency))  # the most urgent first: they get the best windows
    cat_index = {c: i for i, c in enumerate(CATEGORIES)}
    n_cat = np.array([cat_index.get(x.category, -1) for x in needs], dtype=np.int64)
    areas: dict[str, int] = {}
    n_area = _codes([normal_area(x.area) for x in needs], areas)
    n_wants = np.array([x.lacks_protection or x.urgency >= URGENT_FROM for x in needs], dtype=bool)
    n_qty = np.array([-1 if x.quantity is None else x.quantity for x in needs], dtype=np.int64)
    n_lang = np.array([LANGUAGE_BITS.get(x.language, -1) if x.language else -1 for x in needs], dtype=np.int64)

    def in_category(category):
        return by_urgency[n_cat[by_urgency] == cat_index[category]]

    def same_area(part, area_codes):
        return (n_area[part][:, None] == area_codes[None, :]) & (n_area[part][:, None] >= 0)

    if people:
        res_ids = np.array([p.id for p in people], dtype=np.int64)
        counts = np.zeros((len(people), len(CATEGORIES)), dtype=np.int64)
        for j, p in enumerate(people):
            for _name, categories in p.skills:
                for c in set(categories):
                    if c in cat_index:
                        counts[j, cat_index[c]] += 1
        ok = np.array([p.availability in AVAILABILITY_POINTS for p in people], dtype=bool)
        base = np.array([AVAILABILITY_POINTS.get(p.availability, 0) - LOAD_PENALTY * p.load for p in people],
                        dtype=np.int64)
        p_area = _codes([normal_area(p.area) for p in people], areas)
        p_lang = np.array([sum(1 << LANGUAGE_BITS[code] for code in set(p.languages) if code in LANGUAGE_BITS)
                           for p in people], dtype=np.int64)
        for category in CATEGORIES:
            have = counts[:, cat_index[category]]
            skill = np.where(have > 0, SKILL_POINTS + EXTRA_SKILL_POINTS * np.minimum(have - 1, EXTRA_SKILLS_MAX),
                             ANYONE_FOR_STAFF if category == STAFF else 0)
            cols = np.flatnonzero(ok & ((have > 0) | (category == STAFF)))
            fixed = skill + base

            def person_scores(part, cols, fixed=fixed):
                lang = n_lang[part][:, None]
                speaks = (lang >= 0) & (((p_lang[cols][None, :] >> np.maximum(lang, 0)) & 1) == 1)
                return fixed[cols][None, :] + AREA_POINTS * same_area(part, p_area[cols]) + LANGUAGE_POINTS * speaks

            rows = in_category(category)
            signature = (n_area[rows] + 1) * 64 + (n_lang[rows] + 1)
            _group_candidates(rows, signature, cols, res_ids, person_scores, k, spread, 0, out)

    offset = len(people)
    if facilities:
        res_ids = np.array([f.id for f in facilities], dtype=np.int64)
        cols = np.flatnonzero(np.array([f.availability in AVAILABILITY_POINTS for f in facilities], dtype=bool))
        base = np.array([AVAILABILITY_POINTS.get(f.availability, 0) - LOAD_PENALTY * f.load for f in facilities],
                        dtype=np.int64)
        protected = np.array([f.is_protected for f in facilities], dtype=bool)
        capacity = np.array([-1 if f.capacity is None else f.capacity for f in facilities], dtype=np.int64)
        f_area = _codes([normal_area(f.area) for f in facilities], areas)
        # Needs whose quantity the same capacities hold get the same capacity points.
        capacities = np.unique(capacity[capacity >= 0])
        n_qty_class = np.where(n_qty >= 0, np.searchsorted(capacities, n_qty, side="left"), -1)
        for category, points in FACILITY_CATEGORY_POINTS.items():

            def facility_scores(part, cols, points=points):
                wants = n_wants[part][:, None] & protected[cols][None, :]
                qty, cap = n_qty[part][:, None], capacity[cols][None, :]
                fits = np.where((qty >= 0) & (cap >= 0), np.where(cap >= qty, CAPACITY_POINTS, -CAPACITY_POINTS), 0)
                return (points + base[cols][None, :] + PROTECTION_POINTS * wants + fits
                        + AREA_POINTS * same_area(part, f_area[cols]))

            rows = in_category(category)
            signature = ((n_area[rows] + 1) * 2 + n_wants[rows]) * (len(capacities) + 2) + (n_qty_class[rows] + 1)
            _group_candidates(rows, signature, cols, res_ids, facility_scores, k, spread, offset, out)

    offset += len(facilities)
    if funding:
        res_ids = np.array([f.id for f in funding], dtype=np.int64)
        fixed = np.array([FUNDING_CATEGORY_POINTS + FUNDING_STATUS_POINTS.get(f.status, 0) - LOAD_PENALTY * f.load
                          for f in funding], dtype=np.int64)
        usable = np.array([f.status in FUNDING_STATUS_POINTS and (f.deadline is None or f.deadline >= today)
                           for f in funding], dtype=bool)
        for category in CATEGORIES:
            cols = np.flatnonzero(usable & np.array([category in f.categories for f in funding], dtype=bool))
            rows = in_category(category)
            _group_candidates(rows, np.zeros(len(rows), dtype=np.int64), cols, res_ids,
                              lambda part, cols: np.broadcast_to(fixed[cols][None, :], (len(part), len(cols))),
                              k, spread, offset, out)

    if not out:
        return empty
    return Edges(np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out]),
                 np.concatenate([o[2] for o in out]).astype(np.int64))


def best_per_need(needs, people=(), facilities=(), funding=(), *, today) -> dict[int, tuple[str, int, int]]:
    """{need id: (kind, resource id, fit)} — each need's single best candidate (lower id among equals)."""
    edges = candidate_edges(needs, people, facilities, funding, today=today, k=1, spread=False)
    keys = resource_keys(people, facilities, funding)
    best: dict[int, tuple[str, int, int]] = {}
    for i, j, fit in zip(edges.need.tolist(), edges.resource.tolist(), edges.fit.tolist(), strict=True):
        kind, rid = keys[j]
        current = best.get(needs[i].id)
        if current is None or (fit, -KINDS.index(kind), -rid) > (current[2], -KINDS.index(current[0]), -current[1]):
            best[needs[i].id] = (kind, rid, fit)
    return best


# ---- the assignment ----------------------------------------------------------------------------


def solve(rows, cols, values) -> list[tuple[int, int]]:
    """The matching of rows to columns (each used at most once) with the largest sum of `values`,
    over the given edges only (values > 0). Returns [(row, col)].

    SciPy's min_weight_full_bipartite_matching wants a matching that covers every row, so each row also
    gets a private "unassigned" column. Costs are C - value on real edges and C on a row's own unassigned
    column, with C = max value + 1 so that every cost is positive (an explicit zero would read as no
    edge). Every row is matched once, so the total cost is n x C - (sum of values of the real edges
    chosen): the cheapest full matching is the most valuable matching."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    keep = values > 0
    rows, cols, values = rows[keep], cols[keep], values[keep]
    if len(values) == 0:
        return []
    # One edge per (row, col): a sparse matrix would add duplicates up.
    order = np.lexsort((-values, cols, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, values = rows[first], cols[first], values[first]
    # Only rows with an edge, and only columns that someone could take, enter the matrix.
    used_rows, row_index = np.unique(rows, return_inverse=True)
    used_cols, col_index = np.unique(cols, return_inverse=True)
    r, c = len(used_rows), len(used_cols)
    top = values.max() + 1.0
    dummy_rows = np.arange(r, dtype=np.int64)
    graph = csr_matrix(
        (np.concatenate([top - values, np.full(r, top)]),
         (np.concatenate([row_index, dummy_rows]), np.concatenate([col_index, c + dummy_rows]))),
        shape=(r, c + r),
    )
    _, matched = min_weight_full_bipartite_matching(graph)
    real = matched < c
    return sorted(zip(used_rows[real].tolist(), used_cols[matched[real]].tolist(), strict=True))


def greedy(rows, cols, values) -> list[tuple[int, int]]:
    """The plain alternative: edges by value, best first, each taken when both ends are still free."""
    taken_rows, taken_cols, chosen = set(), set(), []
    for value, row, col in sorted(zip(values, rows, cols, strict=True), key=lambda e: (-e[0], e[1], e[2])):
        if value > 0 and row not in taken_rows and col not in taken_cols:
            taken_rows.add(row)
            taken_cols.add(col)
            chosen.append((row, col))
    return sorted(chosen)


def brute_force(n_rows, rows, cols, values) -> float:
    """The best total by trying every matching (tests only: tiny cases)."""
    edges: dict[int, dict[int, float]] = {}
    for row, col, value in zip(rows, cols, values, strict=True):
        if value > 0:
            edges.setdefault(row, {})
            edges[row][col] = max(value, edges[row].get(col, 0))

    def best(row, used):
        if row == n_rows:
            return 0
        result = best(row + 1, used)
        for col, value in edges.get(row, {}).items():
            if col not in used:
                result = max(result, value + best(row + 1, used | {col}))
        return result

    return best(0, frozenset())


def total(pairs, rows, cols, values) -> float:
    lookup: dict[tuple[int, int], float] = {}
    for row, col, value in zip(rows, cols, values, strict=True):
        lookup[(row, col)] = max(value, lookup.get((row, col), -math.inf))
    return sum(lookup[p] for p in pairs)


@dataclass(frozen=True)
class PlanPair:
    need_id: int
    kind: str
    resource_id: int
    fit: int
    value: int  # W(urgency) x fit


@dataclass
class Plan:
    pairs: list[PlanPair]  # the most urgent needs first
    needs: int  # needs considered
    urgent: int  # urgent needs considered
    covered_urgent: int
    candidate_edges: int

    @property
    def objective(self) -> int:
        return sum(p.value for p in self.pairs)


def build_plan(needs, people=(), facilities=(), funding=(), *, today, k=10, edges=None) -> Plan:
    """The whole-authority proposal: see the module's docstring for the objective. `edges` may be given
    when they are already built (the benchmark times the two steps apart)."""
    if edges is None:
        edges = candidate_edges(needs, people, facilities, funding, today=today, k=k)
    weights = np.array([urgency_weight(x.urgency) for x in needs], dtype=np.int64)
    values = weights[edges.need] * edges.fit if len(edges) else edges.fit
    chosen = solve(edges.need, edges.resource, values)
    keys = resource_keys(people, facilities, funding)
    fit_of = {(i, j): f for i, j, f in zip(edges.need.tolist(), edges.resource.tolist(), edges.fit.tolist(),
                                            strict=True)}
    pairs = []
    for i, j in chosen:
        kind, rid = keys[j]
        fit = fit_of[(i, j)]
        pairs.append(PlanPair(needs[i].id, kind, rid, fit, urgency_weight(needs[i].urgency) * fit))
    urgency = {x.id: x.urgency for x in needs}
    pairs.sort(key=lambda p: (-urgency[p.need_id], -p.value, p.need_id))
    urgent = sum(1 for x in needs if x.urgency >= URGENT_FROM)
    return Plan(pairs=pairs, needs=len(needs), urgent=urgent,
                covered_urgent=sum(1 for p in pairs if urgency[p.need_id] >= URGENT_FROM),
                candidate_edges=len(edges))


def greedy_plan_pairs(needs, edges) -> list[tuple[int, int]]:
    """Greedy on the same candidate edges and values as `build_plan` (for the benchmark)."""
    weights = np.array([urgency_weight(x.urgency) for x in needs], dtype=np.int64)
    values = weights[edges.need] * edges.fit
    return greedy(edges.need.tolist(), edges.resource.tolist(), values.tolist())

