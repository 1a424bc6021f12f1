"""The axis's writes for the no-lost-work tests (see hosen/integrity/registry.py and tests/test_no_lost_work.py)."""

from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.integrity.registry import Create, Edit, InPlace


def _partner(cast, name="מתנ\"ס הגפן"):
    from hosen.partners.models import Partner

    with scopes_disabled():
        return Partner.objects.create(authority=cast.authority, name=name, kind="ngo", is_key=True)


def _achievement(cast):
    from hosen.partners.models import Achievement

    with scopes_disabled():
        achievement = Achievement.objects.create(authority=cast.authority, title="חוג רובוטיקה", kind="stem",
                                                 status="continues")
    return {"achievement_pk": achievement.pk}, achievement


def _count(model_name):
    def count(cast):
        from django.apps import apps

        with scopes_disabled():
            return apps.get_model("partners", model_name).objects.filter(authority=cast.authority).count()

    return count


def _page(name):
    return lambda cast, kwargs: reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


EDITS = [
    Edit("partners:edit", make=lambda cast: ({"partner_pk": (partner := _partner(cast)).pk}, partner),
         first={"notes": "נפגשנו עם המנהלת, מחכים לתשובה"}, second={"notes": "התקשרנו — מוכנים לארח שני חוגים"},
         read=lambda partner: partner.notes),
]

IN_PLACE = [
    InPlace("partners:achievement_status", make=_achievement,
            page=lambda cast, kw: _page("partners:achievements")(cast, {}),
            action=lambda cast, kw: _page("partners:achievement_status")(cast, kw),
            first={"status": "at_risk"}, second={"status": "paused"}, read=lambda achievement: achievement.status),
]

CREATES = [
    Create("partners:new", count=_count("Partner"), fill={"name": "מרכז המדע העירוני", "kind": "ngo"}),
    Create("partners:contact_new", count=_count("Contact"), make=lambda cast: {"partner_pk": _partner(cast).pk},
           fill={"name": "רינה כהן", "role": "רכזת", "phone": "050-1234567"}),
    # The partner's page: a contact-log entry.
    Create("partners:detail", count=_count("ContactLog"), make=lambda cast: {"partner_pk": _partner(cast).pk},
           fill={"channel": "call", "summary": "דיברנו על חוג המדע בשבוע הבא"}, having="summary"),
    # The achievements page: a new achievement.
    Create("partners:achievements", count=_count("Achievement"),
           fill={"kind": "keep", "title": "שיתוף הפעולה עם התעשייה"}, having="title"),
]
