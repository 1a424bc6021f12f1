"""The checklist in the API: the model's 41 items (the same for every authority, in the request's language), the
rounds of an authority's emergencies with their progress per stage, and the answers of a round — given, as on
the checklist page, to the current round of the open emergency only.

An answer is addressed by its round and its item's number, and answered with PUT: `If-Match: "new"` for an item
that has no answer yet in the round, else the answer's version. Whoever answers an item first wins; the other
gets 412 with the answer as it is now, whether the two came one after the other or at the same moment."""

from datetime import datetime
from typing import Literal

from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from hosen.integrity.versions import version_of
from hosen.workmodel import services
from hosen.workmodel.forms import AnswerForm, RoundForm
from hosen.workmodel.models import Answer, AnswerStatus, ChecklistItem, Emergency, Round
from hosen.workmodel.progress import items_per_stage, progress_for_rounds

from ..forms_bridge import bind
from ..guard import authority_scope, json_response, sent_version, write
from ..listing import ListQuery, page_of, paginate
from ..problems import Problem
from ..schemas import documented
from .common import EDIT_ERRORS, READ_ERRORS, WRITE_ERRORS, one_of

router = Router(tags=["checklist"])

# ---- the model's items ---------------------------------------------------------------------------------


class ItemOut(Schema):
    number: int
    component: str
    stage: str
    kind: Literal[ChecklistItem.CHECK, ChecklistItem.REFLECTION]
    private: bool = Field(description="The reflection item is answered only in the manager's private check-in, "
                                      "which is not in the API.")
    text: str

    @staticmethod
    def resolve_component(obj):
        return obj.component.key

    @staticmethod
    def resolve_stage(obj):
        return obj.component.stage.key

    @staticmethod
    def resolve_private(obj):
        return obj.is_private

    @staticmethod
    def resolve_text(obj):
        return obj.tr("text")


def _items():
    return ChecklistItem.objects.select_related("component__stage")


@router.get("/{slug}/checklist/items/", response=page_of(ItemOut), url_name="checklist_items",
            openapi_extra=documented(READ_ERRORS))
def list_items(request, slug: str, page: Query[ListQuery]):
    """The working model's checklist, the same in every authority, in the request's language: all 41 items fit
    in one page (`limit` 50)."""
    with authority_scope(request, slug):
        return paginate(request, _items(), page)


# ---- rounds ------------------------------------------------------------------------------------------------


class StageProgressOut(Schema):
    stage: str
    total: int
    answered: int
    percent: int


class RoundOut(Schema):
    id: int
    number: int
    label: str
    started_at: datetime
    started_by: str | None
    is_current: bool
    progress: list[StageProgressOut]


class AnswerBrief(Schema):
    status: one_of(AnswerStatus)
    note: str


class RoundChangeOut(Schema):
    item: int
    before: AnswerBrief | None
    after: AnswerBrief


class RoundDetailOut(RoundOut):
    previous: int | None
    changes: list[RoundChangeOut] = Field(description="Items whose status or note differ from the previous round.")


class RoundIn(Schema):
    label: str = ""


def _emergency(authority, emergency_id):
    return get_object_or_404(Emergency.objects.filter(authority=authority), pk=emergency_id)


def _round(authority, emergency, number):
    return get_object_or_404(Round.objects.filter(authority=authority, emergency=emergency)
                             .select_related("started_by"), number=number)


def _last_number(emergency):
    return emergency.rounds.order_by("-number").values_list("number", flat=True).first()


def _rounds_out(rounds, emergency, last_number):
    """The rounds with their progress per stage: three queries however many rounds."""
    totals = items_per_stage()
    progress = progress_for_rounds([r.pk for r in rounds], totals)
    return [{
        "id": r.pk, "number": r.number, "label": r.label, "started_at": r.started_at,
        "started_by": r.started_by.display_name if r.started_by else None,
        "is_current": emergency.is_open and r.number == last_number,
        "progress": [{"stage": key, "total": p.total, "answered": p.answered, "percent": p.percent}
                     for key, p in sorted(progress[r.pk].items())],
    } for r in rounds]


