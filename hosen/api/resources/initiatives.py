"""Design thinking in the API: the initiatives of an emergency on their way from ASK to SHARE, each with what it is
linked to, its notes per phase and its journey; added, edited and moved one phase at a time as the board does."""

from typing import Annotated, Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, ModelSchema, Query, Router, Schema

from hosen.initiatives import services
from hosen.initiatives.forms import TEXT_MAX, InitiativeForm
from hosen.initiatives.models import (
    Initiative,
    InitiativeFacility,
    InitiativeKpi,
    InitiativeNeed,
    InitiativePerson,
    PhaseKey,
    PhaseMove,
    PhaseNote,
)
from hosen.initiatives.views import _move_message as move_message
from hosen.initiatives.views import _target as move_target
from hosen.integrity.versions import locked, version_of
from hosen.workmodel.services import current_emergency

from ..forms_bridge import bind
from ..guard import authority_scope, current_for_edit, etag, json_response, sent_version, write
from ..listing import ListQuery, page_of, paginate
from ..problems import Problem
from ..schemas import documented
from .common import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    Int,
    Text,
    Versioned,
    chosen_emergency,
    created,
    filter_of,
    one_of,
    present,
    saved,
)

router = Router(tags=["initiatives"])

COUNTS = {"needs": InitiativeNeed, "people": InitiativePerson, "facilities": InitiativeFacility,
          "kpis": InitiativeKpi}


def _count(obj, name):
    """The board's counts come annotated with the list (services.with_card_facts); a single record counts."""
    annotated = getattr(obj, f"n_{name}", None)
    return annotated if annotated is not None else COUNTS[name].objects.filter(initiative=obj).count()


class InitiativeOut(Versioned, ModelSchema):
    needs: int = Field(description="How many needs it answers.")
    people: int = Field(description="How many people it involves.")
    facilities: int = Field(description="How many facilities it uses.")
    kpis: int = Field(description="How many KPIs judge it.")

    class Meta:
        model = Initiative
        fields = ["id", "emergency", "title", "summary", "phase", "owner", "created_at", "updated_at", "shared_at"]

    @staticmethod
    def resolve_needs(obj):
        return _count(obj, "needs")

    @staticmethod
    def resolve_people(obj):
        return _count(obj, "people")

    @staticmethod
    def resolve_facilities(obj):
        return _count(obj, "facilities")

    @staticmethod
    def resolve_kpis(obj):
        return _count(obj, "kpis")


def _name(user):
    return (user.full_name or None) if user is not None else None


class NoteOut(ModelSchema):
    created_by: str | None = None

    class Meta:
        model = PhaseNote
        fields = ["id", "phase", "text", "created_at"]

    @staticmethod
    def resolve_created_by(obj):
        return _name(obj.created_by)


class MoveRecord(ModelSchema):
    moved_by: str | None = None

    class Meta:
        model = PhaseMove
        fields = ["from_phase", "to_phase", "moved_at"]

    @staticmethod
    def resolve_moved_by(obj):
        return _name(obj.moved_by)


class Links(Schema):
    needs: list[int]
    people: list[int]
    facilities: list[int]
    kpis: list[int]


class InitiativeDetail(InitiativeOut):
    links: Links = Field(description="The ids of the records it is linked to, per register.")
    notes: list[NoteOut] = Field(description="Its notes, oldest first, each in the phase it was written in.")
    moves: list[MoveRecord] = Field(description="Its journey through the phases, newest first.")

    @staticmethod
    def resolve_links(obj):
        return {name: list(through.objects.filter(initiative=obj).order_by("pk")
                           .values_list(f"{services.LINK_KINDS[kind].field}_id", flat=True))
                for (name, through), kind in zip(COUNTS.items(), ("need", "person", "facility", "kpi"), strict=True)}

    @staticmethod
    def resolve_notes(obj):
        return list(obj.notes.select_related("created_by").order_by("created_at", "pk"))

    @staticmethod
    def resolve_moves(obj):
        return list(obj.moves.select_related("moved_by"))


Title = Annotated[Text, Field(min_length=1, max_length=200)]
Summary = Annotated[Text, Field(max_length=TEXT_MAX)]
Owner = Annotated[Text, Field(max_length=200)]


class InitiativeIn(Body):
    title: Title
    summary: Summary = Field("", description="The new response in a few lines: for whom, and what it should change.")
    owner: Owner = Field("", description="Who leads it.")
    need: Int | None = Field(None, description="The need it starts from (an id): linked at once.")


class InitiativePatch(Body):
    title: Title | None = None
    summary: Summary | None = None
    owner: Owner | None = None


class InitiativeFilters(Schema):
    emergency: int | None = Field(None, description="An emergency's id; the current one when not given.")
    phase: filter_of(PhaseKey) | None = None


class MoveIn(Body):
    direction: Literal[services.NEXT, services.PREVIOUS]
    expected: one_of(PhaseKey) | None = Field(
        None, description="The phase it was in when you chose to move it: if it has moved since, nothing moves.")


