"""The foundation's writes for the no-lost-work tests (see hosen/integrity/registry.py)."""

from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.integrity.registry import Create, Edit, InPlace


def _answer(cast):
    from hosen.workmodel.models import Answer, ChecklistItem

    with scopes_disabled():
        answer = Answer.objects.create(authority=cast.authority, round=cast.round,
                                       item=ChecklistItem.objects.get(number=6), status="partly", note="חסר מיפוי")
    return {"number": 6}, answer


def _emergency(cast):
    return {"pk": cast.emergency.pk}, cast.emergency


def _closed(cast):
    from hosen.workmodel.models import Emergency, Phase

    with scopes_disabled():
        Emergency.objects.filter(pk=cast.emergency.pk).update(phase=Phase.CLOSED)
    return {}


def _a_site(cast):
    from hosen.field.models import Site

    with scopes_disabled():
        Site.objects.create(authority=cast.authority, name="בית ספר הגפן", kind="school")
    return {}


def _count(app, model, **filters):
    def count(cast):
        from django.apps import apps

        with scopes_disabled():
            return apps.get_model(app, model).objects.filter(**filters).count()

    return count


EDITS = [
    Edit("workmodel:answer", make=_answer, having="i6-note", htmx=True,
         first={"i6-status": "done", "i6-note": "המיפוי הושלם"},
         second={"i6-status": "partly", "i6-note": "חסרים שני גנים במיפוי"}, read=lambda answer: answer.note),
]

IN_PLACE = [
    InPlace("workmodel:emergency", make=_emergency, users=("manager", "manager"), htmx=False, having="phase",
            page=lambda cast, kw: reverse("workmodel:emergency", kwargs={"authority_slug": cast.authority.slug, **kw}),
            first={"phase": "recovery"}, second={"phase": "readiness"}, read=lambda emergency: emergency.phase),
]

CREATES = [
    Create("workmodel:emergency_new", count=_count("workmodel", "Emergency"), make=_closed, reload=False,
           fill={"name": "הסלמה בצפון", "kind": "war", "started_on": "2026-12-01", "severity": "3"}),
    Create("workmodel:rounds", count=_count("workmodel", "Round"), fill={"label": "שבוע 2"}, having="label"),
    Create("workmodel:checkin", count=_count("workmodel", "CheckIn"),
           fill={"feeling": "עייפה אבל מחזיקה", "notes": "לזכור לאכול"}),
    Create("team:members", count=_count("accounts", "Invitation"), fill={"email": "new.teammate@test.org",
                                                                        "role": "team"}),
    Create("field:links", count=_count("field", "ReportLink"), make=_a_site,
           fill={"label": "כל בתי הספר", "valid_for": "7", "unit": "days"}),
    Create("field:pulses", count=_count("field", "Pulse"),
           fill={"title": "מי יכול לעבוד מחר?", "valid_hours": "24", "others": "דנה לוי, dana@test.org"}),
]

OTHER_WRITES = {
    "workmodel:emergency_close": "closing is once; a second closing adds its lessons to the first (test_emergencies)",
    "field:pulse": "closing a pulse is the same however often it is sent",
}
