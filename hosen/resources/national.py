"""Stage-3 registers for the generated national network (see hosen/tenancy/national.py): about 30,000
people with skills, languages and their availability in the open emergency, 10,000 facilities, 5–15
channels and 3–10 funding sources per authority, allocations of people, facilities and funding to the
field's needs (consistent with the needs' status), and a few volunteer sign-up and donor links.

Attributes these steps set on the shared `Generation`, for the steps after them:

- `people_by_authority`      {authority pk: [Person]} (the field declared on Generation)
- `facilities_by_authority`  {authority pk: [Facility]}
- `channels_by_authority`    {authority pk: [Channel]}
- `funding_by_authority`     {authority pk: [FundingSource]}
- `needs_by_emergency`       {emergency pk: [(need pk, status, category, urgency)]} of the open emergencies,
                             read back once from the field's needs (their step keeps no list)
- `open_emergency_of`        {authority pk: its open Emergency}
"""

from datetime import timedelta
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from hosen.field.models import Need, NeedCategory, NeedStatus
from hosen.field.national import AREAS as SITE_AREAS
from hosen.tenancy.national import FIRST_NAMES, LAST_NAMES
from hosen.tenancy.national import _by_history as stamped

from .models import (
    Allocation,
    Availability,
    Channel,
    ChannelKind,
    DonorLink,
    Facility,
    FacilityKind,
    FundingKind,
    FundingSource,
    FundingStatus,
    Person,
    PersonKind,
    Skill,
    VolunteerLink,
)

BATCH = 1000
PEOPLE_PER_AUTHORITY = (70, 160)  # about 30,000 for 260 authorities
FACILITIES_PER_AUTHORITY = (25, 52)  # about 10,000
CHANNELS_PER_AUTHORITY = (5, 15)
FUNDING_PER_AUTHORITY = (3, 10)

ARABIC_FIRST = ["מוחמד", "אחמד", "סמאח", "רים", "נור", "חאלד", "ליאנה", "יוסף", "מרים", "עלי", "רנין", "כרים"]
ARABIC_LAST = ["חסן", "נסאר", "חורי", "עבאס", "דיאב", "סעדי", "זועבי", "מסארווה"]
KIND_WEIGHTS = {PersonKind.STAFF: 4, PersonKind.PARTNER: 2, PersonKind.VOLUNTEER: 5, PersonKind.ACTIVIST: 2}
ROLES = {
    PersonKind.STAFF: ["מורה", "יועצת חינוכית", "רכזת מדעים", "מנהלת בית ספר", "גננת", "פסיכולוגית חינוכית",
                       "רכז נוער", "מזכירת בית ספר", "מורה לחינוך מיוחד", "רכזת פדגוגית"],
    PersonKind.PARTNER: ["מדריך", "רכזת תכנית", "מנחה קבוצות", "עובדת סוציאלית", "מנהל פרויקט"],
    PersonKind.VOLUNTEER: ["סטודנטית", "גמלאי", "הורה", "חייל משוחרר", "מהנדסת", "נהג", ""],
    PersonKind.ACTIVIST: ["פעילת שכונה", "חבר ועד ההורים", "רכזת קהילה", "פעיל מתנ\"ס"],
}
ORGANISATIONS = {
    PersonKind.STAFF: ["אגף החינוך", "השירות הפסיכולוגי החינוכי", "מחלקת הנוער", "המתנ\"ס העירוני",
                       "מרכז המדעים העירוני"],
    PersonKind.PARTNER: ["עמותת מדע לכל", "עמותת קוד", "מכללת הגליל", "המרכז למדע", "ארגון נוער בתנועה",
                         "עמותת לב לנוער", "חברת הייטק מקומית", "מצפה הכוכבים"],
    PersonKind.VOLUNTEER: ["", "", "", "מתנדבי הקהילה", "האוניברסיטה הפתוחה"],
    PersonKind.ACTIVIST: ["ועד השכונה", "ועד ההורים העירוני", "גרעין קהילתי", ""],
}
# Skills each kind of person holds more often (keys of hosen/model_content/skills.json).
LIKELY_SKILLS = {
    PersonKind.STAFF: ["teaching", "stem-instruction", "online-teaching", "educational-counselling",
                       "special-education", "early-childhood", "informal-education", "maths-tutoring",
                       "learning-platforms", "psychology", "child-development"],
    PersonKind.PARTNER: ["robotics", "programming", "science-demonstrations", "maker-3d-printing", "youth-work",
                         "social-work", "expressive-therapy", "activity-kits", "stem-instruction"],
    PersonKind.VOLUNTEER: ["maths-tutoring", "tech-support", "laptop-repair", "driving", "cooking",
                           "food-distribution", "first-aid", "childcare", "shelter-activities", "logistics",
                           "translation", "arabic-speaking", "russian-speaking", "amharic-speaking", "music",
                           "sport-movement", "connectivity"],
    PersonKind.ACTIVIST: ["volunteer-coordination", "parent-guidance", "social-media", "event-production",
                          "fundraising", "logistics", "emotional-first-aid", "food-distribution"],
}
PERSON_AVAILABILITY = {Availability.AVAILABLE: 45, Availability.PARTLY: 20, Availability.UNAVAILABLE: 12,
                       Availability.UNKNOWN: 8}
