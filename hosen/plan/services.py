"""Writing the work plan and the KPI set: shared by the pages, the demo data and the tests."""

import hashlib

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from .kpis import current_decision
from .models import RUNNING, ActivityDecision, Decision, Kpi, KpiSetChange, KpiTemplate, TemplateKind


@transaction.atomic
def decide(activity, emergency, *, decision, ways=(), how="", reason="", user=None, now=None):
    """Record a decision for the activity in the emergency. The earlier current decision stays as
    history; the new one becomes current. Returns the new decision, or None when it says exactly what
    the current one says (nothing to record)."""
    ways = [w for w in ways] if decision == Decision.ADAPT else []
    how = how.strip() if decision == Decision.ADAPT else ""
    reason = reason.strip()
    previous = (ActivityDecision.objects.select_for_update()
                .filter(activity=activity, emergency=emergency, is_current=True).first())
    if previous is not None and (previous.decision, previous.ways, previous.how, previous.reason) == (
            decision, ways, how, reason):
        return None
    if previous is not None:
        previous.is_current = False
        previous._history_user = user
        previous.save(update_fields=["is_current"])
    new = ActivityDecision(authority_id=activity.authority_id, activity=activity, emergency=emergency,
                           decision=decision, ways=ways, how=how, reason=reason, decided_by=user,
                           decided_at=now or timezone.now())
    new._history_user = user
    new.save()
    return new


def continuity(activities, emergency) -> dict:
    """Counts for "continuity at a glance", in one query: the essential activities running (continue or
    adapt), paused, stopped and not yet decided, and the same for the whole plan."""
    if emergency is None:
        counts = activities.aggregate(total=Count("pk"), essential=Count("pk", filter=Q(is_essential=True)))
        return {"total": counts["total"], "essential": counts["essential"]}
    ess = Q(is_essential=True)
    counts = activities.annotate(current=current_decision(emergency)).aggregate(
        total=Count("pk"),
        essential=Count("pk", filter=ess),
        running=Count("pk", filter=ess & Q(current__in=RUNNING)),
        adapted=Count("pk", filter=ess & Q(current=Decision.ADAPT)),
        paused=Count("pk", filter=ess & Q(current=Decision.PAUSE)),
        stopped=Count("pk", filter=ess & Q(current=Decision.STOP)),
        undecided=Count("pk", filter=ess & Q(current__isnull=True)),
        all_running=Count("pk", filter=Q(current__in=RUNNING)),
        all_adapted=Count("pk", filter=Q(current=Decision.ADAPT)),
        all_paused=Count("pk", filter=Q(current=Decision.PAUSE)),
        all_stopped=Count("pk", filter=Q(current=Decision.STOP)),
        all_undecided=Count("pk", filter=Q(current__isnull=True)),
        born=Count("pk", filter=Q(born_in=emergency)),
    )
    return counts


def glance_bar(counts, width=100) -> list[dict]:
    """The essential activities as one stacked bar: segments (running, paused, stopped, undecided) with
    their x and width in a 0..100 box, for a tiny SVG drawn with presentation attributes."""
    total = counts.get("essential") or 0
    segments, x = [], 0.0
    for key in ("running", "paused", "stopped", "undecided"):
        n = counts.get(key) or 0
        w = round(width * n / total, 2) if total else 0
        segments.append({"key": key, "n": n, "x": round(x, 2), "w": w})
        x += w
    return segments


# ---- the KPI set ---------------------------------------------------------------------------------


def kpi_set(authority, emergency):
    """The active KPIs of the emergency's set, or of the routine set when there is no emergency."""
    return Kpi.objects.filter(authority=authority, emergency=emergency, is_active=True).select_related("template")


def offered_templates(emergency):
    """In an emergency the emergency templates are offered; routine ones are kept apart (and offered on
    their own, folded). Without an emergency, the routine templates are the set."""
    templates = KpiTemplate.objects.filter(is_active=True)
    if emergency is None:
        return templates.filter(kind=TemplateKind.ROUTINE), KpiTemplate.objects.none()
    return templates.filter(kind=TemplateKind.EMERGENCY), templates.filter(kind=TemplateKind.ROUTINE)


