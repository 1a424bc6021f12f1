"""Demo work plan and KPIs for the demo authority (`manage.py load_plan_demo`, after `load_demo` and
`load_kpi_templates`). Uses the demo's sites and facilities when the other registers have them."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.field.models import Site
from hosen.resources.models import Facility
from hosen.tenancy.models import Authority
from hosen.workmodel.services import current_emergency

from . import kpis, services
from .models import Activity, Kpi, KpiTemplate, Measurement

DEMO_SLUG = "neve-hadgama"

# (name, kind, audience, partner, essential, owner, place)
ACTIVITIES = [
    ("רובוטיקה לכיתות ז׳–ח׳", "programme", "students", "עמותת מדע לכל", True, "דנה כהן", "מעבדת מייקרים"),
    ("מועדון מתמטיקה אחר הצהריים", "programme", "students", "", True, "יוסי לוי", "בית ספר אלון"),
    ("השתלמות מורים: למידה מבוססת פרויקטים", "course", "teachers", "מכללת הגליל", True, "רונית אבן", ""),
    ("יריד מדע עירוני", "event", "community", "המרכז למדע", False, "אבי דוד", "אולם ספורט אלון"),
    ("תכנית יזמות טכנולוגית לתיכון", "programme", "students", "חברת הייטק מקומית", False, "נועה בר", ""),
    ("סדנאות הורים: מדע בבית", "course", "parents", "", False, "מיכל שחר", "מרכז נוער השכונה"),
    ("אסטרונומיה בלילה", "event", "community", "מצפה הכוכבים", False, "עומר נחום", ""),
    ("קורס תכנות לבנות", "course", "students", "עמותת קוד", True, "שירה גל", "מרכז מדעים עירוני"),
]

# index -> (decision, ways, how, reason)
DECISIONS = {
    0: ("adapt", ["protected_space", "smaller_groups"], "קבוצות של 12 במקלט", "אין אפשרות להתכנס בכיתות"),
    1: ("adapt", ["online"], "בזום, פעמיים בשבוע", "בית הספר סגור"),
    2: ("continue", [], "", ""),
    3: ("stop", [], "", "אין התקהלויות לפי הנחיות פיקוד העורף"),
    4: ("pause", [], "", "המנטורים גויסו למילואים"),
    7: ("pause", [], "", "המרכז משמש לקליטת מפונים"),
}

NEW_RESPONSES = [
    ("קו חם להורים: תמיכה בלמידה מרחוק", "programme", "parents", "מתנדבי הקהילה", True, "מיכל שחר", "טלפון ווטסאפ"),
    ("ערכות מדע לבית למשפחות מפונות", "programme", "community", "עמותת מדע לכל", False, "דנה כהן", "מרכז הקליטה"),
]

EMERGENCY_KPIS = ["students_reached", "laptops_distributed", "protected_space_activities", "needs_met_72h",
                  "sites_fresh", "essential_running", "open_urgent_needs", "volunteers_active"]

# Hand-entered weekly values, oldest first.
MANUAL = {
    "students_reached": [Decimal("35"), Decimal("52"), Decimal("64")],
    "laptops_distributed": [Decimal("40"), Decimal("85"), Decimal("120")],
}


@transaction.atomic
def load_plan_demo() -> bool:
    """Create the demo plan once; returns False when it is there already (or the demo is missing)."""
    with scopes_disabled():
        authority = Authority.objects.filter(slug=DEMO_SLUG).first()
        if authority is None or Activity.objects.filter(authority=authority).exists():
            return False
        emergency = current_emergency(authority)
        manager = authority.memberships.filter(role="manager").select_related("user").first()
        user = manager.user if manager else None
        places = {f.name: f for f in Facility.objects.filter(authority=authority)}
        sites = {s.name: s for s in Site.objects.filter(authority=authority)}
        year = timezone.localdate().year
        made = []
        for name, kind, audience, partner, essential, owner, place in ACTIVITIES:
            made.append(Activity.objects.create(
                authority=authority, name=name, kind=kind, audience=audience, partner=partner, is_essential=essential,
                owner=owner, place=place if place not in places and place not in sites else "",
                facility=places.get(place), site=sites.get(place),
                starts_on=date(year, 9, 1), ends_on=date(year + 1, 6, 20)))
        if emergency is None:
            return True
        for name, kind, audience, partner, essential, owner, place in NEW_RESPONSES:
            made.append(Activity.objects.create(
                authority=authority, name=name, kind=kind, audience=audience, partner=partner, is_essential=essential,
                owner=owner, place=place, born_in=emergency, starts_on=emergency.started_on))
        decided_at = timezone.now() - timedelta(days=5)
        # A decision that changed: the maths club first paused, then moved online.
        services.decide(made[1], emergency, decision="pause", reason="בית הספר סגור עד להודעה חדשה", user=user,
                        now=decided_at - timedelta(days=4))
        for index, (decision, ways, how, reason) in DECISIONS.items():
            services.decide(made[index], emergency, decision=decision, ways=ways, how=how, reason=reason, user=user,
                            now=decided_at)
        for activity in made[len(ACTIVITIES):]:
            services.decide(activity, emergency, decision="continue", user=user, now=decided_at)

        templates = list(KpiTemplate.objects.filter(key__in=EMERGENCY_KPIS))
        services.choose(authority, emergency, user, offered=templates, chosen_templates=templates)
        today = timezone.localdate()
        for kpi in Kpi.objects.filter(authority=authority, emergency=emergency).select_related("template"):
            values = MANUAL.get(kpi.template.key)
            if values:
                for weeks_ago, value in zip(range(len(values) - 1, -1, -1), values, strict=True):
                    Measurement.objects.create(authority=authority, kpi=kpi, value=value, entered_by=user,
                                               measured_for=today - timedelta(days=7 * weeks_ago))
            elif kpi.is_computed:
                kpis.store_computed(kpi)
        return True
