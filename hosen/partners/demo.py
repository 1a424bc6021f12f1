"""Demo axis registers for the demo authority: partners and decision makers (one overdue for a call), a
contact log, achievements to keep and STEM activity that continues. Does nothing the second time."""

from datetime import timedelta

from django.utils import timezone

from hosen.accounts.models import User
from hosen.tenancy.models import Authority
from hosen.workmodel.services import current_emergency

from .models import Achievement, Contact, ContactLog, Partner

DEMO_SLUG = "neve-hadgama"

# name, kind, key, decision maker, contact name, role, days since last contact (None: never), new in emergency
PARTNERS = [
    ("לשכת ראש הרשות", "municipal", True, True, "עידית ברק", "מנכ\"לית הרשות", 9, False),
    ("אגף החינוך", "municipal", True, True, "רונית אבן", "מנהלת האגף", 1, False),
    ("עמותת מדע לכל", "ngo", True, False, "רים חורי", "רכזת אזורית", 3, False),
    ("המרכז האקדמי גליל", "academia", False, False, "ד\"ר אורן טל", "ראש המחלקה לחינוך", 40, False),
    ("חברת הייטק מקומית", "industry", True, False, "גלעד שמעוני", "מנהל קהילה", 20, False),
    ("קרן פילנתרופית למדע", "philanthropy", True, False, "חנה גולן", "מנהלת תכניות", 6, False),
    ("מרכז הקליטה למפונים", "other", False, False, "מוחמד חסן", "מנהל המרכז", 0, True),
]

ACHIEVEMENTS = [
    ("רשת מורי המדע של הרשות", "keep", "kept", "מפגש חודשי של 40 מורים — עבר לזום"),
    ("שיתוף הפעולה עם התעשייה המקומית", "keep", "at_risk", "המנטורים גויסו; לשמור על הקשר"),
    ("אולימפיאדת הרובוטיקה העירונית", "stem", "paused", "נדחתה לאחרי החגים"),
    ("חוג האסטרונומיה לנוער", "stem", "continues", "בזום, פעמיים בשבוע"),
]


def load() -> bool:
    authority = Authority.objects.filter(slug=DEMO_SLUG).first()
    if authority is None or Partner.objects.filter(authority=authority).exists():
        return False
    emergency = current_emergency(authority)
    manager = User.objects.filter(email="manager@example.org").first()
    now = timezone.now()
    for name, kind, key, decider, contact_name, role, days, new in PARTNERS:
        partner = Partner.objects.create(authority=authority, name=name, kind=kind, is_key=key,
                                         is_decision_maker=decider, born_in=emergency if new else None)
        contact = Contact.objects.create(authority=authority, partner=partner, name=contact_name, role=role,
                                         phone="050-0000002")
        if days is not None:
            ContactLog.objects.create(authority=authority, partner=partner, contact=contact, channel="call",
                                      happened_at=now - timedelta(days=days, hours=2), created_by=manager,
                                      summary="עדכון על מצב המוסדות והצרכים הפתוחים", emergency=emergency)
    for title, kind, status, description in ACHIEVEMENTS:
        Achievement.objects.create(authority=authority, title=title, kind=kind, status=status,
                                   description=description, updated_by=manager)
    return True
