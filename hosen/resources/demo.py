"""Demo stage-3 registers for the demo authority: people with skills, facilities, channels, funding.
Runs after the field demo; does nothing the second time."""

from datetime import timedelta

from django.utils import timezone

from hosen.field.models import Site
from hosen.tenancy.models import Authority
from hosen.workmodel.services import current_emergency

from .models import Channel, Facility, FundingSource, Person, Skill

DEMO_SLUG = "neve-hadgama"

# name, kind, organisation, role, skill keys, languages, area, availability
PEOPLE = [
    ("דנה כהן", "staff", "מינהלת האקוסיסטם", "רכזת רובוטיקה", ["robotics", "stem-instruction"], ["he", "en"],
     "מזרח", "available"),
    ("יוסי לוי", "staff", "בית ספר אלון", "מורה למתמטיקה", ["teaching", "online-teaching"], ["he"], "מרכז", "partly"),
    ("רים חורי", "partner", "עמותת מדע לכל", "מדריכה", ["science-demonstrations", "youth-work"], ["ar", "he"],
     "צפון", "available"),
    ("אבי דוד", "volunteer", "", "טכנאי מחשבים בגמלאות", ["tech-support", "laptop-repair"], ["he", "ru"], "מרכז",
     "available"),
    ("מיכל שחר", "partner", "השירות הפסיכולוגי", "פסיכולוגית חינוכית", ["psychology", "emotional-first-aid"],
     ["he"], "מזרח", "partly"),
    ("סלאם נסאר", "activist", "ועד השכונה", "פעילה קהילתית", ["logistics", "translation"], ["ar", "he"], "מזרח",
     "available"),
    ("עומר נחום", "volunteer", "", "סטודנט להנדסה", ["maker-3d-printing", "robotics"], ["he", "en"], "צפון",
     "unknown"),
    ("שירה גל", "staff", "מרכז מדעים עירוני", "מנהלת המרכז", ["event-production", "stem-instruction"], ["he"],
     "צפון", "unavailable"),
]


def load() -> bool:
    authority = Authority.objects.filter(slug=DEMO_SLUG).first()
    if authority is None or Person.objects.filter(authority=authority).exists():
        return False
    emergency = current_emergency(authority)
    skills = {s.key: s for s in Skill.objects.all()}
    for name, kind, organisation, role, skill_keys, languages, area, availability in PEOPLE:
        person = Person.objects.create(
            authority=authority, name=name, kind=kind, organisation=organisation, role=role, languages=languages,
            area=area, availability=availability if emergency else "unknown", availability_emergency=emergency,
            phone="050-0000000",
        )
        person.skills.set([skills[key] for key in skill_keys if key in skills])
    sites = {s.name: s for s in Site.objects.filter(authority=authority)}
    for name, kind, site, protected, capacity, availability in [
        ("מקלט ציבורי 12", "shelter", None, True, 60, "available"),
        ("מעבדת מייקרים", "lab", "מרכז מדעים עירוני", True, 25, "partly"),
        ("אולם הספורט אלון", "hall", "בית ספר אלון", False, 300, "available"),
        ("כיתה ממוגנת בחטיבה", "classroom", "חטיבת ביניים רעות", True, 35, "unavailable"),
    ]:
        Facility.objects.create(authority=authority, name=name, kind=kind, site=sites.get(site), area="מזרח",
                                is_protected=protected, capacity=capacity, availability=availability,
                                key_holder="אב הבית", key_holder_phone="050-0000001")
    now = timezone.now()
    for name, kind, audience, reach, active in [
        ("הורי הרשות — עדכונים", "whatsapp", "הורים", 1800, True),
        ("מנהלות ומנהלי בתי הספר", "whatsapp", "מנהלים", 24, True),
        ("ניוזלטר האקוסיסטם", "mailing_list", "שותפים", 350, False),
        ("דף הפייסבוק של הרשות", "social", "תושבים", 9000, True),
    ]:
        Channel.objects.create(authority=authority, name=name, kind=kind, audience=audience, reach=reach,
                               owner="מירב מנהלת", active_in=emergency if active else None,
                               activated_at=now if active and emergency else None,
                               email_recipients="partners@example.org" if kind == "mailing_list" else "")
    for name, kind, requested, approved, received, status, categories, days in [
        ("קרן חירום עירונית", "municipal", 150000, 120000, 60000, "received", ["equipment", "food"], 30),
        ("קרן פילנתרופית למדע", "philanthropic", 80000, None, None, "requested", ["learning", "equipment"], 5),
        ("חברת הייטק מקומית", "business", 30000, 30000, None, "approved", ["equipment"], 14),
    ]:
        FundingSource.objects.create(authority=authority, name=name, kind=kind, requested=requested,
                                     approved=approved, received=received, status=status, categories=categories,
                                     deadline=timezone.localdate() + timedelta(days=days), emergency=emergency)
    return True