def _round_url(slug, emergency_id, number):
    return reverse("api-v1:round", kwargs={"slug": slug, "emergency_id": emergency_id, "round_number": number})


@router.get("/{slug}/emergencies/{emergency_id}/rounds/", response=page_of(RoundOut), url_name="rounds",
            openapi_extra=documented(READ_ERRORS))
def list_rounds(request, slug: str, emergency_id: int, page: Query[ListQuery]):
    """The rounds of an emergency, the first first, each with its progress per stage as the rounds page shows
    it (done counts whole, partly half; items marked not relevant leave the count)."""
    with authority_scope(request, slug) as authority:
        emergency = _emergency(authority, emergency_id)
        listed = paginate(request, Round.objects.filter(authority=authority, emergency=emergency)
                          .select_related("started_by"), page)
        listed["results"] = _rounds_out(listed["results"], emergency, _last_number(emergency))
        return listed


@router.get("/{slug}/emergencies/{emergency_id}/rounds/{round_number}/", response=RoundDetailOut, url_name="round",
            openapi_extra=documented(READ_ERRORS))
def get_round(request, slug: str, emergency_id: int, round_number: int):
    """A round, and what moved in it since the previous round."""
    with authority_scope(request, slug) as authority:
        emergency = _emergency(authority, emergency_id)
        this_round = _round(authority, emergency, round_number)
        previous = emergency.rounds.filter(number__lt=round_number).order_by("-number").first()
        numbers = dict(ChecklistItem.objects.values_list("pk", "number"))
        private = set(ChecklistItem.objects.filter(kind=ChecklistItem.REFLECTION).values_list("pk", flat=True))
        changes = sorted(
            ({"item": numbers[item_id],
              "before": {"status": before.status, "note": before.note} if before else None,
              "after": {"status": after.status, "note": after.note}}
             for item_id, before, after in services.round_changes(this_round, previous) if item_id not in private),
            key=lambda change: change["item"])
        out = _rounds_out([this_round], emergency, _last_number(emergency))[0]
        return out | {"previous": previous.number if previous else None, "changes": changes}


@router.post("/{slug}/emergencies/{emergency_id}/rounds/", response={201: RoundOut},
             openapi_extra=documented(WRITE_ERRORS))
def start_round(request, slug: str, emergency_id: int, payload: RoundIn):
    """Start a new round of the open emergency (the manager, as on the rounds page). It starts from the previous
    round's answers, each marked carried over until someone confirms or changes it."""
    with authority_scope(request, slug, "manage") as authority:
        def make():
            emergency = _emergency(authority, emergency_id)
            if not emergency.is_open:
                raise Problem(409, "bad-request", _("This emergency is closed: its rounds are kept as they are."))
            form = bind(RoundForm, payload.dict())
            new_round = services.start_round(emergency, request.user, form.cleaned_data["label"])
            out = _rounds_out([new_round], emergency, new_round.number)[0]
            return json_response(201, RoundOut(**out).model_dump(mode="json"),
                                 {"Location": _round_url(slug, emergency.pk, new_round.number)})

        return write(request, make, creates=True)


# ---- answers -----------------------------------------------------------------------------------------------


class AnswerOut(Schema):
    id: int
    item: int
    status: one_of(AnswerStatus)
    note: str
    answered_by: str | None
    answered_at: datetime
    carried_over: bool = Field(description="Only what the previous round said, not yet confirmed in this one.")
    version: str

    @staticmethod
    def resolve_item(obj):
        return obj.item.number

    @staticmethod
    def resolve_answered_by(obj):
        return obj.answered_by.display_name if obj.answered_by else None

    @staticmethod
    def resolve_version(obj):
        return version_of(obj)


class AnswerIn(Schema):
    status: one_of(AnswerStatus)
    note: str = ""


def _answer_json(answer):
    return AnswerOut.from_orm(answer).model_dump(mode="json")


def _answer_url(slug, emergency_id, round_number, item_number):
    return reverse("api-v1:answer", kwargs={"slug": slug, "emergency_id": emergency_id, "round_number": round_number,
                                            "item_number": item_number})


def _answerable_item(item_number):
    item = get_object_or_404(ChecklistItem, number=item_number)
    if item.is_private:
        raise Http404  # the reflection item lives in the private check-in
    return item


