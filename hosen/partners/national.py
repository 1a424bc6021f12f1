"""The accompanying axis for the generated national network (see hosen/tenancy/national.py): 10–40
partners per authority (key partners and decision makers among them, some new collaborations born in the
open emergency) with their contacts and the log of contacts with them — recent for most, but some key
partners and decision makers silent for longer than their reminder window, and a few never contacted —
and 3–8 achievements to keep per authority.

Attributes these steps set on the shared `Generation`, for the steps after them:

- `partners_by_authority`  {authority pk: [Partner]}
"""

from datetime import timedelta

from simple_history.utils import bulk_create_with_history

from hosen.tenancy.national import FIRST_NAMES, LAST_NAMES
from hosen.tenancy.national import _by_history as stamped

from .models import (
    STATUSES_FOR,
    Achievement,
    AchievementKind,
    Contact,
    ContactChannel,
    ContactLog,
    Partner,
    PartnerKind,
)

BATCH = 1000
PARTNERS_PER_AUTHORITY = (10, 40)  # about 6,500 for 260 authorities

# kind → (names, roles of their contacts)
PARTNERS = {
    PartnerKind.SCHOOL: (["בית ספר אופק", "תיכון מקיף הגליל", "בית ספר הדקל", "אולפנת נווה", "בית ספר מעיין",
                          "חטיבת הביניים שחר", "בית ספר רעות", "תיכון המדעים"],
                         ["מנהלת", "סגן מנהל", "רכזת מדעים"]),
    PartnerKind.NGO: (["עמותת מדע לכל", "עמותת קוד", "עמותת לב לנוער", "ארגון נוער בתנועה", "עמותת ידיד לחינוך",
                       "מתנדבי הקהילה", "עמותת מחשב לכל ילד", "עמותת אור לילדים", "ארגון הורים למען חינוך"],
                      ["מנכ\"ל", "רכזת אזורית", "מנהלת תכניות"]),
    PartnerKind.MUNICIPAL: (["לשכת ראש הרשות", "אגף הרווחה", "מחלקת הנוער", "השירות הפסיכולוגי החינוכי",
                             "מחלקת ההנדסה", "דוברות הרשות", "מחלקת הביטחון", "המתנ\"ס העירוני"],
                            ["ראש הרשות", "מנהל האגף", "מנהלת המחלקה", "קב\"ט"]),
    PartnerKind.INDUSTRY: (["חברת הייטק מקומית", "מפעל האזור", "חברת התקשורת", "בנק מקומי", "רשת המרכולים",
                            "חברת האוטובוסים"],
                           ["מנהלת משאבי אנוש", "אחראי מעורבות קהילתית", "מנכ\"ל"]),
    PartnerKind.PHILANTHROPY: (["קרן משפחת רבינוביץ", "הפדרציה היהודית", "קרן יד הנדיב", "קרן לחינוך מדעי",
                                "קרן התקומה"],
                               ["מנהלת תכניות", "רכז מענקים"]),
    PartnerKind.ACADEMIA: (["מכללת הגליל", "האוניברסיטה הפתוחה", "המכללה האקדמית", "המרכז למדע", "מצפה הכוכבים"],
                           ["ראש החוג", "רכזת מעורבות סטודנטים", "חוקר"]),
    PartnerKind.OTHER: (["ועד ההורים העירוני", "מועצת התלמידים", "תנועת הצופים", "בית הכנסת המרכזי",
                         "ועד השכונה"],
                        ["יו\"ר", "רכזת", "פעיל"]),
}
KIND_WEIGHTS = {PartnerKind.SCHOOL: 3, PartnerKind.NGO: 4, PartnerKind.MUNICIPAL: 3, PartnerKind.INDUSTRY: 2,
                PartnerKind.PHILANTHROPY: 2, PartnerKind.ACADEMIA: 2, PartnerKind.OTHER: 2}
NOTES = ["שותף ותיק, זמין גם בערבים", "מעדיף הודעות ווטסאפ", "נפגשים אחת לחודש", "מממן חלק מתכנית הרובוטיקה",
         "", "", ""]
SUMMARIES = [
    "עדכנו על מצב בתי הספר והמפונים", "ביקשו רשימת צרכים מעודכנת", "סוכם על העברת 30 מחשבים ניידים",
    "תיאום פעילות במרחבים המוגנים", "שיחת היכרות עם הרכזת החדשה", "סיכום ישיבת מצב שבועית",
    "הציעו מתנדבים לשיעורי תגבור", "ביקשו דיווח על השימוש בתרומה", "אישרו הארכת התכנית עד סוף השנה",
    "עדכון על הנחיות פיקוד העורף", "תיאום הסעות לתלמידים המפונים",
]
ACHIEVEMENTS = {
    AchievementKind.KEEP: ["נוכחות של 95% בבתי הספר", "שיעור זכאות לבגרות במדעים", "קהילת המורים למדעים",
                           "שיתוף הפעולה עם מכללת הגליל", "תכנית המצוינות", "מעורבות ההורים בבתי הספר"],
    AchievementKind.STEM: ["נבחרת הרובוטיקה", "מועדון המתמטיקה", "מעבדת המייקרים", "חוג האסטרונומיה",
                           "קורס התכנות לבנות", "יריד המדע העירוני"],
}


