"""Stage-2 registers for the generated national network (see hosen/tenancy/national.py): about
5,000 sites, their statuses in the open emergencies, 50,000 needs and a team pulse or two each."""

from datetime import timedelta

from simple_history.utils import bulk_create_with_history

from .models import (
    Audience,
    Availability,
    Need,
    NeedCategory,
    NeedStatus,
    Pulse,
    PulseRecipient,
    Site,
    SiteKind,
    SiteState,
    SiteStatus,
    Urgency,
)

BATCH = 1000
SITES_PER_AUTHORITY = (10, 28)  # about 5,000 for 260 authorities
NEEDS_PER_EMERGENCY = (150, 330)  # about 50,000 for 208 open emergencies

KIND_WEIGHTS = {SiteKind.SCHOOL: 5, SiteKind.KINDERGARTEN: 6, SiteKind.YOUTH_UNIT: 2, SiteKind.STEM_CENTRE: 1,
                SiteKind.COMMUNITY_CENTRE: 2, SiteKind.OTHER: 1}
KIND_NAMES = {SiteKind.SCHOOL: "בית ספר", SiteKind.KINDERGARTEN: "גן", SiteKind.YOUTH_UNIT: "יחידת נוער",
              SiteKind.STEM_CENTRE: "מרכז מדע", SiteKind.COMMUNITY_CENTRE: "מתנ\"ס", SiteKind.OTHER: "מוקד"}
SITE_WORDS = ["הדקל", "האלון", "השקד", "הגפן", "התמר", "הזית", "הרימון", "האורן", "הברוש", "הכלנית", "הנרקיס",
              "הרקפת", "אופק", "מעיין", "גבעה", "ניצנים", "שחר", "רעות", "יובל", "מגדל"]
AREAS = ["מרכז", "צפון", "דרום", "מזרח", "מערב", "השכונה הוותיקה", "הגבעה"]
STATE_WEIGHTS = {SiteState.OPEN: 5, SiteState.PARTIAL: 3, SiteState.REMOTE: 3, SiteState.CLOSED: 2,
                 SiteState.DAMAGED: 1, SiteState.HOSTING: 1}
NEED_TEXTS = {
    NeedCategory.EQUIPMENT: ["מחשבים ניידים ללמידה מרחוק", "נתבים סלולריים", "מטענים ניידים"],
    NeedCategory.LEARNING: ["רישיונות לפלטפורמת למידה", "ערכות פעילות מדע לבית", "שיעורי תגבור מקוונים"],
    NeedCategory.EMOTIONAL: ["שיחות תמיכה לצוות", "מפגש חוסן להורים", "ליווי רגשי לתלמידים"],
    NeedCategory.STAFF: ["מורים מחליפים", "מדריכים לפעילות אחר הצהריים", "רכזת מתנדבים"],
    NeedCategory.SPACE: ["מרחב מוגן לפעילות", "כיתה חלופית", "אולם לאירוע קהילתי"],
    NeedCategory.FOOD: ["ארוחות חמות למפונים", "סלי מזון", "מים ושתייה"],
    NeedCategory.TRANSPORT: ["הסעות לבית הספר החלופי", "רכב לחלוקת ערכות"],
    NeedCategory.OTHER: ["תרגום מסמכים להורים", "ציוד עזרה ראשונה"],
}
STATUS_WEIGHTS = {NeedStatus.OPEN: 5, NeedStatus.IN_PROGRESS: 3, NeedStatus.MET: 4, NeedStatus.CANNOT: 1}


