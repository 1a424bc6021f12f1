"""Stage 3's writes for the no-lost-work tests (see hosen/integrity/registry.py and tests/test_no_lost_work.py):
the registers' forms and in-place changes, the sign-up and donors' links, and allocating."""

from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.integrity.registry import Create, Edit, InPlace

from .matrix_registers import make_channel, make_facility, make_funding, make_person


def _count(model_name):
    def count(cast):
        from django.apps import apps

        with scopes_disabled():
            return apps.get_model("resources", model_name).objects.filter(authority=cast.authority).count()

    return count


def _page(name):
    return lambda cast, kwargs: reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


def _record(maker, kwarg, name, **fields):
    def make(cast):
        record = maker(cast.authority, name, **fields)
        return {kwarg: record.pk}, record

    return make


def _need(cast, description="מתנדבים לחלוקת ציוד"):
    """A "staff" need: anyone available may join it, so every available person is proposed for it."""
    from hosen.field.models import Need

    with scopes_disabled():
        return Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                   category="staff", description=description, urgency=3)


def _available(cast, name):
    return make_person(cast.authority, name, availability="available", availability_emergency=cast.emergency)


# What the allocate buttons send names records made for each test: `make` fills these in before the page is
# loaded (the same dict is the Create's `fill`), so that sending again after a reload asks for the same pair.
# Each page offers a second pair, so that it still has an allocate button after the first is taken.
_NEED_FILL, _PERSON_FILL, _PLAN_FILL = {}, {}, {}


def _need_matches(cast):
    need, person, _other = _need(cast), _available(cast, "רונית לוי"), _available(cast, "יוסי מזרחי")
    _NEED_FILL.update(kind="person", resource=str(person.pk))
    return {"need_pk": need.pk}


def _person_matches(cast):
    need, _other, person = _need(cast), _need(cast, "מתנדבים לשמרטפות"), _available(cast, "נועה שמש")
    _PERSON_FILL.update(need=str(need.pk))
    return {"person_pk": person.pk}


def _plan(cast):
    first, _second = _need(cast), _need(cast, "מתנדבים לשמרטפות")
    person, _other = _available(cast, "אורי כץ"), _available(cast, "דנה כהן")
    _PLAN_FILL.update(pair=f"{first.pk}:person:{person.pk}")
    return {}


def _people_page(cast, kwargs):
    return _page("resources:people")(cast, {})


def _channels_page(cast, kwargs):
    return _page("resources:channels")(cast, {})


EDITS = [
    Edit("resources:person_edit", make=_record(make_person, "person_pk", "דנה לוי", role="רכזת"),
         first={"role": "רכזת מדעים"}, second={"role": "מורה לפיזיקה ומדריכה"}, read=lambda p: p.role,
         having="name"),
    Edit("resources:channel_edit", make=_record(make_channel, "channel_pk", "הורי הצפון"),
         first={"audience": "הורים בצפון העיר"}, second={"audience": "הורים ומורים בצפון"},
         read=lambda c: c.audience, having="name"),
    Edit("resources:facility_edit", make=_record(make_facility, "facility_pk", "אולם הספורט"),
         first={"equipment": "מקרן ומחשב"}, second={"equipment": "מטבחון ועשרים כיסאות"},
         read=lambda f: f.equipment, having="name"),
    Edit("resources:funding_edit", make=_record(make_funding, "funding_pk", "קרן הצפון"),
         first={"contact": "מירב כהן"}, second={"contact": "יוסי אברהם"}, read=lambda s: s.contact,
         having="name"),
]

IN_PLACE = [
    InPlace("resources:person_availability", make=_record(make_person, "person_pk", "תגסט"),
            page=_people_page, action=_page("resources:person_availability"),
            first={"availability": "available"}, second={"availability": "unavailable"},
            read=lambda p: p.availability),
    InPlace("resources:channel_active", make=_record(make_channel, "channel_pk", "רשימת תפוצה למנהלים"),
            page=_channels_page, action=_page("resources:channel_active"),
            first={"active": "1"}, second={"active": "0"}, read=lambda c: c.active_in_id),
]

CREATES = [
    Create("resources:person_new", count=_count("Person"), fill={"name": "שירן אלון", "kind": "volunteer"}),
    Create("resources:channel_new", count=_count("Channel"), fill={"name": "קבוצת המורים", "kind": "whatsapp"}),
    Create("resources:facility_new", count=_count("Facility"), fill={"name": "המעבדה", "kind": "lab"}),
    Create("resources:funding_new", count=_count("FundingSource"),
           fill={"name": "קרן החינוך", "kind": "philanthropic"}),
    Create("resources:volunteer_links", count=_count("VolunteerLink"),
           fill={"label": "קבוצת ההורים", "valid_days": "30"}),
    Create("resources:donors", count=_count("DonorLink"), fill={"label": "קרן משפחת לוי"}),
    Create("resources:donor_links", count=_count("DonorLink"), fill={"label": "עמותת יחד"}),
    Create("resources:need_matches", count=_count("Allocation"), make=_need_matches, fill=_NEED_FILL,
           having="resource"),
    Create("resources:person_matches", count=_count("Allocation"), make=_person_matches, fill=_PERSON_FILL,
           having="need"),
    Create("resources:plan", count=_count("Allocation"), make=_plan, fill=_PLAN_FILL, having="pair"),
]

OTHER_WRITES = {
    "resources:people_import": "an import is all or nothing, and a file sent again updates the same people "
                               "(by e-mail, phone, or a name held by one person)",
    "resources:facilities_import": "an import is all or nothing, and a file sent again updates the same "
                                   "facilities by name",
    "resources:volunteer_link_revoke": "revoking a link is the same however often it is sent",
    "resources:donor_link_revoke": "revoking a link is the same however often it is sent",
    "resources:allocation_release": "releasing is the same however often it is sent: an allocation released "
                                    "already stays released, and the answer says so",
    # Outside an authority (not in the matrix's authority pages): the public sign-up carries its own
    # submission key, stored on the person; a resend is answered from the ledger (test_volunteers.py).
    "resources_public:volunteer": "a create with its own submission key, tested in test_volunteers.py",
}