AVAILABILITY_NOTES = ["רק בבקרים", "עד 16:00", "לא בשבת", "מילואים עד סוף החודש", "מהבית בלבד", "בימים א׳–ג׳"]
SOURCES = ["הרשמת מתנדבים", "ייבוא מקובץ", "הוזן ידנית", "רשימת אגף החינוך", ""]

FACILITY_KIND_WEIGHTS = {FacilityKind.BUILDING: 2, FacilityKind.HALL: 3, FacilityKind.CLASSROOM: 5,
                         FacilityKind.LAB: 2, FacilityKind.SHELTER: 4, FacilityKind.OUTDOOR: 1,
                         FacilityKind.OTHER: 1}
FACILITY_NAMES = {
    FacilityKind.BUILDING: ["מבנה הספרייה", "בית העם", "מועדון הגמלאים", "מבנה הצופים"],
    FacilityKind.HALL: ["אולם ספורט", "אולם אירועים", "אולם הכנסים"],
    FacilityKind.CLASSROOM: ["כיתה", "כיתת מחשבים", "חדר תגבור"],
    FacilityKind.LAB: ["מעבדת מייקרים", "מעבדת מדעים", "חדר רובוטיקה"],
    FacilityKind.SHELTER: ["מקלט ציבורי", "מרחב מוגן"],
    FacilityKind.OUTDOOR: ["מגרש כדורסל", "חצר מקורה", "פארק שכונתי"],
    FacilityKind.OTHER: ["מחסן ציוד", "חדר ישיבות"],
}
FACILITY_WORDS = ["הדקל", "האלון", "הגפן", "הזית", "אופק"]
STREETS = ["הרצל", "הנביאים", "הגליל", "העצמאות"]
EQUIPMENT = ["מקרן ולוח חכם", "30 כיסאות ושולחנות מתקפלים", "מחשבים נייחים", "מדפסת תלת־ממד", "מזגן ומקרר",
             "ערכות רובוטיקה", "מערכת הגברה", ""]
FACILITY_AVAILABILITY = {Availability.AVAILABLE: 5, Availability.PARTLY: 2, Availability.UNAVAILABLE: 1,
                         Availability.UNKNOWN: 2}

