"""Matching resources to needs: a need's proposals, a person's needs, the stage-3 overview, the "assign all"
plan, and releasing an allocation.

The scores and the solver are in matching.py (pure); reading the registers and writing allocations in
allocation.py. Each page reads a constant number of queries however many people, needs or allocations
there are: the registers are read whole once and matched in memory.

The plan is recomputed on every visit rather than kept in the session: it is a deterministic function of
the registers (same data, same plan), a stored plan would go stale as soon as anyone allocates anything,
and the accept form carries the ticked pairs themselves — so accepting needs nothing stored, only each
pair checked again at that moment (allocation.accept_plan).
"""

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hosen.field.models import UNMET, URGENT, Need, NeedStatus
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as _url
from hosen.tenancy.navigation import safe_next as _safe_next
from hosen.workmodel.services import current_emergency

from . import allocation as services
from . import matching
from .models import Allocation, Availability, Person

PROPOSALS_PER_KIND = 10
NEEDS_PER_PERSON = 20
OVERVIEW_SHOWN = 20
PLAN_SHOWN = 50


def kind_labels():
    return {matching.PERSON: _("People"), matching.FACILITY: _("Facilities"), matching.FUNDING: _("Funding")}


def _needs(request):
    return Need.objects.filter(authority=request.authority)


def _need_or_404(request, need_pk):
    return get_object_or_404(services.with_site_protection(_needs(request)).select_related("site", "emergency"),
                             pk=need_pk)


def _active(allocations):
    return allocations.filter(released_at__isnull=True).select_related("person", "facility", "funding",
                                                                        "allocated_by")


def allocations_seen(allocations) -> str:
    """What the page knew of these allocations when it was shown: how many were ever made and how many
    released (both only grow). An allocate button carries it, so that a resource allocated, released and
    allocated again is a new sending, while the same page's button sent twice stays one allocation."""
    counts = allocations.aggregate(made=Count("pk"), released=Count("pk", filter=Q(released_at__isnull=False)))
    return f"{counts['made']}.{counts['released']}"


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---- one need's proposals ------------------------------------------------------------------------


def _need_block(request, need, **extra):
    """Everything the need's block shows: the need, its active allocations, and (when it can still take
    one) the proposals of each kind, best first, with their reasons."""
    allocations = list(_active(need.allocations.all()))
    can_change = request.access.can("change") and need.emergency.is_open
    open_for_more = need.emergency.is_open and need.status in UNMET
    groups = []
    if open_for_more:
        resources = services.load_resources(request.authority, need.emergency)
        exclude = {(kind, getattr(a, f"{field}_id")) for a in allocations
                   for kind, field in services.KIND_FIELDS.items() if getattr(a, f"{field}_id")}
        ranked = matching.rank_for_need(services.need_data(need), resources.people, resources.facilities,
                                        resources.funding, today=timezone.localdate(), k=PROPOSALS_PER_KIND,
                                        exclude=exclude)
        labels = kind_labels()
        for kind in matching.KINDS:
            rows = [{"match": match, "kind": kind, "obj": resources.shown[(kind, match.resource_id)]}
                    for match in ranked[kind]]
            groups.append({"kind": kind, "label": labels[kind], "rows": rows})
    return {
        "need": need, "allocations": allocations, "groups": groups, "open_for_more": open_for_more,
        "can_change": can_change, "proposed": sum(len(g["rows"]) for g in groups),
        "seen": allocations_seen(need.allocations.all()) if can_change and groups else "", **extra,
    }


def _allocate_from_post(request, need, kind, resource_id):
    """(allocation, error message)"""
    if kind not in services.KIND_FIELDS or resource_id is None:
        return None, _("Choose a person, a facility or a funding source.")
    resource = services.resource_queryset(kind, request.authority).filter(pk=resource_id).first()
    if resource is None:
        return None, _("That resource is not on the register any more.")
    try:
        return services.allocate(need, kind, resource, user=request.user), None
    except services.AllocationError as error:
        return None, str(error)


@authority_view(read="view", write="change")
def need_matches(request, need_pk):
    need = _need_or_404(request, need_pk)
    if request.method == "POST":
        made, error = _allocate_from_post(request, need, request.POST.get("kind"), _int(request.POST.get("resource")))
        done = None
        if made is not None:
            done = _("%(resource)s is allocated to this need.") % {"resource": made.resource}
        if request.htmx:
            need = _need_or_404(request, need_pk)  # its status may have moved
            return render(request, "resources/_match_need_block.html",
                          _need_block(request, need, done=done, error=error), status=422 if error else 200)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        return redirect(_url(request, "resources:need_matches", need_pk=need.pk))
    return render(request, "resources/match_need.html", _need_block(request, need))


# ---- one person's needs ---------------------------------------------------------------------------


