"""Stage 4 in the API: the work plan's activities with a decision per activity in the current emergency (kept as
history, never overwritten), and the KPIs with their current value and the values entered by hand."""

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, ModelSchema, Query, Router, Schema

from hosen.integrity.versions import version_of
from hosen.plan import kpis, services
from hosen.plan.forms import (
    NOTE_MAX,
    RUNNING_FILTER,
    UNDECIDED,
    VALUE_MAX,
    ActivityFilterForm,
    ActivityForm,
    DecisionForm,
    MeasurementForm,
)
from hosen.plan.models import (
    Activity,
    ActivityAudience,
    ActivityDecision,
    ActivityKind,
    AdaptWay,
    Cadence,
    Decision,
    Direction,
    Kpi,
    Measurement,
    Unit,
)
from hosen.plan.views import export_columns as activity_columns
from hosen.workmodel.services import current_emergency

from ..forms_bridge import bind
from ..guard import authority_scope, current_for_edit, etag, sent_version, write
from ..listing import CSV_RESPONSE, ExportQuery, ListQuery, export_csv, page_of, paginate
from ..problems import Problem
from ..schemas import documented
from .common import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    Day,
    Flag,
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

router = Router(tags=["plan"])


def _name(user):
    """Who decided or entered something, by name; never an e-mail address."""
    return (user.full_name or None) if user is not None else None


# ---- decisions ---------------------------------------------------------------------------------------


class DecisionOut(Versioned, ModelSchema):
    ways: list[one_of(AdaptWay)]
    decided_by: str | None = Field(None, description="The name of who decided.")

    class Meta:
        model = ActivityDecision
        fields = ["id", "activity", "emergency", "decision", "how", "reason", "decided_at", "is_current"]

    @staticmethod
    def resolve_decided_by(obj):
        return _name(obj.decided_by)


class DecisionIn(Body):
    decision: one_of(Decision)
    ways: list[one_of(AdaptWay)] = Field([], max_length=len(AdaptWay.values),
                                         description="How it adapts: at least one when the decision is adapt.")
    how: Annotated[Text, Field(max_length=500)] = Field("", description="Required when one of the ways is other.")
    reason: Annotated[Text, Field(max_length=NOTE_MAX)] = Field("", description="Required to adapt, pause or stop.")


def _current_decisions(emergency):
    """Each activity's current decision in the emergency as `current_decisions` (one query for a whole page). The
    plan's export columns read the same attribute."""
    return Prefetch("decisions", to_attr="current_decisions",
                    queryset=ActivityDecision.objects.filter(emergency=emergency, is_current=True)
                    .select_related("decided_by"))


def _current_decision_of(activity):
    if hasattr(activity, "current_decisions"):
        return (activity.current_decisions or [None])[0]
    emergency = current_emergency(activity.authority)
    if emergency is None:
        return None
    return (ActivityDecision.objects.filter(activity=activity, emergency=emergency, is_current=True)
            .select_related("decided_by").first())


# ---- activities --------------------------------------------------------------------------------------


class ActivityOut(Versioned, ModelSchema):
    decision: DecisionOut | None = Field(
        None, description="Its current decision in the current emergency (in the emergency asked for, in a list). "
                          "To decide, send this decision's version in If-Match, or \"new\" when there is none.")

    class Meta:
        model = Activity
        fields = ["id", "name", "kind", "audience", "is_essential", "is_stem", "partner", "owner", "place", "facility",
                  "site", "starts_on", "ends_on", "notes", "born_in", "is_active", "created_at"]

    @staticmethod
    def resolve_decision(obj):
        return _current_decision_of(obj)


# The limits of the plan's forms, stated in the schema too (the forms still check them, in the caller's language).
Name = Annotated[Text, Field(min_length=1, max_length=200)]
Short = Annotated[Text, Field(max_length=200)]
Notes = Annotated[Text, Field(max_length=NOTE_MAX)]


class ActivityIn(Body):
    name: Name
    kind: one_of(ActivityKind)
    audience: one_of(ActivityAudience)
    is_essential: Flag = False
    is_stem: Flag = True
    partner: Short = ""
    owner: Short = ""
    place: Short = ""
    facility: Int | None = Field(None, description="A facility's id, from the resources register.")
    site: Int | None = Field(None, description="A site's id.")
    starts_on: Day | None = None
    ends_on: Day | None = None
    notes: Notes = ""
    born: Flag = Field(False, description="A new response born in the current emergency.")


class ActivityPatch(Body):
    name: Name | None = None
    kind: one_of(ActivityKind) | None = None
    audience: one_of(ActivityAudience) | None = None
    is_essential: Flag | None = None
    is_stem: Flag | None = None
    partner: Short | None = None
    owner: Short | None = None
    place: Short | None = None
    facility: Int | None = None
    site: Int | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    notes: Notes | None = None
    born: Flag | None = None
    is_active: Flag | None = Field(None, description="false archives the activity, true brings it back to the plan.")


