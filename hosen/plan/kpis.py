"""KPIs: the computations that read a KPI from the registers, the on-track rule, and the small trend.

A computation is a small function keyed by its source (the `source` of a template in
hosen/model_content/kpi_templates.json), taking (authority, emergency, now) and returning a Decimal,
or None when the registers cannot say (no emergency, nothing to count). One or two cheap queries each.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy, ngettext

from .models import (
    CADENCE_DAYS,
    RUNNING,
    Activity,
    ActivityDecision,
    AdaptWay,
    Direction,
    Measurement,
    Unit,
    has_way,
)

Computation = Callable[[object, object, object], Decimal | None]


@dataclass(frozen=True)
class Source:
    key: str
    label: object  # lazy: which register the value comes from
    compute: Computation


SOURCES: dict[str, Source] = {}

# The sparkline on the KPIs page shows the last this many dates.
SPARK_POINTS = 20
# How long "met within 72 hours" gives a need, and the window of needs it looks at.
MET_WITHIN = timedelta(hours=72)
MET_WINDOW = timedelta(days=7)


def source(key, label):
    def register(func):
        if key in SOURCES:
            raise ValueError(f"KPI source {key} is already registered")
        SOURCES[key] = Source(key, label, func)
        return func

    return register


def _share(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def current_decision(emergency, field="decision"):
    """A subquery: the outer activity's current decision (or one of its fields) in this emergency."""
    return Subquery(
        ActivityDecision.objects.filter(activity=OuterRef("pk"), emergency=emergency, is_current=True)
        .values(field)[:1]
    )


def plan_activities(authority):
    return Activity.objects.filter(authority=authority, is_active=True)


def in_protected_space(emergency):
    """Activities that run (continue or adapt) in a protected space: the decision says so, or the
    activity's own facility is a protected space."""
    running = ActivityDecision.objects.filter(
        activity=OuterRef("pk"), emergency=emergency, is_current=True, decision__in=RUNNING)
    return Exists(running.filter(has_way(AdaptWay.PROTECTED_SPACE) | Q(activity__facility__is_protected=True)))


# ---- the computations --------------------------------------------------------------------------


@source("protected_space_activities", gettext_lazy("Work plan: running activities in protected spaces"))
def protected_space_activities(authority, emergency, now):
    if emergency is None:
        return None
    return Decimal(plan_activities(authority).filter(in_protected_space(emergency)).count())


@source("essential_running", gettext_lazy("Work plan: essential activities that continue or adapt"))
def essential_running(authority, emergency, now):
    """Share of the plan's essential activities whose current decision is continue or adapt. An essential
    activity without a decision yet counts as not running: nobody has said it goes on."""
    if emergency is None:
        return None
    counts = (plan_activities(authority).filter(is_essential=True)
              .annotate(current=current_decision(emergency))
              .aggregate(total=Count("pk"), running=Count("pk", filter=Q(current__in=RUNNING))))
    return _share(counts["running"], counts["total"])


@source("new_responses", gettext_lazy("Work plan: new responses born in this emergency"))
def new_responses(authority, emergency, now):
    if emergency is None:
        return None
    return Decimal(plan_activities(authority).filter(born_in=emergency).count())


@source("needs_met_72h", gettext_lazy("Needs register: needs met within 72 hours"))
def needs_met_72h(authority, emergency, now):
    """Of the needs created in the last 7 days whose outcome is known, the share met within 72 hours.

    The outcome is known when the need was resolved (met or cannot be met), or when 72 hours have passed
    since it was created. A young need still open is left out: it still has time. Met within 72 hours
    means status "met" with `resolved_at` at most 72 hours after `created_at`."""
    from hosen.field.models import Need, NeedStatus

    if emergency is None:
        return None
    needs = Need.objects.filter(authority=authority, emergency=emergency, created_at__gt=now - MET_WINDOW,
                                created_at__lte=now)
    known = Q(created_at__lte=now - MET_WITHIN) | Q(resolved_at__isnull=False, resolved_at__lte=now)
    met = Q(status=NeedStatus.MET, resolved_at__lte=F("created_at") + MET_WITHIN) & Q(resolved_at__lte=now)
    counts = needs.filter(known).aggregate(total=Count("pk"), met=Count("pk", filter=met))
    return _share(counts["met"], counts["total"])


