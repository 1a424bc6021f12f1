"""Allocations: reading the registers into the matcher's plain data (hosen/resources/matching.py), and
writing the allocations the manager chooses — one at a time, or a whole accepted plan at once.

Every write keeps its history: the Allocation itself (simple-history, with who did it) and the need's
status, moved through hosen.field.services.change_need_status.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.field.models import Need, NeedStatus, SiteStatus
from hosen.field.services import change_need_status

from . import matching
from .models import Allocation, Availability, Facility, FundingSource, FundingStatus, Person, Skill

KIND_FIELDS = {matching.PERSON: "person", matching.FACILITY: "facility", matching.FUNDING: "funding"}
RESOURCE_MODELS = {matching.PERSON: Person, matching.FACILITY: Facility, matching.FUNDING: FundingSource}


class AllocationError(Exception):
    """An allocation that cannot be made or released; its message is for the user."""


# ---- reading: the registers as plain data --------------------------------------------------------


def with_site_protection(needs):
    """Annotate needs with `site_protected_now`: whether the newest status report of the need's site in
    the need's emergency says its protected space is available (None when no report says)."""
    return needs.annotate(site_protected_now=Subquery(
        SiteStatus.objects.filter(site=OuterRef("site_id"), emergency=OuterRef("emergency_id"))
        .exclude(protected_space_available__isnull=True)
        .order_by("-reported_at", "-pk").values("protected_space_available")[:1]))


def need_data(need) -> matching.NeedData:
    """A need (select_related("site"), annotated by with_site_protection) as the matcher sees it."""
    site = need.site if need.site_id else None
    lacks = False
    if site is not None:
        reported = getattr(need, "site_protected_now", None)
        lacks = (reported is False) or (reported is None and not site.has_protected_space)
    return matching.NeedData(
        id=need.pk, category=need.category, urgency=need.urgency, area=matching.normal_area(site.area if site else ""),
        quantity=need.quantity, language=matching.written_language(need.description), lacks_protection=lacks,
    )


def active_loads(authority) -> dict[str, Counter]:
    """Active allocations per resource: {"person": Counter({id: n}), ...}. One query."""
    loads = {kind: Counter() for kind in KIND_FIELDS}
    rows = Allocation.objects.filter(authority=authority, released_at__isnull=True).values_list(
        "person_id", "facility_id", "funding_id")
    for person_id, facility_id, funding_id in rows:
        if person_id:
            loads[matching.PERSON][person_id] += 1
        elif facility_id:
            loads[matching.FACILITY][facility_id] += 1
        elif funding_id:
            loads[matching.FUNDING][funding_id] += 1
    return loads


@dataclass
class Resources:
    """The authority's resources for matching: plain data for the matcher, and the rows to show."""

    people: list
    facilities: list
    funding: list
    shown: dict  # {(kind, id): model instance}

    def data(self, kind):
        return {matching.PERSON: self.people, matching.FACILITY: self.facilities, matching.FUNDING: self.funding}[kind]


