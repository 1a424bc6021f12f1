"""What happens to an initiative: moves through the phases, notes, links, and the practice write-up's draft."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from hosen.workmodel.models import DesignPhase

from .models import (
    PHASES,
    Initiative,
    InitiativeFacility,
    InitiativeKpi,
    InitiativeNeed,
    InitiativePerson,
    PhaseKey,
    PhaseMove,
    PhaseNote,
)

NEXT, PREVIOUS = "next", "previous"

# Why a move did not happen.
AT_END = "at_end"  # no phase beyond the first or the last
STALE = "stale"  # the initiative was no longer in the phase the button showed (a second tap, another user)


@dataclass
class MoveResult:
    initiative: Initiative
    moved: bool
    from_phase: str
    to_phase: str = ""
    refused: str = ""
    # Earlier phases without a note, when the move reached SHARE: allowed, but the write-up will be thin.
    missing_notes: list = field(default_factory=list)


def phase_names():
    """{key: (name, meaning)} in the active language, from the model's content; the built-in labels when the
    content is not loaded. One query."""
    names = {key: (str(label), "") for key, label in PhaseKey.choices}
    for phase in DesignPhase.objects.filter(key__in=PHASES):
        names[phase.key] = (phase.tr("name"), phase.tr("meaning"))
    return names


def phases_without_notes(initiative, before=PhaseKey.SHARE, noted=None):
    """The phases before `before` that have no note yet, in the cycle's order."""
    if noted is None:
        noted = set(PhaseNote.objects.filter(initiative=initiative).order_by().values_list("phase", flat=True)
                    .distinct())
    return [key for key in PHASES[:PHASES.index(before)] if key not in noted]


@transaction.atomic
def move(initiative, direction, user, expected_phase=None, now=None) -> MoveResult:
    """Move one phase forward or back. `expected_phase` is the phase the user saw: if the initiative has
    moved since (a double tap, a colleague), nothing happens, so one tap never moves two phases."""
    now = now or timezone.now()
    fresh = Initiative.objects.select_for_update().get(pk=initiative.pk)
    result = MoveResult(fresh, moved=False, from_phase=fresh.phase)
    if expected_phase and expected_phase != fresh.phase:
        result.refused = STALE
        return result
    target = fresh.next_phase if direction == NEXT else fresh.previous_phase
    if target is None:
        result.refused = AT_END
        return result
    fresh.phase = target
    if target == PhaseKey.SHARE:
        fresh.shared_at = fresh.shared_at or now
    elif result.from_phase == PhaseKey.SHARE:
        fresh.shared_at = None
    fresh._history_user = user
    fresh.save(update_fields=["phase", "shared_at", "updated_at"])
    PhaseMove.objects.create(authority_id=fresh.authority_id, initiative=fresh, from_phase=result.from_phase,
                             to_phase=target, moved_at=now, moved_by=user)
    result.moved, result.to_phase = True, target
    if target == PhaseKey.SHARE:
        result.missing_notes = phases_without_notes(fresh)
    initiative.phase, initiative.shared_at = fresh.phase, fresh.shared_at
    return result


def add_note(initiative, text, user) -> PhaseNote:
    """A note in the initiative's current phase. The initiative itself does not change (its version stays, so a
    move or an edit on a page loaded before the note still applies); the board counts the note as activity."""
    return PhaseNote.objects.create(authority_id=initiative.authority_id, initiative=initiative,
                                    phase=initiative.phase, text=text, created_by=user)


# ---- links to the other registers ------------------------------------------------------------------


@dataclass(frozen=True)
class LinkKind:
    key: str
    through: type
    field: str  # the through model's field pointing at the linked record


LINK_KINDS = {
    "need": LinkKind("need", InitiativeNeed, "need"),
    "person": LinkKind("person", InitiativePerson, "person"),
    "facility": LinkKind("facility", InitiativeFacility, "facility"),
    "kpi": LinkKind("kpi", InitiativeKpi, "kpi"),
}


def link(initiative, kind, target, user) -> bool:
    """Link a record (already checked to be this authority's); False when it was linked already."""
    through = LINK_KINDS[kind].through
    _row, created = through.objects.get_or_create(
        initiative=initiative, **{LINK_KINDS[kind].field: target},
        defaults={"authority_id": initiative.authority_id, "linked_by": user})
    return created


def unlink(initiative, kind, target) -> bool:
    """Remove the link, one row at a time so that the audit history records each removal."""
    through = LINK_KINDS[kind].through
    rows = list(through.objects.filter(initiative=initiative, **{LINK_KINDS[kind].field: target}))
    for row in rows:
        row.delete()
    return bool(rows)


def _count(through):
    rows = (through.objects.filter(initiative=OuterRef("pk")).order_by().values("initiative")
            .annotate(n=Count("pk")).values("n")[:1])
    return Coalesce(Subquery(rows), Value(0))


def with_card_facts(initiatives):
    """Each initiative with the counts of its linked needs, people, facilities and KPIs, its last note, and
    when it was last active (changed, or a note written): subqueries in the one query, so a board of any size
    is one query."""
    last = PhaseNote.objects.filter(initiative=OuterRef("pk")).order_by("-created_at", "-pk")
    return initiatives.annotate(
        n_needs=_count(InitiativeNeed), n_people=_count(InitiativePerson),
        n_facilities=_count(InitiativeFacility), n_kpis=_count(InitiativeKpi),
        last_note=Subquery(last.values("text")[:1]), last_note_phase=Subquery(last.values("phase")[:1]),
        last_note_at=Subquery(last.values("created_at")[:1]),
    ).annotate(active_at=Greatest("updated_at", Coalesce("last_note_at", "updated_at")))


# ---- the practice write-up ---------------------------------------------------------------------------


def _block(texts):
    return "\n\n".join(t.strip() for t in texts if t and t.strip())


def practice_draft(initiative, notes, names, *, needs=(), people=(), facilities=()):
    """The write-up's first draft, from the initiative's notes and links: the problem from ASK, what we did
    from IMAGINE, PLAN and CREATE & BUILD, what worked from TEST & IMPROVE, what to watch for from SHARE."""
    by_phase = defaultdict(list)
    for note in notes:
        by_phase[note.phase].append(note.text)

    def headed(keys):
        parts = []
        for key in keys:
            if by_phase[key]:
                parts.append(f"{names[key][0]}:\n" + _block(by_phase[key]))
        return "\n\n".join(parts)

    resources = []
    if people:
        resources.append(_("People: %(names)s") % {"names": ", ".join(p.name for p in people)})
    if facilities:
        resources.append(_("Places: %(names)s") % {"names": ", ".join(f.name for f in facilities)})
    categories = []
    for need in needs:
        label = str(need.get_category_display())
        if label not in categories:
            categories.append(label)
    return {
        "title": initiative.title,
        "problem": _block([initiative.summary, *by_phase[PhaseKey.ASK]]),
        "what_we_did": headed([PhaseKey.IMAGINE, PhaseKey.PLAN, PhaseKey.CREATE]),
        "what_worked": _block(by_phase[PhaseKey.TEST]),
        "watch_for": _block(by_phase[PhaseKey.SHARE]),
        "resources_needed": "\n".join(resources),
        "tags": ", ".join(categories),
    }
