"""Design-thinking initiatives for the generated national network (see hosen/tenancy/national.py): 3–10 per
open emergency spread over the six phases, each with notes in the phases it went through, its journey of
phase moves (now and then a step back), links to needs of the emergency, people, facilities and KPIs of
the emergency's set, and a practice write-up for those that reached SHARE; a few shared initiatives of
closed emergencies too.

It reads `open_emergency_of`, `needs_by_emergency`, `people_by_authority`, `facilities_by_authority` and
`kpis_by_emergency` from the shared `Generation` and sets nothing on it.
"""

from datetime import timedelta

from simple_history.utils import bulk_create_with_history

from hosen.tenancy.national import _by_history as stamped

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
    Practice,
    StageKey,
)

BATCH = 1000
INITIATIVES_PER_EMERGENCY = (3, 10)
PHASE_WEIGHTS = {PhaseKey.ASK: 4, PhaseKey.IMAGINE: 3, PhaseKey.PLAN: 3, PhaseKey.CREATE: 2, PhaseKey.TEST: 2,
                 PhaseKey.SHARE: 1}

# (title, summary, tags)
IDEAS = [
    ("מעבדת מייקרים ניידת במקלטים", "ערכות רובוטיקה ומדע שעוברות בין המקלטים הציבוריים.", "מרחב מוגן, מדע"),
    ("שיעורי מתמטיקה בזום לתלמידים המפונים", "קבוצות קטנות של תלמידי ז׳–ט׳ שפונו למלונות.", "מפונים, למידה מרחוק"),
    ("קו חם להורים: מדע בבית", "רעיונות לפעילות בבית כשהמסגרות סגורות.", "הורים"),
    ("חלוקת מחשבים ניידים מהמלאי העירוני", "", "ציוד"),
    ("ערכת 'מדע במרחב המוגן' לגני ילדים", "ערכה פשוטה לגננות לשעות במרחב המוגן.", "גני ילדים, מרחב מוגן"),
    ("סטודנטים מחונכים מרחוק", "סטודנטים מהמכללה מלווים תלמידים אחד על אחד.", "מתנדבים, ליווי"),
    ("מפגשי חוסן בתנועה לבני נוער", "", "רגשי, נוער"),
    ("פודקאסט מדע לילדים", "פרקים קצרים להאזנה במרחב המוגן.", "מדע, מרחב מוגן"),
    ("מרכז למידה במלון המפונים", "כיתה קבועה במלון עם מורים מתנדבים.", "מפונים"),
    ("הסעות משותפות לבית הספר החלופי", "", "הסעות"),
    ("ערכות יצירה למשפחות בבידוד", "", "משפחות"),
    ("שיעורי עברית לתלמידים עולים מרחוק", "", "עולים, שפה"),
]
NOTES = {
    PhaseKey.ASK: ["ילדים שוהים שעות במקלטים בלי פעילות; ההורים מבקשים מסגרת.",
                   "80 תלמידים מפונים בלי מחשב וללא מורה קבוע.", "הורים מבקשים רעיונות לפעילות בבית.",
                   "גננות מספרות שהילדים חרדים בזמן האזעקות.", "שאלנו את מנהלי בתי הספר מה הכי חסר עכשיו."],
    PhaseKey.IMAGINE: ["להפוך את המקלט לחלל למידה: ערכה בארגז אחד, מדריך אחד, 12 ילדים.",
                       "מורים מתנדבים מכל הרשות, קבוצות של 6, שעה ביום.", "ניסויים קצרים ושקטים שמתאימים לחדר קטן.",
                       "שלושה רעיונות עלו בסיעור המוחות; בחרנו את הזול והמהיר."],
    PhaseKey.PLAN: ["6 ערכות, 4 מדריכים מתנדבים, סבב של 3 מקלטים ביום.", "20 ערכות, הדרכה בזום לגננות.",
                    "תקציב: 15,000 ₪ מקרן החירום; אחראית: רכזת המדעים.", "לוח זמנים: פיילוט בשבוע הבא בשני אתרים."],
    PhaseKey.CREATE: ["הערכה הראשונה יצאה ביום ראשון עם עמותת מדע לכל.", "הערכות חולקו לכל הגנים.",
                      "המדריכים עברו הדרכה קצרה בזום.", "פתחנו קבוצת ווטסאפ למדריכים."],
    PhaseKey.TEST: ["ההורים מרוצים; הערכה כבדה מדי למדריך אחד — מפצלים לשניים.",
                    "הגננות מדווחות על רוגע; הוספנו כרטיסיות באמהרית.", "הנוכחות ירדה בשבוע השני; הזזנו את השעה.",
                    "משוב התלמידים: רוצים יותר זמן לניסויים."],
    PhaseKey.SHARE: ["לשתף ברשת: הערכה זולה וקלה לשכפול.", "הצגנו באשכול; שתי רשויות ביקשו את החומרים.",
                     "כתבנו מדריך קצר למי שרוצה להתחיל."],
}
STAGES = [StageKey.TWO, StageKey.THREE, StageKey.FOUR, StageKey.FOUR, StageKey.AXIS]


