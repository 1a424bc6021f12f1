"""The situation room for the generated national network (see hosen/tenancy/national.py): 50–200 log
entries per open emergency — events, decisions, notes and tasks with owners (often a person on record)
and due times, some done, some overdue — and the updates sent out from the room to the channels.

It reads `sites_by_authority`, `people_by_authority`, `activities_by_authority` and `channels_by_authority`
from the shared `Generation` and sets nothing on it.
"""

from datetime import timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from hosen.field.national import AREAS as SITE_AREAS
from hosen.resources.models import ChannelKind
from hosen.tenancy.national import _by_history as stamped

from .models import EntryKind, LogEntry, OutgoingUpdate, Priority, UpdateMethod, UpdateStatus

BATCH = 1000
ENTRIES_PER_EMERGENCY = (50, 200)  # about 26,000 for 208 open emergencies
UPDATES_PER_EMERGENCY = (3, 20)

KIND_WEIGHTS = {EntryKind.EVENT: 40, EntryKind.DECISION: 15, EntryKind.TASK: 30, EntryKind.NOTE: 15}
TEXTS = {
    EntryKind.EVENT: [
        "{site} עבר ללמידה מרחוק", "אזעקה באזור — התלמידים במרחבים המוגנים", "{n} תלמידים מפונים הגיעו ל{site}",
        "נפתח המרחב המוגן ב{site}", "הפסקת חשמל ב{area}", "התקבלו {n} מחשבים ניידים מתרומה",
        "שיחת תיאום עם פיקוד העורף", "{site}: חסרים {n} אנשי צוות", "נזק קל למבנה {site}, אין נפגעים",
        "ההסעות ל{area} מתעכבות", "{person} דיווחה על עומס בקו החם להורים",
    ],
    EntryKind.DECISION: [
        "הוחלט: {activity} עובר לזום", "הוחלט לפתוח את {site} לקליטת מפונים",
        "הוחלט להשהות את הפעילויות אחר הצהריים עד להודעה חדשה", "הוחלט על ישיבת מצב יומית ב-9:00",
        "הוחלט להעביר את ההסעות דרך {area}", "הוחלט: {activity} ממשיך בקבוצות קטנות במרחב מוגן",
        "הוחלט לרכז את התרומות במחסן העירוני",
    ],
    EntryKind.TASK: [
        "להתקשר למנהלת {site}", "לתאם הסעה לתלמידי {site}", "לחלק {n} ערכות פעילות ב{area}",
        "לעדכן את ההורים בקבוצת הווטסאפ", "לבדוק את המקלט ב{site}", "להכין רשימת מתנדבים ל{area}",
        "לשלוח סיכום יומי לראש הרשות", "לאסוף נתוני נוכחות מבתי הספר", "לבדוק מלאי מחשבים ניידים",
        "לתאם עם הרווחה ביקור בית ב{area}",
    ],
    EntryKind.NOTE: [
        "המתנדבים מבקשים נקודת קשר אחת", "{person} ממלא/ת מקום עד יום חמישי", "חסר מידע מ{site}",
        "מחר אין הסעות בבוקר", "משרד החינוך יפרסם הנחיות חדשות בערב", "הקו החם פעיל עד 22:00",
    ],
}
FAILURES = ["SMTPRecipientsRefused", "Connection refused by the mail server", "timed out"]


