"""Demo field registers for the demo authority: sites with statuses, needs, a quick-report link and a
team pulse. Runs after the foundation's demo (hosen/tenancy/demo.py); does nothing the second time."""

from datetime import timedelta

from django.utils import timezone

from hosen.accounts.models import User
from hosen.tenancy.models import Authority
from hosen.workmodel.services import current_emergency

from .models import Need, Pulse, PulseRecipient, ReportLink, Site, SiteStatus

DEMO_SLUG = "neve-hadgama"

# name, kind, area, students, staff, protected capacity (None: no protected space)
SITES = [
    ("בית ספר אלון", "school", "מזרח", 420, 38, 120),
    ("בית ספר הדקל", "school", "מרכז", 510, 44, 200),
    ("חטיבת ביניים רעות", "school", "צפון", 640, 57, None),
    ("גן כלנית", "kindergarten", "מזרח", 31, 4, 35),
    ("גן רקפת", "kindergarten", "מזרח", 28, 3, None),
    ("גן נרקיס", "kindergarten", "מרכז", 30, 4, 30),
    ("יחידת הנוער העירונית", "youth_unit", "מרכז", None, 9, 60),
    ("מרכז מדעים עירוני", "stem_centre", "צפון", None, 12, 80),
    ("מתנ\"ס השכונה", "community_centre", "מזרח", None, 15, 150),
]

# site index, status, present, evacuated, hosted, hours ago, note
STATUSES = [
    (0, "partial", 180, 0, None, 5, "לומדים במשמרות, רק כיתות עם מרחב מוגן קרוב"),
    (1, "open", 470, 0, None, 20, ""),
    (2, "remote", 0, 0, None, 60, "עוברים ללמידה מרחוק עד להודעה חדשה"),
    (3, "closed", 0, 0, None, 3, "הגן סגור, אין מרחב מוגן מספיק"),
    (4, "damaged", 0, 0, None, 2, "נזק לגג מרסיס; הגננת בקשר עם ההורים"),
    (7, "hosting", 40, 0, 65, 8, "קולטים 65 מפונים מהצפון"),
]

# audience, category, description, quantity, urgency, status, emerging, site index
NEEDS = [
    ("students", "equipment", "מחשבים ניידים ללמידה מרחוק", 45, 4, "open", True, 2),
    ("site", "space", "מרחב מוגן חלופי לגן", 1, 4, "open", True, 3),
    ("parents", "emotional", "מפגש חוסן להורים בזום", 1, 3, "in_progress", True, None),
    ("teams", "staff", "מורים מחליפים למשמרת אחר הצהריים", 4, 3, "open", False, 0),
    ("site", "food", "ארוחות חמות למפונים", 65, 4, "in_progress", True, 7),
    ("students", "learning", "רישיונות לפלטפורמת מתמטיקה", 120, 2, "open", False, None),
    ("community", "transport", "הסעה לפעילות במרכז המדעים", 2, 2, "met", False, 7),
    ("site", "equipment", "יריעות ניילון ותיקון גג", 1, 3, "open", True, 4),
]


def load() -> bool:
    authority = Authority.objects.filter(slug=DEMO_SLUG).first()
    if authority is None or Site.objects.filter(authority=authority).exists():
        return False
    emergency = current_emergency(authority)
    manager = User.objects.filter(email="manager@example.org").first()
    team = User.objects.filter(email="team@example.org").first()
    now = timezone.now()
    sites = [Site.objects.create(authority=authority, name=name, kind=kind, area=area, students=students,
                                 staff=staff, has_protected_space=capacity is not None,
                                 protected_capacity=capacity, address=f"רחוב {name.split()[-1]} {n + 3}")
             for n, (name, kind, area, students, staff, capacity) in enumerate(SITES)]
    if emergency is None:
        return True
    for index, status, present, evacuated, hosted, hours, note in STATUSES:
        SiteStatus.objects.create(authority=authority, emergency=emergency, site=sites[index], status=status,
                                  present=present, evacuated=evacuated, hosted=hosted, note=note,
                                  reported_by=team if index % 2 else manager,
                                  reported_at=now - timedelta(hours=hours))
    for audience, category, text, quantity, urgency, status, emerging, site in NEEDS:
        Need.objects.create(authority=authority, emergency=emergency, audience=audience, category=category,
                            description=text, quantity=quantity, urgency=urgency, status=status,
                            is_emerging=emerging, site=sites[site] if site is not None else None,
                            source="ישיבת צוות", created_by=manager, created_at=now - timedelta(hours=30),
                            resolved_at=now - timedelta(hours=4) if status == "met" else None)
    ReportLink.objects.create(authority=authority, emergency=emergency, label="מנהלות הגנים במזרח",
                              group_kind="kindergarten", group_area="מזרח", expires_at=now + timedelta(days=7),
                              created_by=manager)
    pulse = Pulse.objects.create(authority=authority, emergency=emergency, title="דופק צוות — יום ראשון",
                                 message="איך אתם? אפשר לעבוד השבוע?", expires_at=now + timedelta(days=2),
                                 created_by=manager)
    for name, availability, where in [("טל צוות", "can", "מהבית"), ("אורית המדריכה", "partly", "בבוקר בלבד"),
                                      ("מוחמד הרכז", "", ""), ("שירה מהמרכז", "cannot", "")]:
        PulseRecipient.objects.create(authority=authority, pulse=pulse, name=name, availability=availability,
                                      where=where, answered_at=now - timedelta(hours=6) if availability else None)
    return True
