"""Demo initiatives for the demo authority (`manage.py load_initiatives_demo`, after `load_demo`). Links them to
the demo's needs, people, facilities and KPIs when the other registers have some. Safe to re-run."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.accounts.models import User
from hosen.field.models import Need
from hosen.plan.models import Kpi
from hosen.resources.models import Facility, Person
from hosen.tenancy.models import Authority
from hosen.workmodel.services import current_emergency

from . import services
from .models import PHASES, Initiative, Practice

DEMO_SLUG = "neve-hadgama"

# (title, owner, summary, phase, {phase: [notes]})
INITIATIVES = [
    ("מעבדת מייקרים ניידת במקלטים", "דנה כהן", "ערכות רובוטיקה ומדע שעוברות בין המקלטים הציבוריים בשכונות המזרחיות.",
     "test", {
         "ask": ["ילדים שוהים שעות במקלטים בלי פעילות; ההורים מבקשים מסגרת."],
         "imagine": ["להפוך את המקלט לחלל למידה: ערכה בארגז אחד, מדריך אחד, 12 ילדים."],
         "plan": ["6 ערכות, 4 מדריכים מתנדבים, סבב של 3 מקלטים ביום."],
         "create": ["הערכה הראשונה יצאה ביום ראשון עם עמותת מדע לכל."],
         "test": ["ההורים מרוצים; הערכה כבדה מדי למדריך אחד — מפצלים לשניים."],
     }),
    ("שיעורי מתמטיקה בזום לתלמידים המפונים", "יוסי לוי", "קבוצות קטנות של תלמידי ז׳–ט׳ שפונו למלונות.",
     "plan", {
         "ask": ["80 תלמידים מפונים בלי מחשב וללא מורה קבוע."],
         "imagine": ["מורים מתנדבים מכל הרשות, קבוצות של 6, שעה ביום."],
     }),
    ("קו חם להורים: מדע בבית", "מיכל שחר", "", "imagine", {
        "ask": ["הורים מבקשים רעיונות לפעילות בבית כשהמסגרות סגורות."],
    }),
    ("חלוקת מחשבים ניידים מהמלאי העירוני", "נועה בר", "", "ask", {}),
    ("ערכת 'מדע במרחב המוגן' לגני ילדים", "שירה גל", "ערכה פשוטה לגננות לשעות במרחב המוגן.", "share", {
        "ask": ["גננות מספרות שהילדים חרדים בזמן האזעקות."],
        "imagine": ["ניסויים קצרים ושקטים שמתאימים לחדר קטן."],
        "plan": ["20 ערכות, הדרכה בזום לגננות."],
        "create": ["הערכות חולקו לכל 20 הגנים."],
        "test": ["הגננות מדווחות על רוגע; הוספנו כרטיסיות באמהרית."],
        "share": ["לשתף ברשת: הערכה זולה וקלה לשכפול."],
    }),
]


@transaction.atomic
def load() -> int:
    with scopes_disabled():
        authority = Authority.objects.filter(slug=DEMO_SLUG).first()
        if authority is None or Initiative.objects.filter(authority=authority).exists():
            return 0
        emergency = current_emergency(authority)
        user = User.objects.filter(email="manager@example.org").first()
        needs = list(Need.objects.filter(authority=authority, emergency=emergency)[:6]) if emergency else []
        people = list(Person.objects.filter(authority=authority)[:6])
        facilities = list(Facility.objects.filter(authority=authority)[:4])
        kpis = list(Kpi.objects.filter(authority=authority, emergency=emergency, is_active=True)[:4])
        now = timezone.now()
        for n, (title, owner, summary, phase, notes) in enumerate(INITIATIVES):
            started = now - timedelta(days=10 - n)
            initiative = Initiative.objects.create(authority=authority, emergency=emergency, title=title, owner=owner,
                                                   summary=summary, created_by=user, created_at=started)
            for key in PHASES:
                for text in notes.get(key, []):
                    initiative.phase = key
                    services.add_note(initiative, text, user)
                if key == phase:
                    break
                services.move(initiative, services.NEXT, user)
            for pool, kind in ((needs, "need"), (people, "person"), (facilities, "facility"), (kpis, "kpi")):
                for target in pool[n % 2::2][:2]:
                    services.link(initiative, kind, target, user)
            if phase == "share":
                Practice.objects.create(
                    authority=authority, initiative=initiative, title=title, problem=notes["ask"][0],
                    what_we_did="\n".join(notes["imagine"] + notes["plan"] + notes["create"]),
                    what_worked=notes["test"][0], watch_for=notes["share"][0], stage="4",
                    tags="גני ילדים, מרחב מוגן", written_by=user)
        return len(INITIATIVES)
