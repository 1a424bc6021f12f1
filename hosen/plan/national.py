"""Stage-4 work plan and KPIs for the generated national network (see hosen/tenancy/national.py): 20–60
plan activities per authority (some of them new responses born in the open emergency) with their decisions
in that emergency (some changed once, the earlier one kept as history), and a KPI set chosen from the
templates for each open emergency (and a routine set for some authorities) with measurements over the
last weeks: entered by hand, or computed — the newest computed value from the registers as they are.

Attributes these steps set on the shared `Generation`, for the steps after them:

- `activities_by_authority`  {authority pk: [Activity]}
- `kpis_by_emergency`        {emergency pk: [Kpi]} (the active KPIs of each open emergency's set)
- `kpi_sets`                 [(emergency or None, authority, manager, chosen at, [Kpi])], one per set made
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from hosen.tenancy.national import _by_history as stamped

from . import kpis as computations
from .models import (
    CADENCE_DAYS,
    Activity,
    ActivityAudience,
    ActivityDecision,
    ActivityKind,
    AdaptWay,
    Decision,
    Direction,
    Kpi,
    KpiSetChange,
    KpiTemplate,
    Measurement,
    TemplateKind,
    Unit,
)

BATCH = 1000
ACTIVITIES_PER_AUTHORITY = (20, 60)  # about 10,000 for 260 authorities

# (name, kind, audience, STEM)
ACTIVITIES = [
    ("רובוטיקה לכיתות ז׳–ח׳", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, True),
    ("מועדון מתמטיקה אחר הצהריים", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, True),
    ("השתלמות מורים: למידה מבוססת פרויקטים", ActivityKind.COURSE, ActivityAudience.TEACHERS, True),
    ("יריד מדע עירוני", ActivityKind.EVENT, ActivityAudience.COMMUNITY, True),
    ("תכנית יזמות טכנולוגית לתיכון", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, True),
    ("סדנאות הורים: מדע בבית", ActivityKind.COURSE, ActivityAudience.PARENTS, True),
    ("אסטרונומיה בלילה", ActivityKind.EVENT, ActivityAudience.COMMUNITY, True),
    ("קורס תכנות לבנות", ActivityKind.COURSE, ActivityAudience.STUDENTS, True),
    ("מעבדת מייקרים פתוחה", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, True),
    ("אולימפיאדת מדעים בית ספרית", ActivityKind.EVENT, ActivityAudience.STUDENTS, True),
    ("חוג חלל ולוויינים", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, True),
    ("תגבור אנגלית לכיתות ט׳", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, False),
    ("קהילת מורים למדעים", ActivityKind.COURSE, ActivityAudience.TEACHERS, True),
    ("השתלמות גננות: חקר בגן", ActivityKind.COURSE, ActivityAudience.TEACHERS, True),
    ("מסע תגליות בטבע", ActivityKind.EVENT, ActivityAudience.STUDENTS, True),
    ("נבחרת סייבר", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, True),
    ("ערב קהילה: חדשנות בחינוך", ActivityKind.EVENT, ActivityAudience.COMMUNITY, False),
    ("מנטורינג של סטודנטים לתלמידים", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, True),
    ("תיאטרון נוער", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, False),
    ("מרכז למידה אחר הצהריים", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, False),
    ("בית ספר להורים", ActivityKind.COURSE, ActivityAudience.PARENTS, False),
    ("חוג הדפסה בתלת־ממד", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS, True),
]
NEW_RESPONSES = [
    ("קו חם להורים: תמיכה בלמידה מרחוק", ActivityKind.PROGRAMME, ActivityAudience.PARENTS),
    ("ערכות מדע לבית למשפחות מפונות", ActivityKind.PROGRAMME, ActivityAudience.COMMUNITY),
    ("פעילות מדע במרחבים המוגנים", ActivityKind.PROGRAMME, ActivityAudience.STUDENTS),
    ("שיעורי תגבור בזום למפונים", ActivityKind.COURSE, ActivityAudience.STUDENTS),
    ("מפגשי חוסן לצוותי ההוראה", ActivityKind.COURSE, ActivityAudience.TEACHERS),
    ("השאלת מחשבים ניידים", ActivityKind.OTHER, ActivityAudience.STUDENTS),
]
PARTNERS = ["עמותת מדע לכל", "מכללת הגליל", "המרכז למדע", "חברת הייטק מקומית", "מצפה הכוכבים", "עמותת קוד",
            "האוניברסיטה הפתוחה", "מתנדבי הקהילה", "", "", ""]
DECISION_WEIGHTS = {Decision.CONTINUE: 3, Decision.ADAPT: 4, Decision.PAUSE: 3, Decision.STOP: 1}
ADAPTATIONS = [
    ([AdaptWay.ONLINE], "בזום, פעמיים בשבוע"),
    ([AdaptWay.PROTECTED_SPACE, AdaptWay.SMALLER_GROUPS], "קבוצות של 12 במקלט"),
    ([AdaptWay.SMALLER_GROUPS], "קבוצות קטנות, בלי התקהלות"),
    ([AdaptWay.OTHER_PLACE], "עובר למתנ\"ס הסמוך"),
    ([AdaptWay.OTHER_TIME], "בבקרים במקום אחר הצהריים"),
    ([AdaptWay.ONLINE, AdaptWay.OTHER_TIME], "הקלטות לצפייה בערב"),
    ([AdaptWay.PROTECTED_SPACE], "במרחב המוגן של בית הספר"),
]
REASONS = {
    Decision.CONTINUE: ["", "הפעילות מתקיימת במרחב מוגן", "חיונית לתלמידים"],
    Decision.ADAPT: ["אין אפשרות להתכנס בכיתות", "בית הספר סגור", "הנחיות פיקוד העורף", "חלק מהתלמידים מפונים"],
    Decision.PAUSE: ["המנטורים גויסו למילואים", "המרכז משמש לקליטת מפונים", "עד שייפתחו המוסדות",
                     "אין הסעות"],
    Decision.STOP: ["אין התקהלויות לפי הנחיות פיקוד העורף", "השותף הפסיק את הפעילות", "התקציב הופנה לחירום"],
}


def _choice(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _owner(gen, authority_id):
    people = gen.people_by_authority.get(authority_id)
    if people and gen.rng.random() < 0.8:
        return gen.rng.choice(people).name
    return ""


def _school_year(today):
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    return start, date(start.year + 1, 6, 20)


def activities(gen):
    rng = gen.rng
    starts, ends = _school_year(gen.today)
    objs = []
    for authority in gen.authorities:
        facilities = [f for f in getattr(gen, "facilities_by_authority", {}).get(authority.pk, []) if f.is_active]
        sites = gen.sites_by_authority.get(authority.pk, [])
        for number in range(rng.randint(*ACTIVITIES_PER_AUTHORITY)):
            name, kind, audience, stem = ACTIVITIES[number % len(ACTIVITIES)]
            if number >= len(ACTIVITIES):
                name = f"{name} — {rng.choice(sites).name}" if sites else f"{name} {number // len(ACTIVITIES) + 1}"
            facility = rng.choice(facilities) if facilities and rng.random() < 0.3 else None
            site = rng.choice(sites) if sites and facility is None and rng.random() < 0.4 else None
            objs.append(Activity(
                authority=authority, name=name, kind=kind, audience=audience, partner=rng.choice(PARTNERS),
                place="" if facility or site else rng.choice(["", "בזום", "בית הספר", "מרכז המדעים העירוני"]),
                facility=facility, site=site, starts_on=starts, ends_on=ends if kind != ActivityKind.EVENT else starts,
                owner=_owner(gen, authority.pk), is_essential=rng.random() < 0.35, is_stem=stem,
                is_active=rng.random() < 0.95, created_at=gen.when(starts - timedelta(days=rng.randint(5, 60))),
            ))
        emergency = gen.open_emergency_of.get(authority.pk)
        if emergency is not None:
            for name, kind, audience in rng.sample(NEW_RESPONSES, rng.randint(0, 4)):
                born = gen.when(emergency.started_on, 12) + timedelta(days=rng.randint(0, 3))
                objs.append(Activity(
                    authority=authority, name=name, kind=kind, audience=audience, partner=rng.choice(PARTNERS),
                    place=rng.choice(["בזום", "מרכז הקליטה", "טלפון ווטסאפ", "המקלטים הציבוריים"]),
                    starts_on=emergency.started_on, owner=_owner(gen, authority.pk), is_essential=rng.random() < 0.5,
                    born_in=emergency, created_at=min(born, gen.now),
                ))
    stamped(objs, lambda a: (a.created_at, gen.managers[a.authority_id]))
    bulk_create_with_history(objs, Activity, batch_size=BATCH)
    gen.activities_by_authority = {}
    for activity in objs:
        gen.activities_by_authority.setdefault(activity.authority_id, []).append(activity)


def decisions(gen):
    """A decision for most activities in the open emergency; some changed once (the first kept, not current)."""
    rng = gen.rng
    objs = []
    for emergency in gen.open_emergencies:
        manager = gen.managers[emergency.authority_id]
        start = gen.when(emergency.started_on, 9)
        span = max((gen.now - start).total_seconds(), 3600)
        for activity in gen.activities_by_authority.get(emergency.authority_id, []):
            if not activity.is_active or rng.random() < 0.15:
                continue  # not decided yet
            first_at = start + timedelta(seconds=span * rng.random() * 0.5)
            chain = [(first_at, _choice(rng, DECISION_WEIGHTS))]
            if rng.random() < 0.2:
                later = first_at + timedelta(seconds=(gen.now - first_at).total_seconds() * rng.random() * 0.9)
                chain.append((later, rng.choice([d for d in Decision.values if d != chain[0][1]])))
            for index, (at, decision) in enumerate(chain):
                ways, how = rng.choice(ADAPTATIONS) if decision == Decision.ADAPT else ([], "")
                objs.append(ActivityDecision(
                    authority_id=emergency.authority_id, activity=activity, emergency=emergency, decision=decision,
                    ways=list(ways), how=how, reason=rng.choice(REASONS[decision]), decided_at=at, decided_by=manager,
                    is_current=index == len(chain) - 1,
                ))
    stamped(objs, lambda d: (d.decided_at, d.decided_by))
    bulk_create_with_history(objs, ActivityDecision, batch_size=BATCH)


def _templates():
    if not KpiTemplate.objects.filter(is_active=True).exists():
        from .templates_loader import load

        load()
    templates = list(KpiTemplate.objects.filter(is_active=True))
    return ([t for t in templates if t.kind == TemplateKind.EMERGENCY],
            [t for t in templates if t.kind == TemplateKind.ROUTINE])


def _kpi(template, authority, emergency, user, at):
    return Kpi(authority=authority, emergency=emergency, template=template, unit=template.unit,
               cadence=template.cadence, direction=template.direction, source=template.source,
               target=template.default_target, chosen_at=at, chosen_by=user)


def kpi_sets(gen):
    """The KPI set of each open emergency (4–8 emergency templates), a routine set for some authorities, and
    the recorded switches of the sets (the first choice; sometimes a KPI dropped later)."""
    rng = gen.rng
    emergency_templates, routine_templates = _templates()
    authorities = {a.pk: a for a in gen.authorities}
    sets = []  # (emergency or None, authority, user, chosen at, [Kpi])
    for emergency in gen.open_emergencies:
        if not emergency_templates:
            break
        at = gen.when(emergency.started_on, 11) + timedelta(hours=rng.randint(0, 36))
        user = gen.managers[emergency.authority_id]
        chosen = rng.sample(emergency_templates, min(len(emergency_templates), rng.randint(4, 8)))
        sets.append((emergency, authorities[emergency.authority_id], user, min(at, gen.now),
                     [_kpi(t, authorities[emergency.authority_id], emergency, user, min(at, gen.now)) for t in chosen]))
    for authority in gen.authorities:
        if routine_templates and rng.random() < 0.4:
            user = gen.managers[authority.pk]
            at = gen.now - timedelta(days=rng.randint(60, 200))
            chosen = rng.sample(routine_templates, rng.randint(1, len(routine_templates)))
            sets.append((None, authority, user, at, [_kpi(t, authority, None, user, at) for t in chosen]))
    objs = [kpi for *_rest, made in sets for kpi in made]
    stamped(objs, lambda k: (k.chosen_at, k.chosen_by))
    bulk_create_with_history(objs, Kpi, batch_size=BATCH)

    changes, dropped = [], []
    for emergency, authority, user, at, made in sets:
        changes.append(KpiSetChange(authority=authority, emergency=emergency, changed_at=at, changed_by=user,
                                    added=[k.pk for k in made]))
        if len(made) > 2 and rng.random() < 0.25:
            kpi = rng.choice(made)
            kpi.is_active = False
            dropped.append(kpi)
            later = at + (gen.now - at) * rng.random()
            changes.append(KpiSetChange(authority=authority, emergency=emergency, changed_at=later, changed_by=user,
                                        removed=[kpi.pk]))
    if dropped:
        Kpi.objects.filter(pk__in=[k.pk for k in dropped]).update(is_active=False)
        # The history shows the drop as a change made by the manager, as the page would record it.
        for kpi in dropped:
            kpi._history_user, kpi._history_date = kpi.chosen_by, gen.now - timedelta(days=1)
        Kpi.history.bulk_history_create(dropped, update=True, batch_size=BATCH)
    stamped(changes, lambda c: (c.changed_at, c.changed_by))
    bulk_create_with_history(changes, KpiSetChange, batch_size=BATCH)
    gen.kpis_by_emergency = {}
    for emergency, _authority, _user, _at, made in sets:
        if emergency is not None:
            gen.kpis_by_emergency[emergency.pk] = [k for k in made if k.is_active]
    gen.kpi_sets = sets


def _walk(rng, kpi, latest, points):
    """`points` values that wander towards `latest`, oldest first (percentages stay within 0–100)."""
    if latest is None:
        latest = kpi.target if kpi.target is not None else Decimal(rng.randint(5, 200))
    latest = float(latest)
    spread = max(abs(latest) * 0.4, 5.0)
    improving = 1 if kpi.direction == Direction.HIGHER else -1
    values = []
    for back in range(points - 1, -1, -1):
        value = latest - improving * spread * back / max(points - 1, 1) + rng.uniform(-0.1, 0.1) * spread
        if back == 0:
            value = latest
        value = max(value, 0.0)
        if kpi.unit == Unit.PERCENT:
            value = min(value, 100.0)
        places = "0.1" if kpi.unit == Unit.PERCENT else "1"
        values.append(Decimal(str(value)).quantize(Decimal(places)))
    return values


def measurements(gen):
    """Hand-entered values each cadence since the set was chosen, and computed ones whose newest value is
    what the registers say now (recorded within the last hours, so the KPIs page finds nothing due)."""
    rng = gen.rng
    objs = []
    for _emergency, _authority, user, chosen_at, made in gen.kpi_sets:
        for kpi in made:
            step = timedelta(days=CADENCE_DAYS[kpi.cadence])
            first = max(chosen_at, gen.now - step * (14 if step.days == 1 else 8))
            count = max(1, int((gen.now - first) / step) + 1)
            if kpi.source:
                latest = computations.compute(kpi, gen.now)
                if latest is None:
                    continue
                recorded = gen.now - timedelta(hours=rng.randint(1, 6), minutes=rng.randint(0, 59))
            else:
                if rng.random() < 0.15:
                    continue  # nobody entered it yet
                latest = None
                recorded = gen.now - timedelta(hours=rng.randint(6, 72))
            values = _walk(rng, kpi, latest, count)
            for back, value in zip(range(count - 1, -1, -1), values, strict=True):
                at = recorded - step * back
                objs.append(Measurement(
                    authority_id=kpi.authority_id, kpi=kpi, value=value, measured_for=timezone.localdate(at),
                    measured_at=at,
                    note="" if kpi.source or rng.random() < 0.8 else rng.choice(["לפי דיווח בתי הספר", "הערכה"]),
                    entered_by=None if kpi.source else user, computed=bool(kpi.source),
                ))
    stamped(objs, lambda m: (m.measured_at, m.entered_by or gen.managers[m.authority_id]))
    bulk_create_with_history(objs, Measurement, batch_size=BATCH)


STEPS = [activities, decisions, kpi_sets, measurements]
