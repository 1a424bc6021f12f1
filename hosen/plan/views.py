"""The work plan of the current emergency: the activities with their decisions and continuity at a glance,
decisions changed in place, an activity's page with its decision history, the forms and the export."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms.forms import NON_FIELD_ERRORS
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from hosen.reports import tabular
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as _url
from hosen.tenancy.navigation import safe_next as _safe_next
from hosen.workmodel.services import current_emergency

from . import services
from .forms import ActivityFilterForm, ActivityForm, DecisionForm
from .kpis import current_decision
from .models import Activity, ActivityDecision, AdaptWay, Decision

PAGE_SIZE = 30
FORMATS = {"xlsx", "csv"}
# Essential first, then by name; the pk keeps pages stable.
LIST_ORDER = ("-is_essential", "name", "pk")


def _activities(request):
    return Activity.objects.filter(authority=request.authority)


def _with_current(activities, emergency):
    """Each activity's current decision in the emergency as `activity.current_decisions` (one query)."""
    if emergency is None:
        return activities
    return activities.prefetch_related(Prefetch(
        "decisions", to_attr="current_decisions",
        queryset=ActivityDecision.objects.filter(emergency=emergency, is_current=True).select_related("decided_by"),
    ))


def _card(activity, emergency, can_decide, *, form=None, saved=None, show_form=False, **extra):
    """What the activity card shows and its decision form holds: the typed values after an error or a
    conflict, else the current decision. The form carries the version of the current decision."""
    current = (getattr(activity, "current_decisions", None) or [None])[0]
    activity.current = current
    if form is not None and form.is_bound:
        data = form.data
        values = {"decision": data.get("decision", ""), "ways": data.getlist("ways"),
                  "how": data.get("how", ""), "reason": data.get("reason", "")}
        errors = form.errors
    else:
        form = DecisionForm(instance=current)
        values = {"decision": current.decision if current else "", "ways": current.ways if current else [],
                  "how": current.how if current else "", "reason": current.reason if current else ""}
        errors = {}
    return {"a": activity, "prefix": f"a{activity.pk}", "emergency": emergency, "form": form,
            "can_decide": can_decide and emergency is not None, "values": values, "errors": errors, "saved": saved,
            "invalid": any(name != NON_FIELD_ERRORS for name in errors),
            "open": bool(errors) or show_form,
            "decisions": Decision.choices, "ways": AdaptWay.choices, **extra}


def _current_decision(activity, emergency):
    """The activity's current decision as stored now (its own object: the form may change it in memory)."""
    if emergency is None:
        return None
    return ActivityDecision.objects.filter(activity=activity, emergency=emergency, is_current=True).first()


def _already_decided(form):
    """A decision sent from a page that showed an earlier one, but saying exactly what is decided now (the
    same tap twice, or the same decision taken by someone else meanwhile): nothing to refuse, nothing to add."""
    return (form.conflict is not None and not form.conflict.rows and list(form.errors) == [NON_FIELD_ERRORS]
            and len(form.errors[NON_FIELD_ERRORS]) == 1)


# ---- the plan --------------------------------------------------------------------------------