def _choice(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _plan(gen, phase, start, end):
    """An initiative's journey to `phase`: its moves and notes, with their moments, oldest first."""
    rng = gen.rng
    target = PHASES.index(phase)
    at = start
    step = max((end - start) / (target + 2), timedelta(minutes=30))
    moves, notes = [], []
    for index in range(target + 1):
        key = PHASES[index]
        for text in rng.sample(NOTES[key], rng.randint(1 if index == 0 else 0, 2)):
            at = at + step * rng.uniform(0.05, 0.3)
            notes.append((key, text, at))
        if index < target:
            at = at + step * rng.uniform(0.3, 0.6)
            moves.append((key, PHASES[index + 1], at))
            if index > 0 and rng.random() < 0.08:  # a step back, and forward again
                moves.append((PHASES[index + 1], key, at + timedelta(hours=2)))
                moves.append((key, PHASES[index + 1], at + timedelta(hours=20)))
                at = at + timedelta(hours=20)
    return ([(a, b, min(at, end)) for a, b, at in moves], [(k, t, min(at, end)) for k, t, at in notes],
            min(at, end))


def initiatives(gen):
    rng = gen.rng
    made = []  # (initiative, moves, notes)
    plans = [(e, rng.randint(*INITIATIVES_PER_EMERGENCY), None) for e in gen.open_emergencies]
    plans += [(e, 1, PhaseKey.SHARE) for e in gen.closed_emergencies if rng.random() < 0.3]
    for emergency, count, fixed_phase in plans:
        manager = gen.managers[emergency.authority_id]
        people = gen.people_by_authority.get(emergency.authority_id, [])
        closes = emergency.closed_at or gen.now
        for title, summary, tags in rng.sample(IDEAS, min(count, len(IDEAS))):
            phase = fixed_phase or _choice(rng, PHASE_WEIGHTS)
            started = gen.when(emergency.started_on, 10) + (closes - gen.when(emergency.started_on, 10)) * rng.uniform(
                0, 0.6)
            initiative = Initiative(
                authority_id=emergency.authority_id, emergency=emergency, title=title, summary=summary, phase=phase,
                owner=rng.choice(people).name if people and rng.random() < 0.8 else "", created_at=started,
                created_by=manager,
            )
            moves, notes, last = _plan(gen, phase, started, closes)
            if phase == PhaseKey.SHARE:
                initiative.shared_at = moves[-1][2] if moves else last
            initiative.tags = tags
            made.append((initiative, moves, notes))
    objs = [i for i, _m, _n in made]
    stamped(objs, lambda i: (i.created_at, i.created_by))
    bulk_create_with_history(objs, Initiative, batch_size=BATCH)

    moves, notes, practices = [], [], []
    for initiative, planned_moves, planned_notes in made:
        user = initiative.created_by
        moves += [PhaseMove(authority_id=initiative.authority_id, initiative=initiative, from_phase=a, to_phase=b,
                            moved_at=at, moved_by=user) for a, b, at in planned_moves]
        notes += [PhaseNote(authority_id=initiative.authority_id, initiative=initiative, phase=key, text=text,
                            created_at=at, created_by=user) for key, text, at in planned_notes]
        if initiative.phase == PhaseKey.SHARE:
            by_phase = {}
            for key, text, _at in planned_notes:
                by_phase.setdefault(key, []).append(text)
            ready = rng.random() < 0.5
            practices.append(Practice(
                authority_id=initiative.authority_id, initiative=initiative, title=initiative.title,
                problem="\n\n".join([initiative.summary, *by_phase.get(PhaseKey.ASK, [])]).strip(),
                what_we_did="\n\n".join(by_phase.get(PhaseKey.IMAGINE, []) + by_phase.get(PhaseKey.PLAN, [])
                                        + by_phase.get(PhaseKey.CREATE, [])) or initiative.title,
                what_worked="\n\n".join(by_phase.get(PhaseKey.TEST, [])),
                watch_for="\n\n".join(by_phase.get(PhaseKey.SHARE, [])), stage=rng.choice(STAGES),
                tags=initiative.tags, ready_for_library=ready,
                published_at=initiative.shared_at if ready else None, written_at=initiative.shared_at,
                written_by=user,
            ))
    stamped(moves, lambda m: (m.moved_at, m.moved_by))
    stamped(notes, lambda n: (n.created_at, n.created_by))
    stamped(practices, lambda p: (p.written_at, p.written_by))
    bulk_create_with_history(moves, PhaseMove, batch_size=BATCH)
    bulk_create_with_history(notes, PhaseNote, batch_size=BATCH)
    bulk_create_with_history(practices, Practice, batch_size=BATCH)
    gen.initiatives_made = objs


def initiative_links(gen):
    """Links to the needs the initiative answers, the people and facilities it uses and the KPIs judging it."""
    rng = gen.rng
    rows = {InitiativeNeed: [], InitiativePerson: [], InitiativeFacility: [], InitiativeKpi: []}
    needs_by_emergency = getattr(gen, "needs_by_emergency", {})
    for initiative in gen.initiatives_made:
        authority_id = initiative.authority_id
        pools = [
            (InitiativeNeed, "need_id", [n[0] for n in needs_by_emergency.get(initiative.emergency_id, [])], (1, 4)),
            (InitiativePerson, "person_id", [p.pk for p in gen.people_by_authority.get(authority_id, [])], (0, 4)),
            (InitiativeFacility, "facility_id",
             [f.pk for f in getattr(gen, "facilities_by_authority", {}).get(authority_id, [])], (0, 2)),
            (InitiativeKpi, "kpi_id", [k.pk for k in getattr(gen, "kpis_by_emergency", {}).get(
                initiative.emergency_id, [])], (0, 2)),
        ]
        at = initiative.created_at + timedelta(hours=rng.randint(1, 48))
        for model, field, pool, (low, high) in pools:
            for target in rng.sample(pool, min(len(pool), rng.randint(low, high))):
                rows[model].append(model(authority_id=authority_id, initiative=initiative,
                                         linked_by=initiative.created_by, linked_at=min(at, gen.now),
                                         **{field: target}))
    for model, objs in rows.items():
        stamped(objs, lambda link: (link.linked_at, link.linked_by))
        bulk_create_with_history(objs, model, batch_size=BATCH)


STEPS = [initiatives, initiative_links]