def _person_block(request, person, emergency, **extra):
    allocations = list(_active(person.allocations.all()).select_related("need"))
    person.held_skills = list(person.skills.all())
    context = {"person": person, "emergency": emergency, "allocations": allocations, "rows": [],
               "can_change": request.access.can("change") and emergency is not None, **extra}
    if emergency is None or not person.is_active:
        return context
    if context["can_change"]:
        context["seen"] = allocations_seen(person.allocations.all())
    data = services.resource_data(person, matching.PERSON, emergency, load=len(allocations))
    needs = list(services.with_site_protection(
        _needs(request).filter(emergency=emergency, status__in=UNMET)).select_related("site"))
    by_id = {need.pk: need for need in needs}
    ranked = matching.rank_for_resource(matching.PERSON, data, [services.need_data(n) for n in needs],
                                        today=timezone.localdate(), k=NEEDS_PER_PERSON,
                                        exclude={a.need_id for a in allocations})
    context["rows"] = [{"need": by_id[need.id], "match": match,
                        "weighted": matching.urgency_weight(need.urgency) * match.score} for need, match in ranked]
    context["availability"] = person.availability_in(emergency)
    context["availability_label"] = dict(Availability.choices).get(context["availability"], "")
    return context


@authority_view(read="view", write="change")
def person_matches(request, person_pk):
    person = get_object_or_404(Person.objects.filter(authority=request.authority), pk=person_pk)
    emergency = current_emergency(request.authority)
    if request.method == "POST":
        error, done = None, None
        need = None
        if emergency is not None:
            need = services.with_site_protection(_needs(request).filter(emergency=emergency)).select_related(
                "site", "emergency").filter(pk=_int(request.POST.get("need"))).first()
        if need is None:
            error = _("That need is not on the register of the current emergency.")
        elif not person.is_active:
            error = _("%(name)s is no longer active on the register.") % {"name": person.name}
        else:
            try:
                services.allocate(need, matching.PERSON, person, user=request.user)
                done = _("%(resource)s is allocated to this need.") % {"resource": person.name}
            except services.AllocationError as exc:
                error = str(exc)
        if request.htmx:
            return render(request, "resources/_match_person_block.html",
                          _person_block(request, person, emergency, done=done, error=error, done_need=need),
                          status=422 if error else 200)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        return redirect(_url(request, "resources:person_matches", person_pk=person.pk))
    return render(request, "resources/match_person.html", _person_block(request, person, emergency))


# ---- releasing -----------------------------------------------------------------------------------


@authority_view(read="change", write="change")
def allocation_release(request, allocation_pk):
    allocation = get_object_or_404(
        Allocation.objects.filter(authority=request.authority).select_related(
            "need__site", "need__emergency", "person", "facility", "funding", "allocated_by", "released_by"),
        pk=allocation_pk)
    need_url = _url(request, "resources:need_matches", need_pk=allocation.need_id)
    if request.method != "POST":
        return render(request, "resources/match_release.html", {"allocation": allocation, "next": need_url})

    error = done = None
    if not allocation.need.emergency.is_open:
        error = _("This need belongs to a closed emergency and can no longer change.")
    elif services.release(allocation, user=request.user):
        done = _("%(resource)s is released from this need.") % {"resource": allocation.resource}
    else:
        done = _("This allocation was already released.")
    if request.htmx:
        status = 422 if error else 200
        if request.POST.get("block") == "person" and allocation.person_id:
            person = allocation.person
            return render(request, "resources/_match_person_block.html",
                          _person_block(request, person, current_emergency(request.authority), done=done,
                                        error=error), status=status)
        need = _need_or_404(request, allocation.need_id)
        return render(request, "resources/_match_need_block.html", _need_block(request, need, done=done, error=error),
                      status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_safe_next(request, need_url))


# ---- the stage-3 overview -------------------------------------------------------------------------


def _unallocated(needs):
    return needs.filter(~Exists(Allocation.objects.filter(need=OuterRef("pk"), released_at__isnull=True)))


@authority_view(read="view")
def matching_overview(request):
    emergency = current_emergency(request.authority)
    if emergency is None:
        return render(request, "resources/matching_overview.html", {"emergency": None})
    waiting = _unallocated(_needs(request).filter(emergency=emergency, status=NeedStatus.OPEN, urgency__in=URGENT))
    counts = _needs(request).filter(emergency=emergency).aggregate(
        open=Count("pk", filter=Q(status=NeedStatus.OPEN)),
        in_progress=Count("pk", filter=Q(status=NeedStatus.IN_PROGRESS)),
        urgent_open=Count("pk", filter=Q(status=NeedStatus.OPEN, urgency__in=URGENT)))
    allocated = Allocation.objects.filter(authority=request.authority, need__emergency=emergency,
                                          released_at__isnull=True).aggregate(
        total=Count("pk"), people=Count("person", distinct=True))
    needs = list(services.with_site_protection(waiting).select_related("site")
                 .order_by("-urgency", "created_at", "pk")[:OVERVIEW_SHOWN])
    rows = []
    if needs:
        resources = services.load_resources(request.authority, emergency)
        lookup = {kind: {x.id: x for x in resources.data(kind)} for kind in matching.KINDS}
        data = [services.need_data(n) for n in needs]
        today = timezone.localdate()
        best = matching.best_per_need(data, resources.people, resources.facilities, resources.funding, today=today)
        for need, need_datum in zip(needs, data, strict=True):
            row = {"need": need}
            if need.pk in best:
                kind, rid, _fit = best[need.pk]
                row.update(match=matching.score(need_datum, kind, lookup[kind][rid], today), kind=kind,
                           obj=resources.shown[(kind, rid)])
            rows.append(row)
    return render(request, "resources/matching_overview.html", {
        "emergency": emergency, "rows": rows, "waiting": waiting.count(), "counts": counts, "allocated": allocated,
        "shown": OVERVIEW_SHOWN,
    })