class ActivityFilters(Schema):
    emergency: int | None = Field(None, description="An emergency's id; the current one when not given.")
    decision: Literal[(RUNNING_FILTER, *Decision.values, UNDECIDED)] | None = Field(
        None, description="A decision, `running` (continue or adapt) or `undecided`.")
    essential: bool | None = None
    audience: filter_of(ActivityAudience) | None = None
    kind: filter_of(ActivityKind) | None = None
    born: bool | None = Field(None, description="true: the new responses born in the emergency only.")
    archived: bool | None = Field(None, description="true: the archived activities instead of the active ones.")


def _activity_url(slug, pk):
    return reverse("api-v1:activity", kwargs={"slug": slug, "activity_id": pk})


def _activities(authority):
    return Activity.objects.filter(authority=authority)


def _with_decision(activities, emergency):
    if emergency is None:
        return activities.prefetch_related(Prefetch("decisions", to_attr="current_decisions",
                                                    queryset=ActivityDecision.objects.none()))
    return activities.prefetch_related(_current_decisions(emergency))


@router.get("/{slug}/activities/", response=page_of(ActivityOut), url_name="activities",
            openapi_extra=documented(READ_ERRORS, CSV_RESPONSE))
def list_activities(request, slug: str, filters: Query[ActivityFilters], page: Query[ExportQuery]):
    """The work plan with the plan page's filters, each activity with its current decision; `format=csv` gives the
    plan's export."""
    with authority_scope(request, slug) as authority:
        emergency = chosen_emergency(authority, filters.emergency)
        values = filters.dict(exclude_none=True, exclude={"emergency"})
        if "essential" in values:
            values["essential"] = "1" if values["essential"] else "0"
        for name in ("born", "archived"):  # "yes" is their only value on the page; "no" is no filter
            if name in values:
                values[name] = "1" if values[name] else ""
        form = bind(ActivityFilterForm, values, emergency=emergency)
        activities = _activities(authority)
        if emergency is not None:
            activities = activities.annotate(current=kpis.current_decision(emergency))
        activities = _with_decision(form.apply(activities, emergency), emergency)
        if page.format == "csv":
            return export_csv(activities.select_related("facility", "site"), activity_columns(emergency), "work-plan")
        return paginate(request, activities, page)


def _activity(authority, activity_id):
    return get_object_or_404(_with_decision(_activities(authority), current_emergency(authority)), pk=activity_id)


@router.get("/{slug}/activities/{activity_id}/", response=ActivityOut, url_name="activity",
            openapi_extra=documented(READ_ERRORS))
def get_activity(request, response: HttpResponse, slug: str, activity_id: int):
    with authority_scope(request, slug) as authority:
        activity = _activity(authority, activity_id)
        response["ETag"] = etag(activity)
        return activity


@router.post("/{slug}/activities/", response={201: ActivityOut}, openapi_extra=documented(WRITE_ERRORS))
def create_activity(request, slug: str, payload: ActivityIn):
    """An activity in the plan. Send an Idempotency-Key: the same key again adds nothing."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            form = bind(ActivityForm, payload.dict(), authority=authority, emergency=current_emergency(authority),
                        instance=Activity(authority=authority))
            activity = form.save(commit=False)
            activity._history_user = request.user
            activity.save()
            return created(ActivityOut, _activity(authority, activity.pk), _activity_url(slug, activity.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/activities/{activity_id}/", response=ActivityOut, openapi_extra=documented(EDIT_ERRORS))
def edit_activity(request, slug: str, activity_id: int, payload: ActivityPatch):
    """Change an activity: send its version in If-Match."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            activity = current_for_edit(request, Activity, activity_id, present(ActivityOut))
            activity = bind(ActivityForm, payload.dict(exclude_unset=True), instance=activity, authority=authority,
                            emergency=current_emergency(authority)).save(commit=False)
            activity._history_user = request.user
            activity.save()
            return saved(ActivityOut, _activity(authority, activity.pk))

        return write(request, make)


@router.put("/{slug}/activities/{activity_id}/decision/", response=DecisionOut, url_name="activity_decision",
            openapi_extra=documented(EDIT_ERRORS))