def _choice(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def sites(gen):
    rng = gen.rng
    gen.sites_by_authority = {}
    objs = []
    for authority in gen.authorities:
        names = set()
        for _ in range(rng.randint(*SITES_PER_AUTHORITY)):
            kind = _choice(rng, KIND_WEIGHTS)
            name = f"{KIND_NAMES[kind]} {rng.choice(SITE_WORDS)}"
            while name in names:
                name = f"{name} {rng.randint(2, 99)}"
            names.add(name)
            protected = rng.random() < 0.5
            objs.append(Site(
                authority=authority, name=name, kind=kind, area=rng.choice(AREAS),
                address=f"רחוב {rng.choice(SITE_WORDS)} {rng.randint(1, 120)}",
                students=rng.randint(20, 900) if kind != SiteKind.OTHER else None, staff=rng.randint(3, 80),
                has_protected_space=protected, protected_capacity=rng.randint(20, 300) if protected else None,
            ))
    bulk_create_with_history(objs, Site, batch_size=BATCH)
    for site in objs:
        gen.sites_by_authority.setdefault(site.authority_id, []).append(site)


def site_statuses(gen):
    rng = gen.rng
    objs = []
    for emergency in gen.open_emergencies:
        manager = gen.managers[emergency.authority_id]
        for site in gen.sites_by_authority.get(emergency.authority_id, []):
            if rng.random() < 0.15:
                continue  # never reported
            for _ in range(rng.randint(1, 4)):
                objs.append(SiteStatus(
                    authority_id=emergency.authority_id, emergency=emergency, site=site,
                    status=_choice(rng, STATE_WEIGHTS), present=rng.randint(0, site.students or 50),
                    evacuated=rng.randint(0, 40), hosted=rng.randint(0, 60) if rng.random() < 0.1 else None,
                    reported_at=gen.now - timedelta(hours=rng.randint(1, 24 * 7)), reported_by=manager,
                ))
    bulk_create_with_history(objs, SiteStatus, batch_size=BATCH)


def needs(gen):
    rng = gen.rng
    objs = []
    categories = list(NEED_TEXTS)
    for emergency in gen.open_emergencies:
        own_sites = gen.sites_by_authority.get(emergency.authority_id, [])
        manager = gen.managers[emergency.authority_id]
        for _ in range(rng.randint(*NEEDS_PER_EMERGENCY)):
            category = rng.choice(categories)
            status = _choice(rng, STATUS_WEIGHTS)
            created = gen.now - timedelta(hours=rng.randint(1, 24 * 30))
            site = rng.choice(own_sites) if own_sites and rng.random() < 0.6 else None
            objs.append(Need(
                authority_id=emergency.authority_id, emergency=emergency, category=category,
                audience=Audience.SITE if site else rng.choice(Audience.values[:4]),
                description=rng.choice(NEED_TEXTS[category]), quantity=rng.randint(1, 60),
                urgency=rng.choice(Urgency.values), status=status, is_emerging=rng.random() < 0.35,
                source=rng.choice(["דיווח מהיר", "שיחת טלפון", "סקר הורים", "ישיבת צוות"]), site=site,
                created_at=created, created_by=manager,
                resolved_at=created + timedelta(hours=rng.randint(2, 200)) if status in ("met", "cannot") else None,
            ))
    bulk_create_with_history(objs, Need, batch_size=BATCH)


def pulses(gen):
    rng = gen.rng
    pulse_objs, recipients = [], []
    for emergency in gen.open_emergencies:
        for number in range(rng.randint(1, 2)):
            pulse = Pulse(authority_id=emergency.authority_id, emergency=emergency, title=f"דופק צוות {number + 1}",
                          expires_at=gen.now + timedelta(days=1), created_by=gen.managers[emergency.authority_id])
            pulse_objs.append(pulse)
            for index in range(rng.randint(5, 15)):
                answered = rng.random() < 0.7
                recipients.append(PulseRecipient(
                    authority_id=emergency.authority_id, pulse=pulse, name=f"איש צוות {index + 1}",
                    availability=rng.choice(Availability.values) if answered else "",
                    answered_at=gen.now - timedelta(hours=rng.randint(1, 48)) if answered else None,
                ))
    bulk_create_with_history(pulse_objs, Pulse, batch_size=BATCH)
    bulk_create_with_history(recipients, PulseRecipient, batch_size=BATCH)


STEPS = [sites, site_statuses, needs, pulses]
