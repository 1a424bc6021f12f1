"""The needs register of the current emergency: list with filters and counts, quick status changes in
place, a need's page with its history, the new and edit forms, and the export."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from hosen.integrity import versions
from hosen.reports import tabular
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as _url
from hosen.tenancy.navigation import safe_next as _safe_next
from hosen.tenancy.navigation import toggle_href as _toggle_href
from hosen.workmodel.services import current_emergency

from . import services
from .forms_needs import NeedEditForm, NeedFilterForm, NeedForm, NeedStatusForm
from .models import UNMET, Need, NeedCategory, NeedStatus, Site, Urgency
from .queries import need_counts

PAGE_SIZE = 50
FORMATS = {"xlsx", "csv"}
# Urgency first, then the need that has waited longest; the pk keeps pages stable.
LIST_ORDER = ("-urgency", "created_at", "pk")
# What a need's history shows as changed; bookkeeping fields (dates, submission, links) stay out.
HISTORY_FIELDS = ("status", "urgency", "category", "audience", "description", "quantity", "is_emerging", "source",
                  "site")


def _needs(request):
    return Need.objects.filter(authority=request.authority)


def _arrow():
    """The arrow of "before → after": the browser does not mirror it in right-to-left text."""
    return "←" if get_language_bidi() else "→"


def _statuses():
    """The status buttons' (value, label), translated once: a lazy label is translated again on every use, and
    a page of cards uses each one some two hundred times."""
    return [(value, str(label)) for value, label in NeedStatus.choices]


def _card(need, next_url, **extra):
    return {"need": need, "next": next_url, "statuses": _statuses(), "arrow": _arrow(), **extra}


# ---- the list --------------------------------------------------------------------------------


def _breakdown(request, key, choices, counts, chosen):
    rows = []
    for value, label in choices:
        is_chosen = str(value) == str(chosen)
        rows.append({"value": str(value), "label": label, "n": counts.get(value, 0), "chosen": is_chosen,
                     "href": _toggle_href(request, key, str(value), is_chosen)})
    return rows


@authority_view(read="view")
def need_list(request):
    emergency = current_emergency(request.authority)
    filters = NeedFilterForm(request.GET, authority=request.authority)
    context = {"emergency": emergency, "filters": filters, "filtered": filters.active}
    context["filter_summary"] = filters.summary()
    if emergency is None:
        return render(request, "field/need_list.html", context)

    needs = filters.apply(_needs(request).filter(emergency=emergency))
    counts = need_counts(needs)
    by_category, by_urgency = {}, {}
    # One grouped query gives both breakdowns.
    for row in needs.order_by().values("category", "urgency").annotate(n=Count("pk")):
        by_category[row["category"]] = by_category.get(row["category"], 0) + row["n"]
        by_urgency[row["urgency"]] = by_urgency.get(row["urgency"], 0) + row["n"]
    chosen = filters.values()

    paginator = Paginator(needs.select_related("site").order_by(*LIST_ORDER), PAGE_SIZE)
    paginator.count = counts["total"]  # already counted: no second COUNT query
    page = paginator.get_page(request.GET.get("page"))
    context.update({
        "counts": counts,
        "by_status": _breakdown(request, "status", NeedStatus.choices, counts, chosen.get("status", "")),
        "by_urgency": _breakdown(request, "urgency", reversed(Urgency.choices), by_urgency, chosen.get("urgency", "")),
        "by_category": [row for row in _breakdown(request, "category", NeedCategory.choices, by_category,
                                                  chosen.get("category", "")) if row["n"] or row["chosen"]],
        "page": page,
        "next": request.get_full_path(),
        "statuses": _statuses(),
        "can_change": request.access.can("change"),
    })
    return render(request, "field/need_list.html", context)


@authority_view(read="view", write="change")
def need_status(request, need_pk):
    """A quick status change from a card. htmx gets the card back; a plain form goes back to the list."""
    need = get_object_or_404(_needs(request).select_related("site", "emergency"), pk=need_pk)
    back = _safe_next(request, _url(request, "field:needs"))
    can_change = request.access.can("change") and need.emergency.is_open
    if request.method != "POST":
        return render(request, "field/_need_card.html", {**_card(need, back), "can_change": can_change})

    form = NeedStatusForm(request.POST)
    error, did_change, current = None, False, None
    before = need.get_status_display()
    if not need.emergency.is_open:
        error = _("This need belongs to a closed emergency and can no longer change.")
    elif not form.is_valid():
        error = _("Choose one of the statuses offered.")
    elif (current := versions.is_stale(request, need)) is not None and current.status != form.cleaned_data["status"]:
        need = _needs(request).select_related("site", "emergency").get(pk=need.pk)
        error = versions.changed_meanwhile(current)
    else:
        did_change = services.change_need_status(need, form.cleaned_data["status"], request.user)
    changed = (before, need.get_status_display()) if did_change else None

    if request.htmx:
        return render(request, "field/_need_card.html",
                      {**_card(need, back, changed=changed, error=error), "can_change": can_change},
                      status=(409 if current is not None else 422) if error else 200)
    if error:
        messages.error(request, error)
    elif changed:
        messages.success(request, _("Status changed: %(before)s %(arrow)s %(after)s") % {
            "before": before, "arrow": _arrow(), "after": need.get_status_display()})
    if "#" not in back:
        back += f"#need-{need.pk}"
    return redirect(back)


# ---- new and edit ----------------------------------------------------------------------------


@authority_view(read="change", write="change")
def need_new(request):
    emergency = current_emergency(request.authority)
    if emergency is None:
        return render(request, "field/need_form.html", {"emergency": None, "form": None})
    form = NeedForm(request.POST or None, authority=request.authority)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in NeedForm.Meta.fields}
        need = services.add_need(request.authority, emergency, user=request.user, **fields)
        messages.success(request, _("The need is on the register."))
        return redirect(_url(request, "field:needs") + f"#need-{need.pk}")
    return render(request, "field/need_form.html", {"emergency": emergency, "form": form},
                  status=422 if form.errors else 200)


@authority_view(read="change", write="change")
def need_edit(request, need_pk):
    need = get_object_or_404(_needs(request).select_related("emergency"), pk=need_pk)
    if not need.emergency.is_open:
        messages.error(request, _("This need belongs to a closed emergency and can no longer change."))
        return redirect(_url(request, "field:need", need_pk=need.pk))
    old_status = need.status
    form = NeedEditForm(request.POST or None, instance=need, authority=request.authority)
    if request.method == "POST" and form.is_valid():
        need = form.save(commit=False)
        if need.status != old_status:
            need.resolved_at = None if need.status in UNMET else timezone.now()
        need._history_user = request.user
        need.save()
        messages.success(request, _("The need is updated."))
        return redirect(_url(request, "field:need", need_pk=need.pk))
    return render(request, "field/need_form.html", {"emergency": need.emergency, "form": form, "need": need},
                  status=(409 if form.conflict else 422) if form.errors else 200)


# ---- one need and its history ----------------------------------------------------------------


def _shown(field, value, site_names):
    if value is None or value == "":
        return "—"
    if field.name == "site":
        return site_names.get(value, "—")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def need_history(need, authority):
    """Every version of the need, newest first: who, when, the status move and the other fields changed.
    Three queries however long the history."""
    versions = list(need.history.select_related("history_user", "created_by").order_by("history_date", "history_id"))
    site_ids = {v.site_id for v in versions if v.site_id}
    site_names = dict(Site.objects.filter(authority=authority, pk__in=site_ids).values_list("pk", "name"))
    fields = [Need._meta.get_field(name) for name in HISTORY_FIELDS]
    entries, previous = [], None
    for version in versions:
        changes, status_change = [], None
        for field in fields:
            after = getattr(version, field.attname)
            before = getattr(previous, field.attname) if previous is not None else None
            if previous is not None and before == after:
                continue
            if previous is None and field.name != "status":
                continue  # the creation shows its status; the facts above show the rest
            if field.name == "status":
                status_change = (_shown(field, before, site_names) if previous else None,
                                 _shown(field, after, site_names))
            else:
                changes.append((field.verbose_name, _shown(field, before, site_names),
                                _shown(field, after, site_names)))
        if previous is None or status_change or changes:
            who = version.history_user
            if who is None and previous is None:
                who = version.created_by  # added outside a request (an import, the demo) on someone's behalf
            entries.append({
                "when": version.history_date, "who": who,
                "quick_report": version.history_user is None and bool(version.via_link_id),
                "kind": version.history_type, "status_change": status_change, "changes": changes,
            })
        previous = version
    entries.reverse()
    return entries


@authority_view(read="view")
def need_detail(request, need_pk):
    need = get_object_or_404(_needs(request).select_related("site", "emergency", "created_by"), pk=need_pk)
    return render(request, "field/need_detail.html", {
        "need": need,
        "history": need_history(need, request.authority),
        "can_change": request.access.can("change") and need.emergency.is_open,
        "statuses": NeedStatus.choices,
        "next": request.get_full_path(),
        "arrow": _arrow(),
    })


# ---- export ----------------------------------------------------------------------------------


def _display(model_field):
    """A column value through the field's choices, translated once per export rather than once per cell
    (Django's get_FOO_display translates every choice label on every call)."""
    labels = {value: str(label) for value, label in model_field.flatchoices}
    return lambda need: labels.get(getattr(need, model_field.attname), getattr(need, model_field.attname))


def export_columns():
    field = Need._meta.get_field
    yes, no = _("yes"), _("no")
    return [
        tabular.Column("pk", gettext_lazy("number"), "#meta+id"),
        tabular.Column("created_at", field("created_at").verbose_name, "#date+reported"),
        tabular.Column("category", field("category").verbose_name, "#sector", _display(field("category"))),
        tabular.Column("audience", field("audience").verbose_name, "#affected", _display(field("audience"))),
        tabular.Column("description", field("description").verbose_name, "#description"),
        tabular.Column("quantity", field("quantity").verbose_name, "#value"),
        tabular.Column("urgency", field("urgency").verbose_name, "#severity", _display(field("urgency"))),
        tabular.Column("status", field("status").verbose_name, "#status", _display(field("status"))),
        tabular.Column("is_emerging", field("is_emerging").verbose_name, "#indicator+emerging",
                       lambda need: yes if need.is_emerging else no),
        tabular.Column("site__name", field("site").verbose_name, "#loc+name"),
        tabular.Column("source", field("source").verbose_name, "#meta+source"),
        tabular.Column("updated_at", field("updated_at").verbose_name, "#date+updated"),
        tabular.Column("resolved_at", gettext_lazy("resolved"), "#date+resolved"),
    ]


@authority_view(read="view")
def need_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404("Unknown format")
    emergency = current_emergency(request.authority)
    if emergency is None:
        needs = Need.objects.none()
    else:
        filters = NeedFilterForm(request.GET, authority=request.authority)
        needs = filters.apply(_needs(request).filter(emergency=emergency)).select_related("site").order_by(*LIST_ORDER)
    return tabular.download(needs.iterator(chunk_size=2000), export_columns(), "needs", fmt, rtl=get_language_bidi())