def decide(request, slug: str, activity_id: int, payload: DecisionIn):
    """The activity's decision in the current emergency, as the plan's inline decision takes it: the earlier
    decision stays in the history and the new one becomes current. Send in If-Match the version of the decision
    you saw (`decision.version` of the activity), or `new` when it had none: a decision taken meanwhile by someone
    else is 412 with it in `current` — unless it says exactly what you send, which is then simply the decision."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            activity = get_object_or_404(_activities(authority), pk=activity_id)
            emergency = current_emergency(authority)
            if emergency is None:
                raise Problem(409, "bad-request",
                              _("Decisions belong to an emergency, and there is no open emergency right now."))
            if not activity.is_active:
                raise Problem(409, "bad-request",
                              _("This activity is archived. Bring it back to the plan before deciding on it."))
            current = (ActivityDecision.objects.select_for_update(of=("self",)).select_related("decided_by")
                       .filter(activity=activity, emergency=emergency, is_current=True).first())
            # The form sets what it was sent on its instance: it gets a copy, so `current` stays as stored.
            if sent_version(request) != version_of(current):
                form = None
                try:
                    form = bind(DecisionForm, payload.dict(), instance=copy.copy(current))
                except Problem:
                    pass
                if current is None or form is None or not _says(current, form.cleaned_data):
                    raise Problem(412, "conflict",
                                  _("This record was changed since you loaded it, so your change was not applied. "
                                    "The record as it is now is in \"current\": apply your change to it and send "
                                    "again."),
                                  extra={"current": present(DecisionOut)(current)} if current else None,
                                  headers={"ETag": etag(current)})
                return saved(DecisionOut, current)
            data = bind(DecisionForm, payload.dict(), instance=copy.copy(current)).cleaned_data
            new = services.decide(activity, emergency, decision=data["decision"], ways=data["ways"], how=data["how"],
                                  reason=data["reason"], user=request.user)
            return saved(DecisionOut, new or current)

        return write(request, make)


def _says(decision, data):
    """Whether the decision stored says what the form was sent (as services.decide would record it)."""
    return (decision.decision, decision.ways, decision.how, decision.reason) == (
        data["decision"], list(data["ways"]), data["how"].strip(), data["reason"].strip())


class DecisionFilters(Schema):
    emergency: int | None = Field(None, description="Only the decisions in this emergency.")


@router.get("/{slug}/activities/{activity_id}/decisions/", response=page_of(DecisionOut),
            url_name="activity_decisions", openapi_extra=documented(READ_ERRORS))
def list_decisions(request, slug: str, activity_id: int, filters: Query[DecisionFilters], page: Query[ListQuery]):
    """The activity's decision history, in every emergency: who decided what, when and why."""
    with authority_scope(request, slug) as authority:
        activity = get_object_or_404(_activities(authority), pk=activity_id)
        decisions = ActivityDecision.objects.filter(authority=authority, activity=activity).select_related(
            "decided_by")
        if filters.emergency is not None:
            decisions = decisions.filter(emergency_id=filters.emergency)
        return paginate(request, decisions, page)


# ---- KPIs --------------------------------------------------------------------------------------------

STATES = tuple(kpis.STATE_LABELS)


class KpiOut(Schema):
    id: int
    emergency: int | None = Field(None, description="The emergency whose set it is in; null: the routine set.")
    template: str | None = Field(None, description="The key of the library's template; null for your own KPI.")
    title: str
    description: str
    unit: one_of(Unit)
    cadence: one_of(Cadence)
    direction: one_of(Direction)
    baseline: float | None
    target: float | None
    computed_from: str = Field(description="The register it is computed from; empty when entered by hand.")
    is_active: bool = Field(description="In the set; a KPI that left it keeps its values.")
    value: float | None = Field(description="The current value: the latest value of the latest date.")
    as_of: date | None = Field(description="The date the current value is for.")
    recorded_at: datetime | None = Field(description="When the latest value was recorded.")
    state: Literal[STATES]
    points: int = Field(description="How many dates have a value.")


def _kpi_out(kpi, measurements):
    card = kpis.present(kpi, measurements)
    latest = card["latest"]
    points = kpis.series(measurements)
    return {
        "id": kpi.pk, "emergency": kpi.emergency_id, "template": kpi.template.key if kpi.template_id else None,
        "title": kpi.title, "description": kpi.description, "unit": kpi.unit, "cadence": kpi.cadence,
        "direction": kpi.direction, "baseline": _number(kpi.baseline), "target": _number(kpi.target),
        "computed_from": kpi.source, "is_active": kpi.is_active,
        "value": _number(points[-1][1]) if points else None, "as_of": card["latest_day"],
        "recorded_at": latest.measured_at if latest else None, "state": card["state"], "points": card["points"],
    }


def _number(value):
    return float(value) if value is not None else None


class KpiFilters(Schema):
    set: Literal["current", "routine"] | None = Field(
        None, description="current: the set in use now (the open emergency's, else the routine set); routine: the "
                          "routine set; not given: both, as the KPIs page shows them.")


def _measurements(kpi_list):
    """Every value of these KPIs, grouped by KPI, oldest first: one query."""
    grouped = {kpi.pk: [] for kpi in kpi_list}
    if kpi_list:
        for m in Measurement.objects.filter(kpi__in=kpi_list).order_by("measured_for", "measured_at", "pk"):
            grouped[m.kpi_id].append(m)
    return grouped


