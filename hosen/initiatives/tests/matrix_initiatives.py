"""The design-thinking pages in the permission matrix (see tests/test_permissions.py), and the small factories
the initiatives' tests share."""

from django_scopes import scopes_disabled

# name -> (GET permission, POST permission or None)
AUTHORITY_PAGES = {
    # GET the board; POST moves an initiative one phase
    "initiatives:board": ("view", "change"),
    "initiatives:new": ("change", "change"),
    # GET the initiative; POST a note, a move, a link or an unlink
    "initiatives:detail": ("view", "change"),
    "initiatives:edit": ("change", "change"),
    "initiatives:practice": ("change", "change"),
    "initiatives:practice_print": ("view", None),
}


def make_initiative(authority, emergency, title="מעבדה ניידת", *, phase="ask", **fields):
    from hosen.initiatives.models import Initiative

    with scopes_disabled():
        return Initiative.objects.create(authority=authority, emergency=emergency, title=title, phase=phase, **fields)


def make_need(authority, emergency, description="מחשבים ניידים", *, category="equipment", emerging=False,
              status="open"):
    from hosen.field.models import Need

    with scopes_disabled():
        return Need.objects.create(authority=authority, emergency=emergency, audience="students", category=category,
                                   description=description, is_emerging=emerging, status=status)


def make_person(authority, name="אבי דוד", kind="volunteer"):
    from hosen.resources.models import Person

    with scopes_disabled():
        return Person.objects.create(authority=authority, name=name, kind=kind)


def make_facility(authority, name="מקלט 12", *, protected=False):
    from hosen.resources.models import Facility

    with scopes_disabled():
        return Facility.objects.create(authority=authority, name=name, kind="shelter" if protected else "lab",
                                       is_protected=protected)


def make_note(initiative, text="הערה", phase=None, user=None):
    from hosen.initiatives.models import PhaseNote

    with scopes_disabled():
        return PhaseNote.objects.create(authority_id=initiative.authority_id, initiative=initiative,
                                        phase=phase or initiative.phase, text=text, created_by=user)


def url_kwargs(cast):
    from hosen.initiatives.models import Practice

    initiative = make_initiative(cast.authority, cast.emergency, "Matrix: initiative", phase="share")
    with scopes_disabled():
        Practice.objects.create(authority=cast.authority, initiative=initiative, title="Matrix: practice",
                                problem="p", what_we_did="w")
    return {"initiative_pk": initiative.pk}