CHANNELS = [
    (ChannelKind.WHATSAPP, "קבוצת ווטסאפ הורים — {site}", "הורי {site}"),
    (ChannelKind.WHATSAPP, "ווטסאפ מנהלי בתי הספר", "מנהלי בתי הספר"),
    (ChannelKind.WHATSAPP, "ווטסאפ צוות החירום", "צוות החירום"),
    (ChannelKind.MAILING_LIST, "רשימת תפוצה — צוותי חינוך", "כל צוותי החינוך"),
    (ChannelKind.MAILING_LIST, "רשימת תפוצה — שותפים", "השותפים"),
    (ChannelKind.SMS, "SMS לתושבים", "כל התושבים"),
    (ChannelKind.SMS, "SMS להורי הגנים", "הורי הגנים"),
    (ChannelKind.SOCIAL, "עמוד הפייסבוק של אגף החינוך", "הורים ותושבים"),
    (ChannelKind.SOCIAL, "אינסטגרם הנוער", "בני נוער"),
    (ChannelKind.RADIO, "הרדיו הקהילתי", "תושבי האזור"),
    (ChannelKind.WEBSITE, "אתר הרשות — עמוד חירום", "כל התושבים"),
    (ChannelKind.OTHER, "לוח המודעות במתנ\"ס", "השכונה"),
]

FUNDING = [
    (FundingKind.NATIONAL, "משרד החינוך — תקציב חירום"), (FundingKind.NATIONAL, "משרד הרווחה — סיוע לקהילה"),
    (FundingKind.NATIONAL, "מנהלת התקומה"), (FundingKind.MUNICIPAL, "תקציב החירום של הרשות"),
    (FundingKind.MUNICIPAL, "קרן המלגות העירונית"), (FundingKind.PHILANTHROPIC, "קרן משפחת רבינוביץ"),
    (FundingKind.PHILANTHROPIC, "הפדרציה היהודית"), (FundingKind.PHILANTHROPIC, "קרן יד הנדיב"),
    (FundingKind.PHILANTHROPIC, "קרן לחינוך מדעי"), (FundingKind.BUSINESS, "תרומת חברת תקשורת"),
    (FundingKind.BUSINESS, "תרומת בנק מקומי"), (FundingKind.BUSINESS, "מפעל האזור"),
    (FundingKind.OTHER, "גיוס המונים של ההורים"),
]
FUNDING_STATUS = {FundingStatus.IDENTIFIED: 3, FundingStatus.REQUESTED: 3, FundingStatus.APPROVED: 2,
                  FundingStatus.RECEIVED: 2, FundingStatus.REJECTED: 1}
RESTRICTIONS = ["לציוד בלבד", "לא למשכורות", "עד סוף שנת הלימודים", "דורש דיווח חודשי", "", ""]

# Need category → the kinds of resource that answer it, most fitting first.
RESOURCE_FOR = {
    NeedCategory.SPACE: ["facility", "facility", "person"],
    NeedCategory.EQUIPMENT: ["funding", "person"],
    NeedCategory.FOOD: ["person", "funding"],
    NeedCategory.TRANSPORT: ["person", "funding"],
    NeedCategory.LEARNING: ["person", "person", "facility"],
    NeedCategory.EMOTIONAL: ["person", "person", "facility"],
    NeedCategory.STAFF: ["person"],
    NeedCategory.OTHER: ["person", "funding"],
}
ALLOCATION_NOTES = ["פעמיים בשבוע", "עד סוף החודש", "בתיאום עם מנהלת בית הספר", "כולל הסעה", "", "", ""]