def _choice(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _text(gen, kind, sites, people, activities):
    rng = gen.rng
    return rng.choice(TEXTS[kind]).format(
        site=rng.choice(sites).name if sites else "בית הספר", area=rng.choice(SITE_AREAS), n=rng.randint(2, 120),
        person=rng.choice(people).name if people else "רכזת המתנדבים",
        activity=rng.choice(activities).name if activities else "החוג",
    )


def log_entries(gen):
    rng = gen.rng
    objs = []
    for emergency in gen.open_emergencies:
        authority_id = emergency.authority_id
        manager = gen.managers[authority_id]
        sites = gen.sites_by_authority.get(authority_id, [])
        people = [p for p in gen.people_by_authority.get(authority_id, []) if p.is_active]
        activities = getattr(gen, "activities_by_authority", {}).get(authority_id, [])
        start = gen.when(emergency.started_on, 7)
        span = max((gen.now - start).total_seconds(), 3600)
        for _ in range(rng.randint(*ENTRIES_PER_EMERGENCY)):
            kind = _choice(rng, KIND_WEIGHTS)
            # Busier lately: the newest days hold more of the log.
            happened = gen.now - timedelta(seconds=span * rng.random() ** 2) - timedelta(minutes=rng.randint(1, 30))
            entry = LogEntry(
                authority_id=authority_id, emergency=emergency, kind=kind,
                text=_text(gen, kind, sites, people, activities),
                priority=Priority.URGENT if rng.random() < 0.15 else Priority.NORMAL, happened_at=happened,
                created_by=manager, edited_at=happened + timedelta(minutes=10) if rng.random() < 0.05 else None,
            )
            if kind == EntryKind.TASK:
                if people and rng.random() < 0.7:
                    entry.owner_person = rng.choice(people)
                    entry.owner = entry.owner_person.name
                elif rng.random() < 0.7:
                    entry.owner = rng.choice(["צוות החירום", "רכזת המתנדבים", "מנהלת האגף", "דובר הרשות"])
                if rng.random() < 0.85:
                    entry.due_at = happened + timedelta(hours=rng.randint(2, 72))
                # Older tasks are mostly done; the open ones past their due time are the overdue ones.
                age = (gen.now - happened).total_seconds() / span
                if rng.random() < 0.2 + 0.7 * age:
                    entry.done_at = min(happened + timedelta(hours=rng.randint(1, 60)), gen.now)
                    entry.done_by = manager
            objs.append(entry)
    stamped(objs, lambda e: (e.happened_at, e.created_by))
    bulk_create_with_history(objs, LogEntry, batch_size=BATCH)


def _update_text(gen, emergency, sites, at):
    rng = gen.rng
    lines = [f"עדכון מצב — {emergency.name}, {timezone.localtime(at):%d.%m %H:%M}"]
    for _ in range(rng.randint(2, 5)):
        lines.append("• " + rng.choice([
            f"{rng.randint(2, 30)} מוסדות פתוחים, {rng.randint(0, 10)} בלמידה מרחוק",
            f"{rng.choice(sites).name if sites else 'בית הספר'} פתוח לקליטת מפונים",
            f"חולקו {rng.randint(10, 300)} מחשבים ניידים",
            "הקו החם להורים פעיל עד 22:00",
            f"דרושים מתנדבים ל{rng.choice(SITE_AREAS)}",
            "ההסעות פועלות כרגיל",
        ]))
    return "\n".join(lines)


def outgoing_updates(gen):
    rng = gen.rng
    objs = []
    for emergency in gen.open_emergencies:
        channels = [c for c in gen.channels_by_authority.get(emergency.authority_id, [])
                    if c.active_in_id == emergency.pk] or gen.channels_by_authority.get(emergency.authority_id, [])
        if not channels:
            continue
        manager = gen.managers[emergency.authority_id]
        sites = gen.sites_by_authority.get(emergency.authority_id, [])
        start = gen.when(emergency.started_on, 8)
        span = max((gen.now - start).total_seconds(), 3600)
        for _ in range(rng.randint(*UPDATES_PER_EMERGENCY)):
            channel = rng.choice(channels)
            at = start + timedelta(seconds=span * rng.random())
            by_email = channel.kind == ChannelKind.MAILING_LIST and rng.random() < 0.8
            failed = by_email and rng.random() < 0.08
            objs.append(OutgoingUpdate(
                authority_id=emergency.authority_id, emergency=emergency, channel=channel, channel_name=channel.name,
                text=_update_text(gen, emergency, sites, at), composed_by=manager, sent_at=at,
                method=UpdateMethod.EMAIL if by_email else UpdateMethod.COPIED,
                recipients=len(channel.email_recipients.split()) if by_email else channel.reach,
                status=UpdateStatus.FAILED if failed else UpdateStatus.SENT,
                error=rng.choice(FAILURES) if failed else "",
            ))
    stamped(objs, lambda u: (u.sent_at, u.composed_by))
    bulk_create_with_history(objs, OutgoingUpdate, batch_size=BATCH)


STEPS = [log_entries, outgoing_updates]