def load_resources(authority, emergency, *, free_only=False, loads=None, kinds=matching.KINDS,
                   person_ids=None) -> Resources:
    """Active people, facilities and funding sources of the authority, as the matcher's data. Six queries
    (skills, people, their skills, facilities, funding, active allocations), whatever their number.
    `free_only` leaves out whatever has an active allocation (the plan uses each resource once)."""
    loads = active_loads(authority) if loads is None else loads
    shown, people, facilities, funding = {}, [], [], []
    if matching.PERSON in kinds:
        skills = {s.pk: s for s in Skill.objects.filter(Q(authority__isnull=True) | Q(authority=authority))}
        persons = Person.objects.filter(authority=authority, is_active=True)
        if person_ids is not None:
            persons = persons.filter(pk__in=person_ids)
        persons = list(persons.only("name", "kind", "organisation", "role", "area", "languages", "availability",
                                    "availability_emergency_id", "authority_id"))
        held: dict[int, list] = {}
        through = Person.skills.through.objects.filter(person__authority=authority)
        if person_ids is not None:
            through = through.filter(person_id__in=person_ids)
        for person_id, skill_id in through.values_list("person_id", "skill_id"):
            held.setdefault(person_id, []).append(skills[skill_id])
        for person in persons:
            load = loads[matching.PERSON][person.pk]
            if free_only and load:
                continue
            person.held_skills = held.get(person.pk, [])
            people.append(matching.PersonData(
                id=person.pk, skills=tuple((s.tr("name"), frozenset(s.categories or ())) for s in person.held_skills),
                availability=person.availability_in(emergency), area=person.area,
                languages=frozenset(person.languages or ()), load=load))
            shown[(matching.PERSON, person.pk)] = person
    if matching.FACILITY in kinds:
        for facility in Facility.objects.filter(authority=authority, is_active=True).select_related("site"):
            load = loads[matching.FACILITY][facility.pk]
            if free_only and load:
                continue
            facilities.append(matching.FacilityData(
                id=facility.pk, is_protected=facility.is_protected, capacity=facility.capacity,
                availability=facility.availability, area=facility.area or (facility.site.area if facility.site else ""),
                load=load))
            shown[(matching.FACILITY, facility.pk)] = facility
    if matching.FUNDING in kinds:
        sources = FundingSource.objects.filter(authority=authority).exclude(status=FundingStatus.REJECTED)
        if emergency is not None:
            sources = sources.filter(Q(emergency__isnull=True) | Q(emergency=emergency))
        for source in sources:
            load = loads[matching.FUNDING][source.pk]
            if free_only and load:
                continue
            funding.append(matching.FundingData(
                id=source.pk, categories=frozenset(source.categories or ()), status=source.status,
                deadline=source.deadline, load=load))
            shown[(matching.FUNDING, source.pk)] = source
    return Resources(people, facilities, funding, shown)


def resource_data(resource, kind, emergency, load=0):
    """One resource, already loaded (people with `held_skills`), as the matcher's data."""
    if kind == matching.PERSON:
        return matching.PersonData(
            id=resource.pk, skills=tuple((s.tr("name"), frozenset(s.categories or ())) for s in resource.held_skills),
            availability=resource.availability_in(emergency), area=resource.area,
            languages=frozenset(resource.languages or ()), load=load)
    if kind == matching.FACILITY:
        return matching.FacilityData(
            id=resource.pk, is_protected=resource.is_protected, capacity=resource.capacity,
            availability=resource.availability, area=resource.area or (resource.site.area if resource.site else ""),
            load=load)
    return matching.FundingData(id=resource.pk, categories=frozenset(resource.categories or ()),
                                status=resource.status, deadline=resource.deadline, load=load)


def resource_queryset(kind, authority):
    if kind == matching.PERSON:
        return Person.objects.filter(authority=authority, is_active=True)
    if kind == matching.FACILITY:
        return Facility.objects.filter(authority=authority, is_active=True).select_related("site")
    if kind == matching.FUNDING:
        return FundingSource.objects.filter(authority=authority)
    raise AllocationError(_("Choose a person, a facility or a funding source."))


# ---- writing -------------------------------------------------------------------------------------


def _check_need(need):
    if not need.emergency.is_open:
        raise AllocationError(_("This need belongs to a closed emergency and can no longer change."))
    if need.status not in (NeedStatus.OPEN, NeedStatus.IN_PROGRESS):
        raise AllocationError(_("This need is no longer open: nothing can be allocated to it."))


def _check_resource(kind, resource, emergency):
    if kind == matching.PERSON and resource.availability_in(emergency) == Availability.UNAVAILABLE:
        raise AllocationError(_("%(name)s is not available in this emergency.") % {"name": resource.name})
    if kind == matching.FACILITY and resource.availability == Availability.UNAVAILABLE:
        raise AllocationError(_("%(name)s is not available.") % {"name": resource.name})
    if kind == matching.FUNDING and resource.status == FundingStatus.REJECTED:
        raise AllocationError(_("%(name)s was rejected: it cannot fund anything.") % {"name": resource.name})


def _check_note(note):
    """A note longer than its column is refused with the limit and its length, never cut."""
    try:
        MaxLengthValidator(Allocation._meta.get_field("note").max_length)(note)
    except ValidationError as error:
        raise AllocationError(error.messages[0]) from error


