"""The facilities register: buildings and spaces, protected or not, with capacity, equipment, the key holder
and availability. List with filters and totals, a facility's page, the form, import and export."""

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from hosen.field.models import Site
from hosen.integrity import versions
from hosen.reports import tabular
from hosen.tenancy.middleware import authority_view

from .forms_registers import FacilityFilter, FacilityForm, FacilityImporter
from .models import Allocation, Availability, Facility
from .views_funding import grouped
from .views_people import (
    FORMATS,
    arrow,
    display,
    form_status,
    import_page,
    paginate,
    query_without_page,
    record_history,
    template_download,
    url_for,
    yes_no,
)

FACILITY_HISTORY_FIELDS = ("name", "kind", "site", "address", "area", "is_protected", "capacity", "equipment",
                           "key_holder", "key_holder_phone", "availability", "is_active", "notes")
USABLE = (Availability.AVAILABLE, Availability.PARTLY)


def _facilities(request):
    return Facility.objects.filter(authority=request.authority)


def facility_areas(authority):
    return list(Facility.objects.filter(authority=authority, is_active=True).exclude(area="")
                .order_by("area").values_list("area", flat=True).distinct())


def filtered_facilities(request, active=True):
    form = FacilityFilter(request.GET, areas=facility_areas(request.authority))
    values = form.values()
    facilities = _facilities(request).filter(is_active=active)
    if values.get("q"):
        text = values["q"].strip()
        facilities = facilities.filter(Q(name__icontains=text) | Q(address__icontains=text)
                                       | Q(equipment__icontains=text) | Q(key_holder__icontains=text))
    for name in ("kind", "area", "availability"):
        if values.get(name):
            facilities = facilities.filter(**{name: values[name]})
    if values.get("protected") in ("1", "0"):
        facilities = facilities.filter(is_protected=values["protected"] == "1")
    if values.get("capacity"):
        facilities = facilities.filter(capacity__gte=values["capacity"])
    return form, values, facilities


def facility_totals(facilities):
    """Facilities, protected spaces and the people they hold (all, and available now): one query."""
    protected, usable = Q(is_protected=True), Q(is_protected=True, availability__in=USABLE)
    totals = facilities.aggregate(
        facilities=Count("pk"), people=Sum("capacity"), protected=Count("pk", filter=protected),
        protected_capacity=Sum("capacity", filter=protected), usable=Count("pk", filter=usable),
        usable_capacity=Sum("capacity", filter=usable))
    return {key: value or 0 for key, value in totals.items()}


@authority_view(read="view")
def facilities(request):
    archived = request.GET.get("archived") == "1"
    form, values, found = filtered_facilities(request, active=not archived)
    totals = facility_totals(found)
    page = paginate(request, found.select_related("site").order_by("name", "pk"), totals["facilities"])
    return render(request, "resources/facility_list.html", {
        "form": form, "filtered": bool(values), "archived": archived, "page": page, "totals": totals,
        "shown": {key: grouped(value) for key, value in totals.items()},
        "query": query_without_page(request), "can_change": request.access.can("change"),
        "archived_count": None if archived else _facilities(request).filter(is_active=False).count(),
    })


@authority_view(read="view")
def facility_detail(request, facility_pk):
    facility = get_object_or_404(_facilities(request).select_related("site"), pk=facility_pk)
    allocations = list(Allocation.objects.filter(facility=facility).select_related("need", "allocated_by")
                       .order_by("-allocated_at")[:100])
    site_ids = set(facility.history.exclude(site_id=None).values_list("site_id", flat=True))
    sites = dict(Site.objects.filter(authority=request.authority, pk__in=site_ids).values_list("pk", "name"))
    return render(request, "resources/facility_detail.html", {
        "facility": facility, "allocations": allocations, "arrow": arrow(),
        "can_change": request.access.can("change"),
        "history": record_history(facility, FACILITY_HISTORY_FIELDS, {"site": lambda pk: sites.get(pk, "—")}),
    })


def _form_page(request, form, facility):
    return render(request, "resources/facility_form.html", {
        "form": form, "facility": facility, "areas": facility_areas(request.authority),
    }, status=form_status(form))


@authority_view(read="change", write="change")
def facility_new(request):
    form = FacilityForm(request.POST or None, authority=request.authority)
    if request.method == "POST" and form.is_valid():
        facility = form.save()
        messages.success(request, _("The facility %(name)s is on the register.") % {"name": facility.name})
        return redirect(url_for(request, "resources:facility", facility_pk=facility.pk))
    return _form_page(request, form, None)


@authority_view(read="change", write="change")
def facility_edit(request, facility_pk):
    """Edit a facility; the same page archives and restores it (POST with `action`)."""
    facility = get_object_or_404(_facilities(request), pk=facility_pk)
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("archive", "restore"):
        current = versions.is_stale(request, facility)
        if current is not None and current.is_active != (action == "restore"):
            messages.error(request, versions.changed_meanwhile(current))
            return redirect(url_for(request, "resources:facility_edit", facility_pk=facility.pk))
        if facility.is_active != (action == "restore"):
            facility.is_active = action == "restore"
            facility.save(update_fields=["is_active"])
        if facility.is_active:
            messages.success(request, _("%(name)s is back on the register.") % {"name": facility.name})
        else:
            messages.success(request, _("%(name)s is archived: off the list and the matching; the history is kept.")
                             % {"name": facility.name})
        return redirect(url_for(request, "resources:facility", facility_pk=facility.pk))
    form = FacilityForm(request.POST or None, instance=facility, authority=request.authority)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(url_for(request, "resources:facility", facility_pk=facility.pk))
    return _form_page(request, form, facility)


# ---- import and export -------------------------------------------------------------------------


@authority_view(read="change", write="change")
def facilities_import(request):
    return import_page(request, FacilityImporter(user=request.user, authority=request.authority),
                       "resources/facilities_import.html", url_for(request, "resources:facilities"))


@authority_view(read="view")
def facilities_template(request, fmt):
    return template_download(FacilityImporter(authority=request.authority), fmt, "facilities")


def export_columns():
    field = Facility._meta.get_field
    return [
        tabular.Column("name", field("name").verbose_name, "#loc+name"),
        tabular.Column("kind", field("kind").verbose_name, "#loc+type", display(field("kind"))),
        tabular.Column("site__name", field("site").verbose_name, "#loc+site+name"),
        tabular.Column("address", field("address").verbose_name, "#loc+address"),
        tabular.Column("area", field("area").verbose_name, "#loc+adm3"),
        tabular.Column("is_protected", field("is_protected").verbose_name, "#loc+shelter",
                       lambda f: yes_no(f.is_protected)),
        tabular.Column("capacity", field("capacity").verbose_name, "#capacity"),
        tabular.Column("equipment", field("equipment").verbose_name, "#item+equipment"),
        tabular.Column("key_holder", field("key_holder").verbose_name, "#contact+keyholder+name"),
        tabular.Column("key_holder_phone", field("key_holder_phone").verbose_name, "#contact+keyholder+phone"),
        tabular.Column("availability", field("availability").verbose_name, "#status+availability",
                       display(field("availability"))),
        tabular.Column("notes", field("notes").verbose_name, "#description+notes"),
    ]


@authority_view(read="view")
def facilities_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404("No such format")
    _form, _values, found = filtered_facilities(request, active=request.GET.get("archived") != "1")
    rows = found.select_related("site").order_by("name", "pk").iterator(chunk_size=2000)
    return tabular.download(rows, export_columns(), "facilities", fmt, rtl=get_language_bidi())