def _choice(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def partners(gen):
    rng = gen.rng
    objs = []
    for authority in gen.authorities:
        emergency = gen.open_emergency_of.get(authority.pk)
        names = set()
        for _ in range(rng.randint(*PARTNERS_PER_AUTHORITY)):
            kind = _choice(rng, KIND_WEIGHTS)
            name = rng.choice(PARTNERS[kind][0])
            while name in names:
                name = f"{rng.choice(PARTNERS[kind][0])} — סניף {rng.randint(2, 40)}"
            names.add(name)
            decision_maker = (kind == PartnerKind.MUNICIPAL and rng.random() < 0.5) or rng.random() < 0.05
            born = emergency is not None and rng.random() < 0.08
            objs.append(Partner(
                authority=authority, name=name, kind=kind, is_key=rng.random() < 0.25,
                is_decision_maker=decision_maker, notes=rng.choice(NOTES), is_active=rng.random() < 0.93,
                since=(emergency.started_on if born else gen.today - timedelta(days=rng.randint(30, 3000))),
                born_in=emergency if born else None,
                reminder_days=rng.choice([3, 10, 21, 30]) if rng.random() < 0.1 else None,
                created_at=gen.now - timedelta(days=rng.randint(1, 400)),
            ))
    stamped(objs, lambda p: (p.created_at, gen.managers[p.authority_id]))
    bulk_create_with_history(objs, Partner, batch_size=BATCH)
    gen.partners_by_authority = {}
    for partner in objs:
        gen.partners_by_authority.setdefault(partner.authority_id, []).append(partner)


def contacts(gen):
    """1–3 contacts per partner, and the log of contacts: for a watched partner (key or decision maker) the
    last contact is inside its reminder window about two times in three, past it otherwise (or never)."""
    rng = gen.rng
    people, by_partner = [], {}
    for partner_list in gen.partners_by_authority.values():
        for partner in partner_list:
            roles = PARTNERS[partner.kind][1]
            for _ in range(rng.randint(1, 3)):
                contact = Contact(authority_id=partner.authority_id, partner=partner,
                                  name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", role=rng.choice(roles),
                                  phone=f"05{rng.choice('0234578')}-{rng.randint(1000000, 9999999)}",
                                  email=f"c{len(people) + 1}@example.org" if rng.random() < 0.6 else "")
                people.append(contact)
                by_partner.setdefault(partner.pk, []).append(contact)
    stamped(people, lambda c: (gen.now - timedelta(days=rng.randint(1, 300)), gen.managers[c.authority_id]))
    bulk_create_with_history(people, Contact, batch_size=BATCH)

    logs = []
    for authority_id, partner_list in gen.partners_by_authority.items():
        emergency = gen.open_emergency_of.get(authority_id)
        manager = gen.managers[authority_id]
        for partner in partner_list:
            watched = partner.is_key or partner.is_decision_maker
            if watched:
                roll = rng.random()
                if roll < 0.06:
                    continue  # never contacted: due at once
                window = partner.window_days
                newest = (rng.uniform(0.1, 0.9) * window if roll < 0.7 else rng.uniform(1.05, 3) * window)
                count = rng.randint(2, 8)
            else:
                if rng.random() < 0.3:
                    continue
                newest = rng.uniform(0, 60)
                count = rng.randint(1, 5)
            moments = [newest] + sorted(newest + rng.uniform(1, 150) for _ in range(count - 1))
            for days_ago in moments:
                at = gen.now - timedelta(days=days_ago)
                logs.append(ContactLog(
                    authority_id=authority_id, partner=partner, contact=rng.choice(by_partner[partner.pk]),
                    happened_at=at, channel=rng.choice(ContactChannel.values), summary=rng.choice(SUMMARIES),
                    emergency=emergency if emergency is not None and at >= gen.when(emergency.started_on, 0) else None,
                    created_by=manager,
                ))
    stamped(logs, lambda log: (log.happened_at, log.created_by))
    bulk_create_with_history(logs, ContactLog, batch_size=BATCH)


def achievements(gen):
    rng = gen.rng
    objs = []
    for authority in gen.authorities:
        titles = set()
        for _ in range(rng.randint(3, 8)):
            kind = rng.choice(AchievementKind.values)
            title = rng.choice(ACHIEVEMENTS[kind])
            if title in titles:
                continue
            titles.add(title)
            objs.append(Achievement(
                authority=authority, title=title, kind=kind, status=rng.choice(STATUSES_FOR[kind]),
                description=rng.choice(["", "הישג של שלוש שנות עבודה", "חשוב לשמור גם בחירום",
                                        "תלוי בשותף חיצוני"]),
                updated_at=gen.now - timedelta(days=rng.randint(0, 60)), updated_by=gen.managers[authority.pk],
            ))
    stamped(objs, lambda a: (a.updated_at, a.updated_by))
    bulk_create_with_history(objs, Achievement, batch_size=BATCH)


STEPS = [partners, contacts, achievements]
