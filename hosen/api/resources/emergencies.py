"""Emergencies in the API, the manager's part: opening one, changing its phase, closing it with its lessons —
as the emergencies pages do, with their permission ("manage") and their rules (one open emergency at a time, a
closed one does not change phase).

Reading emergencies is in authorities.py. These operations join the same router, because they share its
paths (`/emergencies/` and `/emergencies/{id}/`): one URL has one view, which serves all of its methods."""

from datetime import date
from typing import Literal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema

from hosen.integrity.versions import locked
from hosen.workmodel import services
from hosen.workmodel.forms import CloseEmergencyForm, EmergencyForm, PhaseForm
from hosen.workmodel.models import Emergency, EmergencyKind, Phase, Severity

from ..forms_bridge import bind
from ..guard import authority_scope, current_for_edit, write
from ..problems import Problem
from ..schemas import documented
from .authorities import EmergencyOut
from .authorities import router as authorities_router
from .common import EDIT_ERRORS, WRITE_ERRORS, created, one_of, present, saved

router = authorities_router

# The phases an emergency moves between while open; closing asks for lessons (close_emergency).
OpenPhase = Literal[tuple(value for value in Phase.values if value != Phase.CLOSED)]


class EmergencyIn(Schema):
    name: str
    kind: one_of(EmergencyKind)
    started_on: date = Field(description="Today or earlier.")
    area: str = ""
    severity: one_of(Severity) = Field(description="1 low, 2 medium, 3 high, 4 severe.")
    phase: OpenPhase = Phase.ACTIVE.value


class PhasePatch(Schema):
    phase: OpenPhase | None = Field(None, description="To close the emergency, POST its lessons to …/close/.")


class CloseIn(Schema):
    lessons: str = Field(description="What worked, what did not, what to do differently next time: at least a "
                                     "sentence. The next emergency opens with them.")


def _emergency_url(slug, pk):
    return reverse("api-v1:emergency", kwargs={"slug": slug, "emergency_id": pk})


@router.post("/{slug}/emergencies/", response={201: EmergencyOut}, tags=["authorities", "emergencies"],
             openapi_extra=documented(WRITE_ERRORS))
def open_emergency(request, slug: str, payload: EmergencyIn):
    """Open an emergency (the manager). Round 1 of the checklist starts with it. An authority has one open
    emergency at a time: 409 while another is open."""
    with authority_scope(request, slug, "manage") as authority:
        def make():
            if services.current_emergency(authority) is not None:
                raise Problem(409, "bad-request", _("This authority already has an open emergency. Close it before "
                                                    "opening another."))
            form = bind(EmergencyForm, payload.dict())
            # Another open emergency saved at the same moment breaks one_open_emergency: write() tries again,
            # and the check above answers 409.
            emergency = services.open_emergency(authority, request.user, **form.cleaned_data)
            return created(EmergencyOut, emergency, _emergency_url(slug, emergency.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/emergencies/{emergency_id}/", response=EmergencyOut, tags=["authorities", "emergencies"],
              openapi_extra=documented(EDIT_ERRORS))
def change_phase(request, slug: str, emergency_id: int, payload: PhasePatch):
    """Move an open emergency to another phase (the manager): readiness, active, recovery."""
    with authority_scope(request, slug, "manage"):
        def make():
            emergency = current_for_edit(request, Emergency, emergency_id, present(EmergencyOut))
            if not emergency.is_open:
                raise Problem(409, "bad-request", _("A closed emergency cannot change phase."))
            phase = payload.dict(exclude_unset=True).get("phase")
            if phase is not None:
                phase = bind(PhaseForm, {"phase": phase}).cleaned_data["phase"]
                if phase != emergency.phase:
                    emergency.phase = phase
                    emergency.save(update_fields=["phase"])
            return saved(EmergencyOut, emergency)

        return write(request, make)


@router.post("/{slug}/emergencies/{emergency_id}/close/", response=EmergencyOut, url_name="emergency_close",
             tags=["authorities", "emergencies"], openapi_extra=documented(WRITE_ERRORS))
def close_emergency(request, slug: str, emergency_id: int, payload: CloseIn):
    """Close an emergency with its lessons learned (the manager). Closed meanwhile by someone else, it keeps
    their lessons and adds these after them: nothing is lost."""
    with authority_scope(request, slug, "manage") as authority:
        def make():
            emergency = get_object_or_404(Emergency.objects.filter(authority=authority), pk=emergency_id)
            lessons = bind(CloseEmergencyForm, payload.dict()).cleaned_data["lessons"]
            current = locked(Emergency, emergency.pk)
            if current.is_open:
                services.close_emergency(current, lessons)
            elif lessons not in current.lessons:
                current.lessons = f"{current.lessons}\n\n{lessons}".strip()
                current.save(update_fields=["lessons"])
            return saved(EmergencyOut, current)

        return write(request, make, creates=True)