@router.get("/{slug}/kpis/", response=page_of(KpiOut), url_name="kpis", openapi_extra=documented(READ_ERRORS))
def list_kpis(request, slug: str, filters: Query[KpiFilters], page: Query[ListQuery]):
    """The KPIs of the current set (and the routine ones beside it), each with its current value, the date it is
    for, its target and whether it is on track. As on the KPIs page, a computed KPI whose latest value is older
    than its cadence is computed from the registers first."""
    with authority_scope(request, slug) as authority:
        emergency = current_emergency(authority)
        sets = Q()
        if filters.set in (None, "current"):
            sets |= Q(emergency=emergency) if emergency is not None else Q(emergency__isnull=True)
        if filters.set in (None, "routine"):
            sets |= Q(emergency__isnull=True)
        chosen = Kpi.objects.filter(sets, authority=authority, is_active=True)
        answer = paginate(request, kpis.with_last_computed(chosen.select_related("template")), page)
        kpis.refresh_due(answer["results"])
        grouped = _measurements(answer["results"])
        answer["results"] = [_kpi_out(kpi, grouped[kpi.pk]) for kpi in answer["results"]]
        return answer


def _kpi(authority, kpi_id):
    return get_object_or_404(Kpi.objects.filter(authority=authority).select_related("template", "emergency"),
                             pk=kpi_id)


@router.get("/{slug}/kpis/{kpi_id}/", response=KpiOut, url_name="kpi", openapi_extra=documented(READ_ERRORS))
def get_kpi(request, slug: str, kpi_id: int):
    with authority_scope(request, slug) as authority:
        kpi = _kpi(authority, kpi_id)
        return _kpi_out(kpi, _measurements([kpi])[kpi.pk])


class MeasurementOut(ModelSchema):
    value: float
    entered_by: str | None = Field(None, description="The name of who entered it; null for a computed value.")

    class Meta:
        model = Measurement
        fields = ["id", "kpi", "measured_for", "measured_at", "note", "computed"]

    @staticmethod
    def resolve_entered_by(obj):
        return None if obj.computed else _name(obj.entered_by)


class MeasurementIn(Body):
    value: Decimal = Field(ge=0, le=VALUE_MAX, description="At most two digits after the point; a percentage "
                                                           "from 0 to 100.")
    measured_for: Day | None = Field(None, description="The date the value is for; today when not given.")
    note: Annotated[Text, Field(max_length=300)] = ""


def _value_url(slug, kpi_id, pk):
    return reverse("api-v1:kpi_value", kwargs={"slug": slug, "kpi_id": kpi_id, "value_id": pk})


@router.get("/{slug}/kpis/{kpi_id}/values/", response=page_of(MeasurementOut), url_name="kpi_values",
            openapi_extra=documented(READ_ERRORS))
def list_values(request, slug: str, kpi_id: int, page: Query[ListQuery]):
    """The KPI's values over time, entered by hand and computed."""
    with authority_scope(request, slug) as authority:
        kpi = _kpi(authority, kpi_id)
        return paginate(request, Measurement.objects.filter(kpi=kpi).select_related("entered_by"), page)


@router.get("/{slug}/kpis/{kpi_id}/values/{value_id}/", response=MeasurementOut, url_name="kpi_value",
            openapi_extra=documented(READ_ERRORS))
def get_value(request, slug: str, kpi_id: int, value_id: int):
    with authority_scope(request, slug) as authority:
        kpi = _kpi(authority, kpi_id)
        return get_object_or_404(Measurement.objects.filter(kpi=kpi).select_related("entered_by"), pk=value_id)


@router.post("/{slug}/kpis/{kpi_id}/values/", response={201: MeasurementOut}, openapi_extra=documented(WRITE_ERRORS))
def add_value(request, slug: str, kpi_id: int, payload: MeasurementIn):
    """A value entered by hand, with the KPI page's checks (not in the future, a percentage at most 100). A KPI that
    left the set, or whose emergency is closed, no longer changes (409)."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            kpi = _kpi(authority, kpi_id)
            if not kpi.is_active or (kpi.emergency is not None and not kpi.emergency.is_open):
                raise Problem(409, "bad-request",
                              _("This KPI is no longer in a current set and can no longer change."))
            data = payload.dict()
            if data["measured_for"] is None:
                data["measured_for"] = timezone.localdate()
            form = bind(MeasurementForm, data, kpi=kpi)
            value = Measurement(authority=authority, kpi=kpi, entered_by=request.user, computed=False,
                                **form.cleaned_data)
            value._history_user = request.user
            value.save()
            return created(MeasurementOut, value, _value_url(slug, kpi.pk, value.pk))

        return write(request, make, creates=True)