class MoveOut(Schema):
    moved: bool
    from_phase: one_of(PhaseKey)
    to_phase: one_of(PhaseKey) | None = Field(None, description="Where it moved; null when it did not.")
    missing_notes: list[one_of(PhaseKey)] = Field(
        [], description="On reaching SHARE: the earlier phases without a note (the write-up will be thinner).")
    detail: str = Field(description="What happened, in words, in the request's language.")
    initiative: InitiativeOut


def _initiatives(authority):
    return Initiative.objects.filter(authority=authority)


def _initiative_url(slug, pk):
    return reverse("api-v1:initiative", kwargs={"slug": slug, "initiative_id": pk})


@router.get("/{slug}/initiatives/", response=page_of(InitiativeOut), url_name="initiatives",
            openapi_extra=documented(READ_ERRORS))
def list_initiatives(request, slug: str, filters: Query[InitiativeFilters], page: Query[ListQuery]):
    """The board's initiatives of an emergency, each with how many needs, people, facilities and KPIs it is
    linked to."""
    with authority_scope(request, slug) as authority:
        emergency = chosen_emergency(authority, filters.emergency)
        initiatives = services.with_card_facts(_initiatives(authority).filter(emergency=emergency))
        if filters.phase:
            initiatives = initiatives.filter(phase=filters.phase)
        return paginate(request, initiatives, page)


@router.get("/{slug}/initiatives/{initiative_id}/", response=InitiativeDetail, url_name="initiative",
            openapi_extra=documented(READ_ERRORS))
def get_initiative(request, slug: str, initiative_id: int):
    """The initiative with its links, its notes per phase and its journey."""
    with authority_scope(request, slug) as authority:
        initiative = get_object_or_404(services.with_card_facts(_initiatives(authority)), pk=initiative_id)
        # Read inside the authority's scope: its notes, moves and links are the authority's records too.
        return json_response(200, present(InitiativeDetail)(initiative), {"ETag": etag(initiative)})


@router.post("/{slug}/initiatives/", response={201: InitiativeOut}, openapi_extra=documented(WRITE_ERRORS))
def create_initiative(request, slug: str, payload: InitiativeIn):
    """An initiative on the current emergency's board, in ASK; from a need, linked to it. Send an Idempotency-Key:
    the same key again adds nothing."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            form = bind(InitiativeForm, payload.dict(), authority=authority, with_need=payload.need is not None)
            initiative = form.save(commit=False)
            initiative.authority, initiative.emergency = authority, current_emergency(authority)
            initiative.created_by = request.user
            initiative.save()
            need = form.cleaned_data.get("need")
            if need is not None:
                services.link(initiative, "need", need, request.user)
            return created(InitiativeOut, initiative, _initiative_url(slug, initiative.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/initiatives/{initiative_id}/", response=InitiativeOut, openapi_extra=documented(EDIT_ERRORS))
def edit_initiative(request, slug: str, initiative_id: int, payload: InitiativePatch):
    """Change an initiative's title, summary or owner: send its version in If-Match."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            initiative = current_for_edit(request, Initiative, initiative_id, present(InitiativeOut))
            initiative = bind(InitiativeForm, payload.dict(exclude_unset=True), instance=initiative,
                              authority=authority).save()
            return saved(InitiativeOut, initiative)

        return write(request, make)


@router.put("/{slug}/initiatives/{initiative_id}/phase/", response=MoveOut, openapi_extra=documented(EDIT_ERRORS))
def move(request, slug: str, initiative_id: int, payload: MoveIn):
    """Move the initiative one phase forward or back, as the board's buttons do; the move is kept in its journey.
    Send its version in If-Match (and `expected`, the phase you saw): if someone changed it meanwhile, nothing
    moves (412 with it in `current`) — unless it is already where your move would take it. Beyond the first or
    the last phase is 409."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            initiative = locked(Initiative, initiative_id)
            if initiative is None or initiative.authority_id != authority.pk:
                raise Http404
            names = services.phase_names()
            if sent_version(request) != version_of(initiative):
                if payload.expected and initiative.phase == move_target(payload.expected, payload.direction):
                    text = _("It was already in %(phase)s: nothing moved.") % {"phase": names[initiative.phase][0]}
                    return _moved(initiative, False, initiative.phase, None, [], text)
                raise Problem(412, "conflict",
                              _("This record was changed since you loaded it, so your change was not applied. The "
                                "record as it is now is in \"current\": apply your change to it and send again."),
                              extra={"current": present(InitiativeOut)(initiative)}, headers={"ETag": etag(initiative)})
            result = services.move(initiative, payload.direction, request.user, payload.expected or None)
            _level, text = move_message(result, names)
            if result.refused == services.AT_END:
                raise Problem(409, "bad-request", text)
            return _moved(result.initiative, result.moved, result.from_phase, result.to_phase or None,
                          result.missing_notes, text)

        return write(request, make)


def _moved(initiative, moved, from_phase, to_phase, missing, text):
    body = {"moved": moved, "from_phase": from_phase, "to_phase": to_phase, "missing_notes": list(missing),
            "detail": str(text), "initiative": present(InitiativeOut)(initiative)}
    return json_response(200, body, {"ETag": etag(initiative)})

