"""The funding and support register: municipal, national, philanthropic and business sources with the amounts
requested, approved and received, status, restrictions and deadlines (those within a week stand out).
Totals by status in shekels."""

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from hosen.field.models import NeedCategory
from hosen.reports import tabular
from hosen.tenancy.middleware import authority_view
from hosen.workmodel.services import current_emergency

from .forms_registers import FundingFilter, FundingForm, json_list_has
from .models import FundingSource, FundingStatus
from .views_people import FORMATS, display, form_status, paginate, query_without_page, toggle_href, url_for

SOON = timedelta(days=7)
# A deadline matters while the money is still to come.
PENDING = (FundingStatus.IDENTIFIED, FundingStatus.REQUESTED, FundingStatus.APPROVED)


def grouped(value, decimals=0):
    """A number with the active locale's separators, grouped by thousands: 25,000 / 1,250.50.
    (Django groups only where the locale sets NUMBER_GROUPING, and Hebrew's does not.)"""
    text = f"{Decimal(value):,.{decimals}f}"
    thousands, decimal = get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


def amount(value):
    """An amount without its sign, for a table whose header says ₪: 25,000, or 1,250.50 with agorot."""
    if value is None:
        return ""
    value = Decimal(value)
    return grouped(value, 0 if value == value.to_integral_value() else 2)


def money(value):
    """An amount in shekels: ₪25,000, or ₪1,250.50 when it has agorot."""
    return "₪" + amount(value) if value is not None else ""


def _funding(request):
    return FundingSource.objects.filter(authority=request.authority)


def filtered_funding(request):
    """(form, values, sources passing every filter but status, sources passing all of them)."""
    form = FundingFilter(request.GET)
    values = form.values()
    sources = _funding(request)
    if values.get("q"):
        text = values["q"].strip()
        sources = sources.filter(Q(name__icontains=text) | Q(contact__icontains=text)
                                 | Q(restrictions__icontains=text) | Q(notes__icontains=text))
    if values.get("kind"):
        sources = sources.filter(kind=values["kind"])
    if values.get("category"):
        sources = sources.filter(json_list_has("categories", values["category"]))
    shown = sources.filter(status=values["status"]) if values.get("status") else sources
    return form, values, sources, shown


def _decorate(source, today, categories):
    source.requested_text, source.approved_text, source.received_text = (
        money(source.requested), money(source.approved), money(source.received))
    pending = source.status in PENDING and source.deadline is not None
    source.deadline_soon = pending and today <= source.deadline <= today + SOON
    source.deadline_passed = pending and source.deadline < today
    source.days_left = (source.deadline - today).days if source.deadline else None
    source.category_labels = [categories[c] for c in source.categories or [] if c in categories]
    return source


@authority_view(read="view")
def funding(request):
    emergency = current_emergency(request.authority)
    form, values, sources, shown = filtered_funding(request)
    rows = {row["status"]: row for row in sources.order_by().values("status").annotate(
        n=Count("pk"), requested=Sum("requested"), approved=Sum("approved"), received=Sum("received"))}
    chosen = values.get("status", "")
    by_status = []
    for value, label in FundingStatus.choices:
        row = rows.get(value, {})
        by_status.append({"value": value, "label": label, "n": row.get("n", 0), "chosen": value == chosen,
                          "href": toggle_href(request, "status", value, value == chosen),
                          "requested": money(row.get("requested")), "approved": money(row.get("approved")),
                          "received": money(row.get("received"))})
    overall = {name: money(sum((row.get(name) or 0 for row in rows.values()), Decimal(0)))
               for name in ("requested", "approved", "received")}
    total_all = sum(row["n"] for row in rows.values())
    total = rows.get(values["status"], {}).get("n", 0) if values.get("status") else total_all
    page = paginate(request, shown.order_by(F("deadline").asc(nulls_last=True), "name", "pk"), total)
    today = timezone.localdate()
    categories = dict(NeedCategory.choices)
    for source in page.object_list:
        _decorate(source, today, categories)
    return render(request, "resources/funding_list.html", {
        "emergency": emergency, "form": form, "filtered": bool(values), "page": page, "total": total,
        "total_all": total_all, "by_status": by_status, "overall": overall, "query": query_without_page(request),
        "soon": sources.filter(status__in=PENDING, deadline__gte=today, deadline__lte=today + SOON).count(),
        "can_change": request.access.can("change"),
    })


def _form_page(request, form, source, emergency):
    return render(request, "resources/funding_form.html", {"form": form, "source": source, "emergency": emergency},
                  status=form_status(form))


def _saved(request, form, text):
    messages.success(request, text)
    for note in form.warnings():
        messages.warning(request, note)


@authority_view(read="change", write="change")
def funding_new(request):
    emergency = current_emergency(request.authority)
    form = FundingForm(request.POST or None, authority=request.authority, emergency=emergency)
    if request.method == "POST" and form.is_valid():
        source = form.save()
        _saved(request, form, _("The source %(name)s is on the register.") % {"name": source.name})
        return redirect(url_for(request, "resources:funding") + f"#funding-{source.pk}")
    return _form_page(request, form, None, emergency)


@authority_view(read="change", write="change")
def funding_edit(request, funding_pk):
    source = get_object_or_404(_funding(request), pk=funding_pk)
    emergency = current_emergency(request.authority)
    form = FundingForm(request.POST or None, instance=source, authority=request.authority, emergency=emergency)
    if request.method == "POST" and form.is_valid():
        form.save()
        _saved(request, form, _("Saved."))
        return redirect(url_for(request, "resources:funding") + f"#funding-{source.pk}")
    return _form_page(request, form, source, emergency)


def export_columns():
    field = FundingSource._meta.get_field
    categories = {value: str(label) for value, label in NeedCategory.choices}
    return [
        tabular.Column("name", field("name").verbose_name, "#org+funder+name"),
        tabular.Column("kind", field("kind").verbose_name, "#org+funder+type", display(field("kind"))),
        tabular.Column("contact", field("contact").verbose_name, "#contact+name"),
        tabular.Column("status", field("status").verbose_name, "#status", display(field("status"))),
        tabular.Column("requested", field("requested").verbose_name, "#value+requested",
                       lambda s: float(s.requested) if s.requested is not None else None),
        tabular.Column("approved", field("approved").verbose_name, "#value+approved",
                       lambda s: float(s.approved) if s.approved is not None else None),
        tabular.Column("received", field("received").verbose_name, "#value+received",
                       lambda s: float(s.received) if s.received is not None else None),
        tabular.Column("currency", gettext_lazy("currency"), "#currency", lambda s: "ILS"),
        tabular.Column("deadline", field("deadline").verbose_name, "#date+deadline"),
        tabular.Column("categories", field("categories").verbose_name, "#sector",
                       lambda s: ", ".join(categories.get(c, c) for c in s.categories or [])),
        tabular.Column("restrictions", field("restrictions").verbose_name, "#description+restrictions"),
        tabular.Column("notes", field("notes").verbose_name, "#description+notes"),
    ]


@authority_view(read="view")
def funding_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404("No such format")
    _form, _values, _sources, shown = filtered_funding(request)
    rows = shown.order_by(F("deadline").asc(nulls_last=True), "name", "pk").iterator(chunk_size=2000)
    return tabular.download(rows, export_columns(), "funding", fmt, rtl=get_language_bidi())