# ---- assign all -----------------------------------------------------------------------------------


def _plan_context(request, emergency):
    needs = list(services.with_site_protection(_needs(request).filter(emergency=emergency, status=NeedStatus.OPEN))
                 .select_related("site").order_by("-urgency", "created_at", "pk"))
    resources = services.load_resources(request.authority, emergency, free_only=True)
    data = {n.pk: services.need_data(n) for n in needs}
    today = timezone.localdate()
    plan = matching.build_plan(list(data.values()), resources.people, resources.facilities, resources.funding,
                               today=today)
    by_need = {n.pk: n for n in needs}
    lookup = {kind: {x.id: x for x in resources.data(kind)} for kind in matching.KINDS}
    rows = []
    for pair in plan.pairs[:PLAN_SHOWN]:
        match = matching.score(data[pair.need_id], pair.kind, lookup[pair.kind][pair.resource_id], today)
        rows.append({"pair": pair, "need": by_need[pair.need_id], "kind": pair.kind, "match": match,
                     "obj": resources.shown[(pair.kind, pair.resource_id)],
                     "value": f"{pair.need_id}:{pair.kind}:{pair.resource_id}"})
    free = len(resources.people) + len(resources.facilities) + len(resources.funding)
    can_change = request.access.can("change")
    seen = ""
    if can_change and rows:
        seen = allocations_seen(Allocation.objects.filter(authority=request.authority, need__emergency=emergency))
    return {"emergency": emergency, "plan": plan, "rows": rows, "more": max(0, len(plan.pairs) - PLAN_SHOWN),
            "free": free, "uncovered": plan.needs - len(plan.pairs), "shown": PLAN_SHOWN,
            "can_change": can_change, "seen": seen}


def _parse_pairs(values):
    pairs, bad = [], 0
    for value in values:
        parts = str(value).split(":")
        if len(parts) == 3 and parts[1] in services.KIND_FIELDS and parts[0].isdigit() and parts[2].isdigit():
            pair = (int(parts[0]), parts[1], int(parts[2]))
            if pair not in pairs:
                pairs.append(pair)
        else:
            bad += 1
    return pairs, bad


MESSAGES_SHOWN = 8


@authority_view(read="view", write="change")
def plan(request):
    emergency = current_emergency(request.authority)
    if emergency is None:
        return render(request, "resources/plan_review.html", {"emergency": None})
    if request.method == "POST":
        pairs, bad = _parse_pairs(request.POST.getlist("pair"))
        if not pairs:
            messages.error(request, _("Tick at least one pair to allocate."))
            return redirect(_url(request, "resources:plan"))
        made, skipped = services.accept_plan(request.authority, emergency, pairs, user=request.user)
        if made:
            messages.success(request, ngettext("%(n)d allocation made.", "%(n)d allocations made.", len(made))
                             % {"n": len(made)})
        if skipped or bad:
            names = _skipped_names(request, skipped[:MESSAGES_SHOWN])
            for item in skipped[:MESSAGES_SHOWN]:
                messages.warning(request, _("Skipped: %(need)s ← %(resource)s — %(why)s") % {
                    "need": names.get(("need", item.need_id), item.need_id),
                    "resource": names.get((item.kind, item.resource_id), item.resource_id), "why": item.why})
            rest = len(skipped) - MESSAGES_SHOWN + bad
            if rest > 0:
                messages.warning(request, ngettext("%(n)d more pair skipped.", "%(n)d more pairs skipped.", rest)
                                 % {"n": rest})
        return redirect(_url(request, "resources:plan"))
    return render(request, "resources/plan_review.html", _plan_context(request, emergency))


def _skipped_names(request, skipped):
    """Readable names for the skipped pairs' messages (three queries at most, for a handful of pairs)."""
    names = {}
    need_ids = {s.need_id for s in skipped}
    for need in _needs(request).filter(pk__in=need_ids):
        names[("need", need.pk)] = need.get_category_display()
    for kind in services.KIND_FIELDS:
        ids = {s.resource_id for s in skipped if s.kind == kind}
        if ids:
            for obj in services.resource_queryset(kind, request.authority).filter(pk__in=ids):
                names[(kind, obj.pk)] = obj.name
    return names