def _from_template(template, authority, emergency, user, now):
    return Kpi(authority=authority, emergency=emergency, template=template, unit=template.unit,
               cadence=template.cadence, direction=template.direction, source=template.source,
               target=template.default_target, chosen_at=now, chosen_by=user)


@transaction.atomic
def choose(authority, emergency, user, *, offered, chosen_templates, kept_custom=None):
    """Make the set follow the manager's choice among the `offered` templates: chosen ones come in (a KPI
    that left the set earlier comes back with its measurements), unchosen ones leave (kept, inactive).
    Custom KPIs of the set not in `kept_custom` leave too. The switch is recorded as a KpiSetChange;
    returns it, or None when nothing changed."""
    now = timezone.now()
    offered_ids = {t.pk for t in offered}
    chosen_ids = {t.pk for t in chosen_templates} & offered_ids
    mine = {k.template_id: k for k in Kpi.objects.filter(authority=authority, emergency=emergency,
                                                         template_id__in=offered_ids)}
    added, removed = [], []
    for template in offered:
        kpi = mine.get(template.pk)
        if template.pk in chosen_ids:
            if kpi is None:
                kpi = _from_template(template, authority, emergency, user, now)
                kpi._history_user = user
                kpi.save()
                added.append(kpi.pk)
            elif not kpi.is_active:
                kpi.is_active, kpi.chosen_at, kpi.chosen_by = True, now, user
                kpi._history_user = user
                kpi.save(update_fields=["is_active", "chosen_at", "chosen_by"])
                added.append(kpi.pk)
        elif kpi is not None and kpi.is_active:
            kpi.is_active = False
            kpi._history_user = user
            kpi.save(update_fields=["is_active"])
            removed.append(kpi.pk)
    if kept_custom is not None:
        keep = {k.pk for k in kept_custom}
        for kpi in Kpi.objects.filter(authority=authority, emergency=emergency, template__isnull=True, is_active=True):
            if kpi.pk not in keep:
                kpi.is_active = False
                kpi._history_user = user
                kpi.save(update_fields=["is_active"])
                removed.append(kpi.pk)
    if not added and not removed:
        return None
    return record_change(authority, emergency, user, added=added, removed=removed, now=now)


def set_version(authority, emergency, *, lock=False) -> str:
    """The version of the set as stored now: which KPIs are in it. A choice sent from a page that showed
    another set is a conflict. `lock` holds the set's rows until the request's transaction ends."""
    rows = Kpi.objects.filter(authority=authority, emergency=emergency)
    if lock and connection.in_atomic_block and connection.features.has_select_for_update:
        rows = rows.select_for_update()
    active = sorted(pk for pk, is_active in rows.values_list("pk", "is_active") if is_active)
    return hashlib.blake2b(repr(active).encode(), digest_size=10).hexdigest()


def record_change(authority, emergency, user, *, added=(), removed=(), now=None):
    change = KpiSetChange(authority=authority, emergency=emergency, changed_by=user, added=list(added),
                          removed=list(removed), changed_at=now or timezone.now())
    change._history_user = user
    change.save()
    return change


@transaction.atomic
def add_custom(authority, emergency, user, **fields):
    kpi = Kpi(authority=authority, emergency=emergency, chosen_by=user, chosen_at=timezone.now(), **fields)
    kpi._history_user = user
    kpi.save()
    record_change(authority, emergency, user, added=[kpi.pk], now=kpi.chosen_at)
    return kpi


def set_changes(authority, emergency, limit=5):
    """The latest switches of the set, each with the titles of what came in and went out (two queries)."""
    changes = list(KpiSetChange.objects.filter(authority=authority, emergency=emergency)
                   .select_related("changed_by")[:limit])
    ids = {pk for c in changes for pk in (*c.added, *c.removed)}
    titles = {k.pk: k.title for k in Kpi.objects.filter(authority=authority, pk__in=ids).select_related("template")}
    for change in changes:
        change.added_titles = [titles[pk] for pk in change.added if pk in titles]
        change.removed_titles = [titles[pk] for pk in change.removed if pk in titles]
    return changes