def _create(need, kind, resource, user, note=""):
    allocation = Allocation(authority_id=need.authority_id, need=need, note=note, allocated_by=user,
                            allocated_at=timezone.now(), **{KIND_FIELDS[kind]: resource})
    allocation._history_user = user
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError as error:
        raise AllocationError(_("%(name)s is already allocated to this need.") % {"name": resource.name}) from error
    return allocation


def allocate(need, kind, resource, *, user=None, note="") -> Allocation:
    """Allocate a resource to a need: the allocation is kept with its history, and an open need moves
    to "in progress". A resource already allocated to the need (not released) is refused — the
    database's constraint decides, so two managers tapping at once cannot both succeed."""
    if kind not in KIND_FIELDS:
        raise AllocationError(_("Choose a person, a facility or a funding source."))
    _check_need(need)
    _check_resource(kind, resource, need.emergency)
    _check_note(note)
    with transaction.atomic():
        allocation = _create(need, kind, resource, user, note)
        if need.status == NeedStatus.OPEN:
            change_need_status(need, NeedStatus.IN_PROGRESS, user)
    return allocation


def release(allocation, *, user=None) -> bool:
    """Release an allocation (kept, with who released it and when). When the need has no other active
    allocation and is "in progress", it goes back to "open". Returns False when it was already released."""
    with transaction.atomic():
        current = Allocation.objects.select_for_update().select_related("need").get(pk=allocation.pk)
        if current.released_at is not None:
            return False
        current.released_at = timezone.now()
        current.released_by = user
        current._history_user = user
        current.save(update_fields=["released_at", "released_by"])
        allocation.released_at, allocation.released_by = current.released_at, user
        need = current.need
        others = Allocation.objects.filter(need=need, released_at__isnull=True).exists()
        if not others and need.status == NeedStatus.IN_PROGRESS:
            change_need_status(need, NeedStatus.OPEN, user)
        allocation.need = need
    return True


# ---- accepting a plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    need_id: int
    kind: str
    resource_id: int
    why: str


def accept_plan(authority, emergency, pairs, *, user=None, today=None):
    """Allocate the ticked pairs of a plan, all in one transaction. Each pair is checked again now: the
    need still open in this emergency, the resource still free (no active allocation, not used by an
    earlier pair) and still a fit. Returns (allocations made, [Skipped])."""
    today = today or timezone.localdate()
    need_ids = {need_id for need_id, _kind, _rid in pairs}
    needs = {need.pk: need for need in with_site_protection(
        Need.objects.filter(authority=authority, emergency=emergency, pk__in=need_ids)
        .select_related("site", "emergency"))}
    wanted = {kind: {rid for _n, k, rid in pairs if k == kind} for kind in KIND_FIELDS}
    resources = load_resources(authority, emergency, free_only=False,
                               kinds=tuple(k for k in KIND_FIELDS if wanted[k]), person_ids=wanted[matching.PERSON])
    made, skipped, used, served = [], [], set(), set()
    with transaction.atomic():
        # Lock the resources asked for, then read who is busy: two plans accepted at the same moment
        # cannot both take one resource (on SQLite the write transaction already serialises them).
        for kind in KIND_FIELDS:
            if wanted[kind]:
                list(RESOURCE_MODELS[kind].objects.select_for_update().filter(authority=authority, pk__in=wanted[kind])
                     .values_list("pk", flat=True))
        busy = active_loads(authority)
        for need_id, kind, rid in pairs:
            need = needs.get(need_id)
            resource = resources.shown.get((kind, rid))
            why = None
            if need is None or resource is None:
                why = _("not found")
            elif need.status != NeedStatus.OPEN:
                why = _("the need is no longer open")
            elif need_id in served:
                why = _("the need already got a resource above")
            elif busy[kind][rid] or (kind, rid) in used:
                why = _("the resource is no longer free")
            elif matching.score(need_data(need), kind, resource_data(resource, kind, emergency), today) is None:
                why = _("the resource no longer fits the need")
            if why is None:
                try:
                    made.append(allocate(need, kind, resource, user=user))
                except AllocationError as error:
                    why = str(error)
            if why is not None:
                skipped.append(Skipped(need_id, kind, rid, str(why)))
                continue
            used.add((kind, rid))
            served.add(need_id)
    return made, skipped