@source("sites_fresh", gettext_lazy("Sites: active sites with a status from the last 48 hours"))
def sites_fresh(authority, emergency, now):
    from hosen.field.queries import site_freshness

    if emergency is None:
        return None
    total, fresh = site_freshness(authority, emergency)
    return _share(fresh, total)


@source("open_urgent_needs", gettext_lazy("Needs register: urgent needs still open"))
def open_urgent_needs(authority, emergency, now):
    from hosen.field.queries import open_urgent_needs as urgent

    if emergency is None:
        return None
    return Decimal(urgent(emergency).filter(authority=authority).count())


@source("volunteers_active", gettext_lazy("People: volunteers and activists available or allocated"))
def volunteers_active(authority, emergency, now):
    """Volunteers and community activists on record who are available (or partly) in this emergency,
    or who hold an allocation to one of its needs that was not released."""
    from hosen.resources.models import Allocation, Availability, Person, PersonKind

    if emergency is None:
        return None
    allocated = Allocation.objects.filter(person=OuterRef("pk"), released_at__isnull=True, need__emergency=emergency)
    available = Q(availability_emergency=emergency, availability__in=[Availability.AVAILABLE, Availability.PARTLY])
    people = Person.objects.filter(authority=authority, is_active=True,
                                   kind__in=[PersonKind.VOLUNTEER, PersonKind.ACTIVIST])
    return Decimal(people.filter(available | Exists(allocated)).count())


def compute(kpi, now=None) -> Decimal | None:
    found = SOURCES.get(kpi.source)
    if found is None or kpi.emergency_id is None:
        return None
    return found.compute(kpi.authority, kpi.emergency, now or timezone.now())


def store_computed(kpi, user=None, now=None) -> Measurement | None:
    """Compute the KPI now and keep the value as a computed measurement (None when there is no value)."""
    now = now or timezone.now()
    value = compute(kpi, now)
    if value is None:
        return None
    return Measurement.objects.create(authority_id=kpi.authority_id, kpi=kpi, value=value, computed=True,
                                      measured_for=timezone.localdate(now), measured_at=now, entered_by=user)


def refresh_due(kpis, now=None) -> int:
    """Compute the computed KPIs whose latest computed value is older than their cadence (or missing).
    `kpis` must carry `last_computed_at` (see `with_last_computed`). Returns how many were stored."""
    now = now or timezone.now()
    stored = 0
    for kpi in kpis:
        if not kpi.is_computed or kpi.emergency_id is None or kpi.source not in SOURCES:
            continue
        due = kpi.last_computed_at is None or now - kpi.last_computed_at >= timedelta(days=CADENCE_DAYS[kpi.cadence])
        if due and store_computed(kpi, now=now) is not None:
            stored += 1
    return stored


def with_last_computed(kpis):
    return kpis.annotate(last_computed_at=Subquery(
        Measurement.objects.filter(kpi=OuterRef("pk"), computed=True).order_by("-measured_at").values("measured_at")[:1]
    ))


# ---- the on-track rule -------------------------------------------------------------------------

ON_TRACK, OFF_TRACK, NO_DATA, NO_TARGET = "on_track", "off_track", "no_data", "no_target"
STATE_LABELS = {
    ON_TRACK: gettext_lazy("On track"),
    OFF_TRACK: gettext_lazy("Off track"),
    NO_DATA: gettext_lazy("No data yet"),
    NO_TARGET: gettext_lazy("No target set"),
}


def series(measurements) -> list[tuple[date, Decimal]]:
    """One point per date, the latest value recorded for that date, oldest first."""
    by_date: dict[date, tuple] = {}
    for m in measurements:
        key = (m.measured_at, m.pk or 0)
        if m.measured_for not in by_date or key >= by_date[m.measured_for][0]:
            by_date[m.measured_for] = (key, m.value)
    return [(day, by_date[day][1]) for day in sorted(by_date)]


