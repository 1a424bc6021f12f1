"""KPIs fitted to the situation: the current set with latest values, targets, trends and on-track states;
the manager's choice of the set (recorded); one KPI with its measurements, hand entry and "compute now"."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from hosen.integrity import versions
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as _url
from hosen.workmodel.services import current_emergency

from . import kpis, services
from .forms import CustomKpiForm, KpiChooseForm, KpiSettingsForm, MeasurementForm
from .models import Kpi, Measurement

# The measurements a KPI's page lists, newest first.
DETAIL_ROWS = 200


def _measurements_by_kpi(kpi_list):
    """Every measurement of these KPIs, grouped by KPI, oldest first: one query."""
    grouped = defaultdict(list)
    if kpi_list:
        for m in Measurement.objects.filter(kpi__in=kpi_list).order_by("measured_for", "measured_at", "pk"):
            grouped[m.kpi_id].append(m)
    return grouped


@authority_view(read="view")
def kpi_list(request):
    emergency = current_emergency(request.authority)
    current = list(kpis.with_last_computed(services.kpi_set(request.authority, emergency)))
    # Computed KPIs refresh themselves when their latest computed value is older than their cadence.
    kpis.refresh_due(current)
    routine = list(services.kpi_set(request.authority, None)) if emergency is not None else []
    measurements = _measurements_by_kpi(current + routine)
    cards = [kpis.present(kpi, measurements[kpi.pk]) for kpi in current]
    counts = {state: sum(1 for c in cards if c["state"] == state) for state in kpis.STATE_LABELS}
    return render(request, "plan/kpi_list.html", {
        "emergency": emergency,
        "cards": cards,
        "counts": counts,
        "routine_cards": [kpis.present(kpi, measurements[kpi.pk]) for kpi in routine],
        "changes": services.set_changes(request.authority, emergency),
        "states": kpis.STATE_LABELS,
    })


@authority_view(read="manage", write="manage")
def kpi_choose(request):
    emergency = current_emergency(request.authority)
    offered, routine = (list(q) for q in services.offered_templates(emergency))
    version = services.set_version(request.authority, emergency, lock=request.method == "POST")
    in_set = list(services.kpi_set(request.authority, emergency))
    custom_in_set = [k for k in in_set if k.template_id is None]
    chosen_ids = {str(k.template_id) for k in in_set if k.template_id}
    choose_form = KpiChooseForm(offered=offered, routine=routine, custom=custom_in_set, initial={
        "templates": [str(t.pk) for t in offered if str(t.pk) in chosen_ids],
        "routine": [str(t.pk) for t in routine if str(t.pk) in chosen_ids],
        "custom": [str(k.pk) for k in custom_in_set],
    })
    custom_form = CustomKpiForm()
    conflict, status = None, 200
    if request.method == "POST":
        status = 422
        if request.POST.get("action") == "custom":
            custom_form = CustomKpiForm(request.POST)
            if custom_form.is_valid():
                services.add_custom(request.authority, emergency, request.user, **custom_form.cleaned_data)
                messages.success(request, _("Your KPI is in the set."))
                return redirect(_url(request, "plan:kpis"))
        else:
            choose_form = KpiChooseForm(request.POST, offered=offered, routine=routine, custom=custom_in_set)
            if choose_form.is_valid():
                picked = set(choose_form.cleaned_data["templates"]) | set(choose_form.cleaned_data["routine"])
                kept = set(choose_form.cleaned_data["custom"])
                chosen = [t for t in offered + routine if str(t.pk) in picked]
                kept_custom = [k for k in custom_in_set if str(k.pk) in kept]
                if versions.sent_version(request) != version and not _same_set(
                        in_set, offered + routine, chosen, kept_custom):
                    # The set changed since this page was loaded: her choice would undo that change unseen.
                    conflict, status = _set_conflict(request, emergency, choose_form, in_set, offered, routine), 409
                else:
                    change = services.choose(request.authority, emergency, request.user, offered=offered + routine,
                                             chosen_templates=chosen, kept_custom=kept_custom)
                    if change is None:
                        messages.info(request, _("The set is as it was: nothing changed."))
                    else:
                        messages.success(request, _("The KPI set is updated and the change is recorded."))
                    return redirect(_url(request, "plan:kpis"))
    return render(request, "plan/kpi_choose.html", {
        "emergency": emergency,
        "offered": _template_rows(choose_form, "templates", offered),
        "routine": _template_rows(choose_form, "routine", routine),
        "custom": [{"value": str(k.pk), "name": k.title, "checked": str(k.pk) in _checked(choose_form, "custom"),
                    "meta": f"{k.get_unit_display()} · {k.get_cadence_display()}"} for k in custom_in_set],
        "custom_form": custom_form,
        "set_version": version,
        "conflict": conflict,
        "changes": services.set_changes(request.authority, emergency),
    }, status=status)


def _same_set(in_set, offered, chosen, kept_custom):
    """Whether the choice sent is the set as it is now (so a stale page asks for nothing new)."""
    offered_ids = {t.pk for t in offered}
    now_templates = {k.template_id for k in in_set if k.template_id in offered_ids}
    now_custom = {k.pk for k in in_set if k.template_id is None}
    return now_templates == {t.pk for t in chosen} and now_custom == {k.pk for k in kept_custom}


def _set_conflict(request, emergency, form, in_set, offered, routine):
    """Her choice next to the set as it is now, per part of the form, and who changed the set last."""
    def names(items):
        return ", ".join(items) or "—"

    in_set_templates = {k.template_id for k in in_set if k.template_id}
    picked = set(form.cleaned_data["templates"]) | set(form.cleaned_data["routine"])
    kept = set(form.cleaned_data["custom"])
    parts = [
        (_("KPIs for an emergency") if emergency else _("Routine KPIs"), offered),
        (_("Routine KPIs (not usually tracked in an emergency)"), routine),
    ]
    rows = []
    for label, templates in parts:
        yours = names([t.tr("name") for t in templates if str(t.pk) in picked])
        current = names([t.tr("name") for t in templates if t.pk in in_set_templates])
        if templates and yours != current:
            rows.append({"label": label, "yours": yours, "current": current})
    custom = [k for k in in_set if k.template_id is None]
    yours = names([k.title for k in custom if str(k.pk) in kept])
    current = names([k.title for k in custom])
    if yours != current:
        rows.append({"label": _("Your own KPIs"), "yours": yours, "current": current})
    last = services.set_changes(request.authority, emergency, limit=1)
    change = {"who": last[0].changed_by.display_name if last[0].changed_by else None,
              "when": last[0].changed_at} if last else None
    return versions.Conflict(rows, change)


def _checked(form, name):
    if form.is_bound:
        return set(form.data.getlist(name))
    return set(form.initial.get(name, []))


def _template_rows(form, name, templates):
    checked = _checked(form, name)
    rows = []
    for t in templates:
        source = kpis.SOURCES.get(t.source)
        rows.append({
            "value": str(t.pk), "name": t.tr("name"), "description": t.tr("description"),
            "checked": str(t.pk) in checked, "source": source.label if source else None,
            "meta": f"{t.get_unit_display()} · {t.get_cadence_display()} · {t.get_direction_display()}",
        })
    return rows


@authority_view(read="view", write="change")
def kpi_detail(request, kpi_pk):
    kpis_here = Kpi.objects.filter(authority=request.authority)
    kpi = get_object_or_404(kpis_here.select_related("template", "emergency"), pk=kpi_pk)
    editable = kpi.is_active and (kpi.emergency is None or kpi.emergency.is_open)
    measure_form = MeasurementForm(kpi=kpi)
    settings_form = KpiSettingsForm(instance=kpi)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "measure")
        if not editable:
            messages.error(request, _("This KPI is no longer in a current set and can no longer change."))
            return redirect(_url(request, "plan:kpi", kpi_pk=kpi.pk))
        if action == "compute":
            if not kpi.is_computed:
                messages.error(request, _("This KPI is entered by hand; it has nothing to compute."))
            elif kpis.store_computed(kpi, user=request.user) is None:
                messages.warning(request, _("The registers have nothing to compute this KPI from yet."))
            else:
                messages.success(request, _("Computed from the registers and recorded."))
            return redirect(_url(request, "plan:kpi", kpi_pk=kpi.pk))
        if action == "settings":
            if not request.access.can("manage"):
                raise PermissionDenied
            # Its own copy of the KPI: an unsaved value must not show on the page as if it were saved.
            settings_form = KpiSettingsForm(request.POST, instance=kpis_here.get(pk=kpi.pk))
            if settings_form.is_valid():
                saved = settings_form.save(commit=False)
                saved._history_user = request.user
                saved.save()
                messages.success(request, _("The KPI's target and cadence are saved."))
                return redirect(_url(request, "plan:kpi", kpi_pk=kpi.pk))
            status = 409 if settings_form.conflict else 422
        else:
            measure_form = MeasurementForm(request.POST, kpi=kpi)
            if measure_form.is_valid():
                m = Measurement(authority=request.authority, kpi=kpi, entered_by=request.user, computed=False,
                                **measure_form.cleaned_data)
                m._history_user = request.user
                m.save()
                messages.success(request, _("The value is recorded."))
                return redirect(_url(request, "plan:kpi", kpi_pk=kpi.pk))
            status = 422

    measurements = list(kpi.measurements.select_related("entered_by").order_by("measured_for", "measured_at", "pk"))
    card = kpis.present(kpi, measurements, big=True)
    source = kpis.SOURCES.get(kpi.source)
    return render(request, "plan/kpi_detail.html", {
        "card": card,
        "kpi": kpi,
        "rows": [(m, kpis.format_value(m.value, kpi.unit)) for m in reversed(measurements[-DETAIL_ROWS:])],
        "source": source,
        # The computed value the page shows: "compute now" twice from it computes once.
        "last_computed": max((m.pk for m in measurements if m.computed), default=0),
        "editable": editable,
        "can_change": editable and request.access.can("change"),
        "can_manage": editable and request.access.can("manage"),
        "measure_form": measure_form,
        "settings_form": settings_form,
        "baseline_text": kpis.format_value(kpi.baseline, kpi.unit) if kpi.baseline is not None else "—",
    }, status=status)
