"""Demo situation room for the demo authority: a day of events, decisions and tasks (one overdue) and an
update sent to the parents' group. Runs after the resources demo; does nothing the second time."""

from datetime import timedelta

from django.utils import timezone

from hosen.accounts.models import User
from hosen.resources.models import Channel, Person
from hosen.tenancy.models import Authority
from hosen.workmodel.services import current_emergency

from .models import LogEntry, OutgoingUpdate

DEMO_SLUG = "neve-hadgama"

# kind, text, hours ago, owner, due in hours (negative: overdue), done, urgent
ENTRIES = [
    ("event", "אזעקה בשכונות המזרחיות; כל הגנים במרחבים המוגנים", 9, "", None, False, True),
    ("decision", "בית ספר אלון עובר למשמרות: כיתות ז׳–ח׳ בבוקר, ט׳ אחר הצהריים", 8, "", None, False, False),
    ("task", "לאסוף את רשימת התלמידים ללא מחשב בחטיבת רעות", 7, "יוסי לוי", -2, False, True),
    ("task", "לתאם הסעה של ערכות מדע למרכז הקליטה", 6, "סלאם נסאר", 5, False, False),
    ("task", "לעדכן את מנהלת אגף החינוך על סגירת גן כלנית", 5, "מירב מנהלת", -1, True, False),
    ("event", "מרכז המדעים קלט 65 מפונים מהצפון", 4, "", None, False, False),
    ("note", "הקרן הפילנתרופית מבקשת רשימת צרכים מעודכנת עד יום חמישי", 2, "", None, False, False),
]


def load() -> bool:
    authority = Authority.objects.filter(slug=DEMO_SLUG).first()
    emergency = current_emergency(authority) if authority else None
    if emergency is None or LogEntry.objects.filter(authority=authority).exists():
        return False
    manager = User.objects.filter(email="manager@example.org").first()
    people = {p.name: p for p in Person.objects.filter(authority=authority)}
    now = timezone.now()
    for kind, text, hours, owner, due, done, urgent in ENTRIES:
        LogEntry.objects.create(
            authority=authority, emergency=emergency, kind=kind, text=text, created_by=manager,
            happened_at=now - timedelta(hours=hours), priority="urgent" if urgent else "normal",
            owner=owner, owner_person=people.get(owner),
            due_at=now + timedelta(hours=due) if due is not None else None,
            done_at=now - timedelta(minutes=30) if done else None, done_by=manager if done else None,
        )
    channel = Channel.objects.filter(authority=authority, kind="whatsapp").first()
    if channel is not None:
        OutgoingUpdate.objects.create(
            authority=authority, emergency=emergency, channel=channel, channel_name=channel.name,
            text="*עדכון בוקר*\nבית ספר אלון במשמרות; גן כלנית סגור היום.\nצריך מתנדבים לחלוקת ערכות — לפנות למירב.",
            composed_by=manager, sent_at=now - timedelta(hours=3), method="copied",
        )
    return True