def _meets(value, target, direction):
    return value <= target if direction == Direction.LOWER else value >= target


def judge(points, target, direction, cadence) -> str:
    """On track when the latest value meets the target in the KPI's direction, or when the last two
    points move toward the target fast enough to reach it within one more cadence period (a day, a week,
    a month) at the same pace. Off track otherwise (a single point that misses the target is off track).
    No data without points; no target set when there is nothing to judge against."""
    if not points:
        return NO_DATA
    if target is None:
        return NO_TARGET
    latest_day, latest = points[-1]
    if _meets(latest, target, direction):
        return ON_TRACK
    if len(points) < 2:
        return OFF_TRACK
    previous_day, previous = points[-2]
    days = (latest_day - previous_day).days
    if days <= 0:
        return OFF_TRACK
    per_day = (latest - previous) / days
    projected = latest + per_day * CADENCE_DAYS.get(cadence, 7)
    return ON_TRACK if _meets(projected, target, direction) else OFF_TRACK


# ---- showing values and the trend ----------------------------------------------------------------


def format_value(value, unit) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else (1 if unit == Unit.PERCENT else 2)
    shown = number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    if unit == Unit.PERCENT:
        return f"{shown}%"
    if unit == Unit.HOURS:
        # The count picks the plural form; a fraction (1.5 hours) reads as several.
        count = int(value) if places == 0 else 5
        return ngettext("%(n)s hour", "%(n)s hours", count) % {"n": shown}
    if unit == Unit.SHEKELS:
        return f"{shown} ₪"
    return shown


def target_text(kpi) -> str:
    if kpi.target is None:
        return ""
    sign = "≤" if kpi.direction == Direction.LOWER else "≥"
    return f"{sign} {format_value(kpi.target, kpi.unit)}"


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    points: str  # the polyline's points
    last_x: float
    last_y: float
    target_y: float | None
    dots: list  # [(x, y)] for a larger chart


def trend(points, target=None, width=120, height=32, pad=4) -> Trend | None:
    """A polyline of the points in a width × height box (y grows downwards), the target as a line.
    Time runs left to right in every language, as on any chart."""
    if not points:
        return None
    values = [float(v) for _day, v in points]
    low, high = min(values), max(values)
    if target is not None:
        low, high = min(low, float(target)), max(high, float(target))
    low = min(low, 0.0)  # from zero, so a small change does not look like a fall off a cliff
    span = (high - low) or 1.0
    first_day = points[0][0]
    days = max((points[-1][0] - first_day).days, 1)

    def xy(day, value):
        x = pad + (width - 2 * pad) * ((day - first_day).days / days if len(points) > 1 else 0.5)
        y = height - pad - (height - 2 * pad) * ((value - low) / span)
        return round(x, 1), round(y, 1)

    coords = [xy(day, float(v)) for day, v in points]
    target_y = None if target is None else xy(first_day, float(target))[1]
    return Trend(width, height, " ".join(f"{x},{y}" for x, y in coords), coords[-1][0], coords[-1][1], target_y,
                 coords)


def present(kpi, measurements, big=False) -> dict:
    """What a KPI card shows: latest value, target, state and trend, from its measurements."""
    points = series(measurements)
    latest = measurements[-1] if measurements else None
    latest_point = points[-1][1] if points else None
    state = judge(points, kpi.target, kpi.direction, kpi.cadence)
    size = {"width": 320, "height": 120, "pad": 8} if big else {}
    return {
        "kpi": kpi,
        "latest": latest,
        "latest_text": format_value(latest_point, kpi.unit),
        "first_text": format_value(points[0][1], kpi.unit) if points else "",
        "first_day": points[0][0] if points else None,
        "latest_day": points[-1][0] if points else None,
        "target_text": target_text(kpi),
        "state": state,
        "state_label": STATE_LABELS[state],
        "trend": trend(points if big else points[-SPARK_POINTS:], kpi.target, **size),
        "points": len(points),
    }