@router.get("/{slug}/emergencies/{emergency_id}/rounds/{round_number}/answers/", response=page_of(AnswerOut),
            url_name="answers", openapi_extra=documented(READ_ERRORS))
def list_answers(request, slug: str, emergency_id: int, round_number: int, page: Query[ListQuery]):
    """The answers of a round. An item without an answer is not listed."""
    with authority_scope(request, slug) as authority:
        this_round = _round(authority, _emergency(authority, emergency_id), round_number)
        answers = (Answer.objects.filter(authority=authority, round=this_round)
                   .exclude(item__kind=ChecklistItem.REFLECTION).select_related("item", "answered_by"))
        return paginate(request, answers, page)


@router.get("/{slug}/emergencies/{emergency_id}/rounds/{round_number}/answers/{item_number}/", response=AnswerOut,
            url_name="answer", openapi_extra=documented(READ_ERRORS))
def get_answer(request, response: HttpResponse, slug: str, emergency_id: int, round_number: int, item_number: int):
    with authority_scope(request, slug) as authority:
        this_round = _round(authority, _emergency(authority, emergency_id), round_number)
        item = _answerable_item(item_number)
        answer = Answer.objects.filter(round=this_round, item=item).select_related("item", "answered_by").first()
        if answer is None:
            raise Problem(404, "not-found", _("This item has no answer in this round yet. Answer it with "
                                              "If-Match: \"new\"."))
        response["ETag"] = f'"{version_of(answer)}"'
        return answer


def _stored_answer(this_round, item):
    """The item's answer in the round as stored now, locked until the request's transaction ends; None when it
    has none yet (then nothing can be locked: a concurrent first answer is caught by one_answer_per_item)."""
    rows = Answer._base_manager.filter(round=this_round, item=item)
    if connection.in_atomic_block and connection.features.has_select_for_update:
        rows = rows.select_for_update()
    return rows.first()


@router.put("/{slug}/emergencies/{emergency_id}/rounds/{round_number}/answers/{item_number}/",
            response={200: AnswerOut, 201: AnswerOut}, openapi_extra=documented(EDIT_ERRORS))
def answer_item(request, slug: str, emergency_id: int, round_number: int, item_number: int, payload: AnswerIn):
    """Answer an item in the current round, or change its answer. Send `If-Match: "new"` when the item has no
    answer in this round yet (201), else the answer's version (200). Someone else's answer in between — even
    one sent at the same moment — makes this 412, with the answer as it is now in `current`."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            emergency = _emergency(authority, emergency_id)
            this_round = _round(authority, emergency, round_number)
            item = _answerable_item(item_number)
            if not emergency.is_open or this_round.number != _last_number(emergency):
                raise Problem(409, "bad-request", _("Only the current round of an open emergency takes answers. "
                                                    "Earlier rounds are kept as they were."))
            sent = sent_version(request)
            answer = _stored_answer(this_round, item)
            if sent != version_of(answer):
                if answer is None:
                    raise Problem(412, "conflict", _("This item has no answer in this round yet: send If-Match: "
                                                     "\"new\" to give the first one."))
                raise Problem(412, "conflict",
                              _("This record was changed since you loaded it, so your change was not applied. The "
                                "record as it is now is in \"current\": apply your change to it and send again."),
                              extra={"current": _answer_json(answer)}, headers={"ETag": f'"{version_of(answer)}"'})
            first = answer is None
            answer = bind(AnswerForm, payload.dict(), instance=answer).save(commit=False)
            answer.authority = authority
            answer.round = this_round
            answer.item = item
            answer.answered_by = request.user
            answer.answered_at = timezone.now()
            answer.carried_over = False
            answer.save()  # a first answer someone else saved meanwhile: IntegrityError, and write() tries again
            headers = {"ETag": f'"{version_of(answer)}"'}
            if first:
                headers["Location"] = _answer_url(slug, emergency.pk, this_round.number, item.number)
            return json_response(201 if first else 200, _answer_json(answer), headers)

        # With an Idempotency-Key, a first answer sent again (a lost connection) gets the first reply, not 412.
        return write(request, make, creates=True)