@authority_view(read="view", write="change")
def activity_list(request):
    emergency = current_emergency(request.authority)
    if request.method == "POST":
        pk = request.POST.get("activity", "")
        if not pk.isdigit():
            messages.error(request, _("Choose an activity to decide on."))
            return redirect(_url(request, "plan:activities"))
        activity = get_object_or_404(_activities(request), pk=int(pk))
        return _decide(request, emergency, activity, _safe_next(request, _url(request, "plan:activities")))

    filters = ActivityFilterForm(request.GET, emergency=emergency)
    activities = _activities(request)
    glance = services.continuity(activities.filter(is_active=True), emergency)
    if emergency is not None:
        activities = activities.annotate(current=current_decision(emergency))
    activities = filters.apply(activities, emergency)
    paginator = Paginator(_with_current(activities.select_related("facility", "site"), emergency)
                          .order_by(*LIST_ORDER), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    can_change = request.access.can("change")
    next_url = request.get_full_path()
    cards = [_card(a, emergency, can_change, next=next_url, in_list=True) for a in page.object_list]
    return render(request, "plan/activity_list.html", {
        "emergency": emergency,
        "filters": filters,
        "filtered": filters.active,
        "filter_summary": filters.summary(),
        "glance": glance,
        "bar": services.glance_bar(glance) if emergency is not None else [],
        "page": page,
        "cards": cards,
        "can_change": can_change,
    })


def _decide(request, emergency, activity, back):
    """A decision for the activity. htmx gets the card back (422 with the errors, 409 when the decision
    changed since the page was loaded); a plain form goes back (PRG), or, on errors, shows the activity's
    page with the form and what was typed."""
    can_change = request.access.can("change")
    in_list = request.POST.get("in_list") == "1"
    form = DecisionForm(request.POST, instance=_current_decision(activity, emergency))
    error = None
    if emergency is None:
        error = _("Decisions belong to an emergency, and there is no open emergency right now.")
    elif not activity.is_active:
        error = _("This activity is archived. Bring it back to the plan before deciding on it.")
    elif form.is_valid() or _already_decided(form):
        data = form.cleaned_data
        saved = None if form.conflict else services.decide(
            activity, emergency, decision=data["decision"], ways=data["ways"], how=data["how"],
            reason=data["reason"], user=request.user)
        if request.htmx:
            activity = _with_current(_activities(request).select_related("facility", "site"), emergency).get(
                pk=activity.pk)
            return render(request, "plan/_activity_card.html", {"card": _card(
                activity, emergency, can_change, saved="saved" if saved else "unchanged", next=back,
                in_list=in_list)})
        if saved:
            messages.success(request, _("Decision saved: %(decision)s.") % {"decision": saved.get_decision_display()})
        else:
            messages.info(request, _("Nothing changed: this is already the decision."))
        return redirect(back + ("" if "#" in back else f"#activity-{activity.pk}"))

    if error is not None and not request.htmx:
        messages.error(request, error)
        return redirect(back)
    status = 409 if form.conflict else 422
    activity = _with_current(_activities(request).select_related("facility", "site"), emergency).get(pk=activity.pk)
    if request.htmx:
        return render(request, "plan/_activity_card.html", {"card": _card(
            activity, emergency, can_change, form=form, error=error, next=back, in_list=in_list)}, status=status)
    return _detail(request, activity, emergency, form=form, status=status)


# ---- one activity ----------------------------------------------------------------------------


def _detail(request, activity, emergency, form=None, status=200):
    history = list(activity.decisions.select_related("decided_by", "emergency").order_by("-decided_at", "-pk"))
    card = _card(activity, emergency, request.access.can("change"), form=form,
                 next=_url(request, "plan:activity", activity_pk=activity.pk), in_list=False)
    return render(request, "plan/activity_detail.html", {
        "card": card, "a": activity, "emergency": emergency, "history": history,
        "can_change": request.access.can("change"),
    }, status=status)


@authority_view(read="view", write="change")
def activity_detail(request, activity_pk):
    emergency = current_emergency(request.authority)
    activity = get_object_or_404(
        _with_current(_activities(request).select_related("facility", "site", "born_in"), emergency), pk=activity_pk)
    if request.method == "POST":
        return _decide(request, emergency, activity, _url(request, "plan:activity", activity_pk=activity.pk))
    if request.htmx and request.GET.get("card") in ("form", "view"):
        # The plan's card, opened in place with its decision form (or closed again).
        return render(request, "plan/_activity_card.html", {"card": _card(
            activity, emergency, request.access.can("change"), show_form=request.GET["card"] == "form",
            next=_safe_next(request, _url(request, "plan:activities")), in_list=True)})
    return _detail(request, activity, emergency)


@authority_view(read="change", write="change")
def activity_new(request):
    emergency = current_emergency(request.authority)
    form = ActivityForm(request.POST or None, authority=request.authority, emergency=emergency,
                        instance=Activity(authority=request.authority))
    if request.method == "POST" and form.is_valid():
        activity = form.save(commit=False)
        activity._history_user = request.user
        activity.save()
        messages.success(request, _("The activity is in the plan."))
        return redirect(_url(request, "plan:activity", activity_pk=activity.pk))
    return render(request, "plan/activity_form.html", {"form": form, "emergency": emergency},
                  status=422 if form.errors else 200)


@authority_view(read="change", write="change")
def activity_edit(request, activity_pk):
    emergency = current_emergency(request.authority)
    activity = get_object_or_404(_activities(request), pk=activity_pk)
    form = ActivityForm(request.POST or None, authority=request.authority, emergency=emergency, instance=activity)
    if request.method == "POST" and form.is_valid():
        activity = form.save(commit=False)
        activity._history_user = request.user
        activity.save()
        messages.success(request, _("The activity is updated."))
        return redirect(_url(request, "plan:activity", activity_pk=activity.pk))
    return render(request, "plan/activity_form.html", {"form": form, "emergency": emergency, "activity": activity},
                  status=(409 if form.conflict else 422) if form.errors else 200)


# ---- export ----------------------------------------------------------------------------------


def _yes_no(value):
    return _("yes") if value else _("no")


def _current(activity):
    return (getattr(activity, "current_decisions", None) or [None])[0]


def export_columns(emergency):
    field = Activity._meta.get_field
    columns = [
        tabular.Column("pk", gettext_lazy("number"), "#meta+id"),
        tabular.Column("name", field("name").verbose_name, "#activity+name"),
        tabular.Column("kind", field("kind").verbose_name, "#activity+type"),
        tabular.Column("audience", field("audience").verbose_name, "#affected"),
        tabular.Column("is_essential", field("is_essential").verbose_name, "#indicator+essential",
                       value=lambda a: _yes_no(a.is_essential)),
        tabular.Column("is_stem", field("is_stem").verbose_name, "#indicator+stem", value=lambda a: _yes_no(a.is_stem)),
        tabular.Column("partner", field("partner").verbose_name, "#org+partner"),
        tabular.Column("owner", field("owner").verbose_name, "#contact+name"),
        tabular.Column("place", field("place").verbose_name, "#loc"),
        tabular.Column("facility__name", field("facility").verbose_name, "#loc+facility"),
        tabular.Column("site__name", field("site").verbose_name, "#loc+name"),
        tabular.Column("starts_on", field("starts_on").verbose_name, "#date+start"),
        tabular.Column("ends_on", field("ends_on").verbose_name, "#date+end"),
    ]
    if emergency is not None:
        decision = ActivityDecision._meta.get_field
        columns += [
            tabular.Column("born_in", gettext_lazy("new response"), "#indicator+new",
                           value=lambda a: _yes_no(a.born_in_id == emergency.pk)),
            tabular.Column("decision", decision("decision").verbose_name, "#status+decision",
                           value=lambda a: _current(a).get_decision_display() if _current(a) else ""),
            tabular.Column("ways", decision("ways").verbose_name, "#status+adaptation",
                           value=lambda a: ", ".join(str(w) for w in _current(a).way_labels()) if _current(a) else ""),
            tabular.Column("how", decision("how").verbose_name, "#description+adaptation",
                           value=lambda a: _current(a).how if _current(a) else ""),
            tabular.Column("reason", decision("reason").verbose_name, "#description+reason",
                           value=lambda a: _current(a).reason if _current(a) else ""),
            tabular.Column("decided_at", decision("decided_at").verbose_name, "#date+decided",
                           value=lambda a: _current(a).decided_at if _current(a) else None),
        ]
    return columns


@authority_view(read="view")
def activity_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404("Unknown format")
    emergency = current_emergency(request.authority)
    filters = ActivityFilterForm(request.GET, emergency=emergency)
    activities = _activities(request)
    if emergency is not None:
        activities = activities.annotate(current=current_decision(emergency))
    activities = _with_current(filters.apply(activities, emergency).select_related("facility", "site"), emergency)
    return tabular.download(activities.order_by(*LIST_ORDER).iterator(chunk_size=2000), export_columns(emergency),
                            "work-plan", fmt, rtl=get_language_bidi())
