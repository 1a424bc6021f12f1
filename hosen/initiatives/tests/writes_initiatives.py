"""The design-thinking writes for the no-lost-work tests (see hosen/integrity/registry.py and
tests/test_no_lost_work.py).

The initiative's page takes four kinds of POST: a note (a create, with its submission key), a move (an
in-place change, with the initiative's version), and a link or an unlink (once per record by a database
constraint, and removing what is gone removes nothing — see test_initiative_writes.py)."""

from django.urls import reverse
from django_scopes import scopes_disabled

from hosen.integrity.registry import Create, Edit, InPlace


def _initiative(cast, phase="imagine"):
    from hosen.initiatives.models import Initiative

    with scopes_disabled():
        initiative = Initiative.objects.create(authority=cast.authority, emergency=cast.emergency,
                                               title="מעבדה ניידת לשכונות", phase=phase)
    return {"initiative_pk": initiative.pk}, initiative


def _practice(cast):
    from hosen.initiatives.models import Practice

    kwargs, initiative = _initiative(cast, phase="share")
    with scopes_disabled():
        practice = Practice.objects.create(authority=cast.authority, initiative=initiative,
                                           title="מעבדה ניידת לשכונות", problem="ילדים בלי חוגים",
                                           what_we_did="ניידת עם מדריכה עברה בין המקלטים")
    return kwargs, practice


def _count(model_name):
    def count(cast):
        from django.apps import apps

        with scopes_disabled():
            return apps.get_model("initiatives", model_name).objects.filter(authority=cast.authority).count()

    return count


def _page(name):
    return lambda cast, kwargs: reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


EDITS = [
    Edit("initiatives:edit", make=_initiative, first={"summary": "חוג מדע בכל מקלט, פעמיים בשבוע"},
         second={"summary": "ניידת עם מדריכה שעוברת בין השכונות"}, read=lambda initiative: initiative.summary),
    Edit("initiatives:practice", make=_practice, first={"what_worked": "הילדים חיכו לניידת כל יום"},
         second={"what_worked": "המדריכה הכירה את הילדים בשמם"}, read=lambda practice: practice.what_worked),
]

IN_PLACE = [
    # On the board: a stale tap back to ASK after someone moved it on to PLAN moves nothing.
    InPlace("initiatives:board", make=lambda cast: ({}, _initiative(cast)[1]), page=_page("initiatives:board"),
            first={"direction": "next"}, second={"direction": "previous"}, read=lambda initiative: initiative.phase),
    # On the initiative's page (a plain form: the refusal is a message on the page it comes back to).
    InPlace("initiatives:detail", make=_initiative, page=_page("initiatives:detail"), having="expected",
            first={"direction": "next"}, second={"direction": "previous"}, read=lambda initiative: initiative.phase,
            htmx=False),
]

CREATES = [
    Create("initiatives:new", count=_count("Initiative"), fill={"title": "חוג מדע במלון", "owner": "דנה"}),
    # The initiative's page: a note in its current phase.
    Create("initiatives:detail", count=_count("PhaseNote"), make=lambda cast: _initiative(cast)[0],
           fill={"text": "שאלנו את ההורים: הכי חסר מקום שקט בערב"}, having="text"),
    # The first write-up at SHARE; once it exists the page edits it (see EDITS), so the reload finds its form
    # by a field, not by the submission key.
    Create("initiatives:practice", count=_count("Practice"), make=lambda cast: _initiative(cast, phase="share")[0],
           fill={"title": "מעבדה ניידת", "problem": "ילדים בלי חוגים", "what_we_did": "ניידת בין המקלטים"},
           having="problem"),
]