def _choice(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _phone(rng):
    return f"05{rng.choice('0234578')}-{rng.randint(1000000, 9999999)}"


def _skills():
    if not Skill.objects.exists():
        from .skills import load_skills

        load_skills()
    return list(Skill.objects.filter(authority__isnull=True))


def people(gen):
    rng = gen.rng
    gen.open_emergency_of = {e.authority_id: e for e in gen.open_emergencies}
    vocabulary = _skills()
    by_key = {s.key: s for s in vocabulary}
    likely = {kind: [by_key[k] for k in keys if k in by_key] or vocabulary for kind, keys in LIKELY_SKILLS.items()}
    objs, held = [], []
    for authority in gen.authorities:
        emergency = gen.open_emergency_of.get(authority.pk)
        arabic_share = 0.35 if rng.random() < 0.15 else 0.05  # some authorities are Arabic-speaking
        for number in range(rng.randint(*PEOPLE_PER_AUTHORITY)):
            kind = _choice(rng, KIND_WEIGHTS)
            arab = rng.random() < arabic_share
            name = (f"{rng.choice(ARABIC_FIRST)} {rng.choice(ARABIC_LAST)}" if arab
                    else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
            languages = ["ar", "he"] if arab else ["he"]
            for code, share in (("en", 0.3), ("ru", 0.08), ("am", 0.03), ("fr", 0.03), ("ar", 0.05)):
                if code not in languages and rng.random() < share:
                    languages.append(code)
            person = Person(
                authority=authority, name=name, kind=kind, organisation=rng.choice(ORGANISATIONS[kind]),
                role=rng.choice(ROLES[kind]), languages=languages, area=rng.choice(SITE_AREAS + [""]),
                phone=_phone(rng), email=f"p{number + 1}.{authority.slug}@example.org" if rng.random() < 0.4 else "",
                is_active=rng.random() < 0.95, source=rng.choice(SOURCES),
                created_at=gen.now - timedelta(days=rng.randint(1, 500), hours=rng.randint(0, 23)),
            )
            if emergency is not None and rng.random() < 0.8:
                person.availability = _choice(rng, PERSON_AVAILABILITY)
                person.availability_emergency = emergency
                if person.availability == Availability.PARTLY and rng.random() < 0.6:
                    person.availability_note = rng.choice(AVAILABILITY_NOTES)
            objs.append(person)
            pool = likely[kind]
            chosen = set(rng.sample(pool, min(len(pool), rng.randint(1, 3))))
            if rng.random() < 0.25:
                chosen.add(rng.choice(vocabulary))
            held.append(chosen)
    stamped(objs, lambda p: (p.created_at, gen.managers[p.authority_id]))
    bulk_create_with_history(objs, Person, batch_size=BATCH)
    through = Person.skills.through
    through.objects.bulk_create([through(person_id=p.pk, skill_id=s.pk) for p, skills in zip(objs, held, strict=True)
                                 for s in skills], batch_size=BATCH * 5)
    gen.people_by_authority = {}
    gen.person_categories = {}  # person pk → the need categories their skills answer
    for person, skills in zip(objs, held, strict=True):
        gen.people_by_authority.setdefault(person.authority_id, []).append(person)
        gen.person_categories[person.pk] = {c for s in skills for c in (s.categories or ())}


def facilities(gen):
    rng = gen.rng
    objs = []
    for authority in gen.authorities:
        sites = gen.sites_by_authority.get(authority.pk, [])
        names = set()
        for _ in range(rng.randint(*FACILITIES_PER_AUTHORITY)):
            kind = _choice(rng, FACILITY_KIND_WEIGHTS)
            site = rng.choice(sites) if sites and rng.random() < 0.6 else None
            base = rng.choice(FACILITY_NAMES[kind])
            name = f"{base} — {site.name}" if site else f"{base} {rng.choice(FACILITY_WORDS)}"
            while name in names:
                name = f"{name} {rng.randint(2, 9)}"
            names.add(name)
            protected = kind == FacilityKind.SHELTER or rng.random() < 0.25
            objs.append(Facility(
                authority=authority, name=name, kind=kind, site=site,
                address="" if site else f"רחוב {rng.choice(STREETS)} {rng.randint(1, 90)}",
                area="" if site and rng.random() < 0.5 else rng.choice(SITE_AREAS),
                is_protected=protected, capacity=rng.randint(10, 400) if rng.random() < 0.8 else None,
                equipment=rng.choice(EQUIPMENT),
                key_holder=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if rng.random() < 0.7 else "",
                key_holder_phone=_phone(rng) if rng.random() < 0.6 else "",
                availability=_choice(rng, FACILITY_AVAILABILITY), is_active=rng.random() < 0.96,
            ))
    stamped(objs, lambda f: (gen.now - timedelta(days=rng.randint(10, 400)), gen.managers[f.authority_id]))
    bulk_create_with_history(objs, Facility, batch_size=BATCH)
    gen.facilities_by_authority = {}
    for facility in objs:
        gen.facilities_by_authority.setdefault(facility.authority_id, []).append(facility)


def channels(gen):
    rng = gen.rng
    objs = []
    for authority in gen.authorities:
        emergency = gen.open_emergency_of.get(authority.pk)
        sites = gen.sites_by_authority.get(authority.pk, [])
        names = set()
        for kind, name, audience in rng.sample(CHANNELS, min(len(CHANNELS), rng.randint(*CHANNELS_PER_AUTHORITY))):
            if "{site}" in name:
                site = rng.choice(sites).name if sites else "בית הספר"
                name, audience = name.format(site=site), audience.format(site=site)
            if name in names:
                continue
            names.add(name)
            active = emergency is not None and rng.random() < 0.6
            recipients = ""
            if kind == ChannelKind.MAILING_LIST:
                recipients = "\n".join(f"list{n}.{authority.slug}@example.org" for n in range(rng.randint(5, 40)))
            objs.append(Channel(
                authority=authority, name=name, kind=kind, audience=audience, reach=rng.randint(20, 5000),
                owner=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                address=f"https://example.org/{authority.slug}/{len(names)}" if kind in (
                    ChannelKind.WHATSAPP, ChannelKind.SOCIAL, ChannelKind.WEBSITE) else "",
                email_recipients=recipients, active_in=emergency if active else None,
                activated_at=(gen.when(emergency.started_on, 10) + timedelta(hours=rng.randint(0, 48))
                              if active else None),
            ))
    stamped(objs, lambda c: (gen.now - timedelta(days=rng.randint(1, 300)), gen.managers[c.authority_id]))
    bulk_create_with_history(objs, Channel, batch_size=BATCH)
    gen.channels_by_authority = {}
    for channel in objs:
        gen.channels_by_authority.setdefault(channel.authority_id, []).append(channel)


def funding(gen):
    rng = gen.rng
    categories = list(NeedCategory.values)
    objs = []
    for authority in gen.authorities:
        emergency = gen.open_emergency_of.get(authority.pk)
        for kind, name in rng.sample(FUNDING, rng.randint(*FUNDING_PER_AUTHORITY)):
            status = _choice(rng, FUNDING_STATUS)
            requested = Decimal(rng.randrange(5_000, 400_000, 500))
            approved = (requested * Decimal(rng.choice(["0.5", "0.8", "1"]))).quantize(Decimal("1")) if status in (
                FundingStatus.APPROVED, FundingStatus.RECEIVED) else None
            objs.append(FundingSource(
                authority=authority, name=name, kind=kind,
                contact=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, {_phone(rng)}",
                requested=requested if status != FundingStatus.IDENTIFIED else None, approved=approved,
                received=approved if status == FundingStatus.RECEIVED else None, status=status,
                restrictions=rng.choice(RESTRICTIONS),
                deadline=gen.today + timedelta(days=rng.randint(-20, 120)) if rng.random() < 0.7 else None,
                categories=rng.sample(categories, rng.randint(1, 3)),
                emergency=emergency if emergency is not None and rng.random() < 0.5 else None,
            ))
    stamped(objs, lambda f: (gen.now - timedelta(days=rng.randint(1, 200)), gen.managers[f.authority_id]))
    bulk_create_with_history(objs, FundingSource, batch_size=BATCH)
    gen.funding_by_authority = {}
    for source in objs:
        gen.funding_by_authority.setdefault(source.authority_id, []).append(source)


def _needs_by_emergency(gen):
    found = {}
    rows = (Need.objects.filter(emergency__in=[e.pk for e in gen.open_emergencies]).order_by()
            .values_list("emergency_id", "pk", "status", "category", "urgency", "created_at"))
    for emergency_id, pk, status, category, urgency, created_at in rows:
        found.setdefault(emergency_id, []).append((pk, status, category, urgency, created_at))
    for needs in found.values():
        needs.sort()  # the database's order is not promised; the seed's results should not depend on it
    return found


def allocations(gen):
    """Resources allocated to needs, consistent with their status: most needs "in progress" hold an active
    allocation, many met needs keep the one that met them, an open need holds none (only, now and then, a
    released one: it went back to "open" when it was released)."""
    rng = gen.rng
    gen.needs_by_emergency = _needs_by_emergency(gen)
    objs = []
    for emergency in gen.open_emergencies:
        authority_id = emergency.authority_id
        manager = gen.managers[authority_id]
        usable_people = [p for p in gen.people_by_authority.get(authority_id, [])
                         if p.is_active and p.availability_in(emergency) != Availability.UNAVAILABLE]
        by_category = {}
        for person in usable_people:
            for category in gen.person_categories[person.pk]:
                by_category.setdefault(category, []).append(person)
        places = [f for f in gen.facilities_by_authority.get(authority_id, [])
                  if f.is_active and f.availability != Availability.UNAVAILABLE]
        protected = [f for f in places if f.is_protected] or places
        money = {}
        for source in gen.funding_by_authority.get(authority_id, []):
            if source.status != FundingStatus.REJECTED and source.emergency_id in (None, emergency.pk):
                for category in source.categories:
                    money.setdefault(category, []).append(source)
        for need_id, status, category, urgency, created_at in gen.needs_by_emergency.get(emergency.pk, []):
            if status == NeedStatus.IN_PROGRESS:
                count = 0 if rng.random() < 0.15 else rng.choice([1, 1, 1, 2])
                released = 0
            elif status == NeedStatus.MET:
                count, released = (1 if rng.random() < 0.3 else 0), 0
            elif status == NeedStatus.OPEN:
                count, released = 0, (1 if rng.random() < 0.05 else 0)
            else:
                count, released = 0, (1 if rng.random() < 0.2 else 0)
            taken = set()
            for index in range(count + released):
                kind = rng.choice(RESOURCE_FOR[category])
                if kind == "facility":
                    pool = protected if category == NeedCategory.SPACE or urgency >= 3 else places
                elif kind == "funding":
                    pool = money.get(category, [])
                else:
                    pool = by_category.get(category) or (usable_people if category == NeedCategory.STAFF else [])
                if not pool:
                    continue
                resource = rng.choice(pool)
                if (kind, resource.pk) in taken:
                    continue
                taken.add((kind, resource.pk))
                at = created_at + timedelta(hours=rng.randint(1, 48))
                at = min(at, gen.now - timedelta(minutes=5))
                allocation = Allocation(authority_id=authority_id, need_id=need_id, note=rng.choice(ALLOCATION_NOTES),
                                        allocated_at=at, allocated_by=manager, **{kind: resource})
                if index >= count:  # a released one
                    allocation.released_at = min(at + timedelta(hours=rng.randint(2, 96)), gen.now)
                    allocation.released_by = manager
                objs.append(allocation)
    stamped(objs, lambda a: (a.allocated_at, a.allocated_by))
    bulk_create_with_history(objs, Allocation, batch_size=BATCH)


def links(gen):
    """A few volunteer sign-up links and donors' list links (some expired or revoked)."""
    rng = gen.rng
    volunteer_links, donor_links = [], []
    for emergency in gen.open_emergencies:
        manager = gen.managers[emergency.authority_id]
        if rng.random() < 0.5:
            for number in range(rng.randint(1, 2)):
                volunteer_links.append(VolunteerLink(
                    authority_id=emergency.authority_id, label=f"הרשמת מתנדבים — {emergency.name} {number + 1}",
                    expires_at=gen.now + timedelta(days=rng.randint(-5, 30)),
                    revoked_at=gen.now - timedelta(days=1) if rng.random() < 0.15 else None, created_by=manager))
        if rng.random() < 0.3:
            donor_links.append(DonorLink(
                authority_id=emergency.authority_id, emergency=emergency, label=rng.choice(
                    ["לתורמים", "לפדרציה", "לקרן", "לחברות באזור"]), created_by=manager,
                revoked_at=gen.now - timedelta(days=2) if rng.random() < 0.2 else None))
    stamped(volunteer_links + donor_links, lambda link: (gen.now - timedelta(days=rng.randint(1, 20)), link.created_by))
    bulk_create_with_history(volunteer_links, VolunteerLink, batch_size=BATCH)
    bulk_create_with_history(donor_links, DonorLink, batch_size=BATCH)


STEPS = [people, facilities, channels, funding, allocations, links]
