"""Stage 2's writes for the no-lost-work tests (see hosen/integrity/registry.py and tests/test_no_lost_work.py)."""

from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.integrity.registry import Create, Edit, InPlace


def _site(cast, name="בית ספר הגפן"):
    from hosen.field.models import Site

    with scopes_disabled():
        return Site.objects.create(authority=cast.authority, name=name, kind="school")


def _need(cast):
    from hosen.field.models import Need

    with scopes_disabled():
        need = Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                   category="equipment", description="מחשבים ניידים לכיתה ח׳", urgency=2)
    return {"need_pk": need.pk}, need


def _count(model_name):
    def count(cast):
        from django.apps import apps

        with scopes_disabled():
            return apps.get_model("field", model_name).objects.filter(authority=cast.authority).count()

    return count


def _page(name):
    return lambda cast, kwargs: reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


EDITS = [
    Edit("field:need_edit", make=_need, first={"description": "מחשבים ניידים — 12 יחידות"},
         second={"description": "מחשבים ניידים ומטענים לכיתה ח׳"}, read=lambda need: need.description),
    Edit("field:site_edit", make=lambda cast: ({"site_pk": (site := _site(cast)).pk}, site),
         first={"address": "רחוב הגפן 1"}, second={"address": "רחוב הזית 7"}, read=lambda site: site.address,
         having="name"),
]

IN_PLACE = [
    InPlace("field:need_status", make=_need, page=lambda cast, kw: _page("field:needs")(cast, {}),
            action=lambda cast, kw: _page("field:need_status")(cast, kw),
            first={"status": "in_progress"}, second={"status": "met"}, read=lambda need: need.status),
]

CREATES = [
    Create("field:need_new", count=_count("Need"),
           fill={"audience": "students", "category": "equipment", "description": "מחשבים ניידים לכיתה ח׳",
                 "urgency": "3"}),
    Create("field:site_new", count=_count("Site"), fill={"name": "בית ספר האלון", "kind": "school"}),
    Create("field:site", count=_count("SiteStatus"), make=lambda cast: {"site_pk": _site(cast).pk},
           fill={"status": "open", "note": "הכול כשורה"}),
]

OTHER_WRITES = {
    "field:link_revoke": "revoking a link is the same however often it is sent",
    "field:site_import": "an import is all or nothing, and a file sent again updates the same rows by name",
}
