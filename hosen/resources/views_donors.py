"""The donors' needs list: the unmet needs of the current emergency grouped by category and totalled, as a
page, an Excel file and a PDF, and behind revocable read-only links for donors without an account.

What donors see — on the shared page and in both downloads, and what the manager's own page shows too, so
that she sees exactly what she shares: for each unmet need its category, who needs it, its description,
quantity, urgency, whether it is emerging, and the area (neighbourhood) of its site. Never: who reported it
or its source, the site's name or its contacts, the people or resources allocated to it. Site names are
left out on purpose: in a war, a list of which school lacks a protected space or hosts evacuees is not for
passing around; the area is enough for a donor. Descriptions are written by the authority's staff and go
out as written, except that phone numbers and e-mail addresses are removed from them (hosen/redaction.py);
the manager's page says so next to the share button.
"""

import io

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

from hosen.field.models import UNMET, URGENT, Need, NeedCategory
from hosen.public import token_form_view
from hosen.redaction import redact
from hosen.reports import tabular
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as _url
from hosen.workmodel.services import current_emergency

from .models import DonorLink

FORMATS = ("xlsx", "pdf", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def donor_list(emergency) -> dict:
    """The list: categories in the register's order, each with its needs (most urgent first) and totals.
    One query."""
    needs = (Need.objects.filter(emergency=emergency, status__in=UNMET).select_related("site")
             .only("category", "audience", "description", "quantity", "urgency", "status", "is_emerging",
                   "created_at", "site__area").order_by("-urgency", "created_at", "pk"))
    groups = {value: {"category": value, "label": label, "needs": [], "count": 0, "urgent": 0, "quantity": 0,
                      "emerging": 0} for value, label in NeedCategory.choices}
    for need in needs:
        group = groups.setdefault(need.category, {"category": need.category, "label": need.category, "needs": [],
                                                  "count": 0, "urgent": 0, "quantity": 0, "emerging": 0})
        group["needs"].append({
            "category": str(group["label"]), "audience": need.get_audience_display(),
            "description": redact(need.description), "quantity": need.quantity, "urgency": need.urgency,
            "urgency_label": need.get_urgency_display(), "urgent": need.urgency in URGENT,
            "emerging": need.is_emerging, "area": need.site.area if need.site_id and need.site else "",
        })
        group["count"] += 1
        group["urgent"] += need.urgency in URGENT
        group["quantity"] += need.quantity or 0
        group["emerging"] += need.is_emerging
    shown = [g for g in groups.values() if g["count"]]
    totals = {key: sum(g[key] for g in shown) for key in ("count", "urgent", "quantity", "emerging")}
    return {"groups": shown, "totals": totals}


def _context(authority, emergency):
    return {"list_authority": authority, "emergency": emergency, "today": timezone.localdate(),
            **donor_list(emergency)}


# ---- downloads -----------------------------------------------------------------------------------


def _text_cells(sheet):
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = TYPE_STRING  # never a formula, whatever the text starts with


def to_xlsx(context) -> bytes:
    workbook = Workbook()
    rtl = get_language_bidi()
    sheet = workbook.active
    sheet.title = str(_("Needs"))[:31]
    sheet.sheet_view.rightToLeft = rtl
    sheet.append([str(_("Donors' needs list"))])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([context["list_authority"].name, context["emergency"].name, context["today"]])
    _text_cells(sheet)
    sheet.append([])
    headers = [_("category"), _("who needs it"), _("description"), _("quantity"), _("urgency"), _("emerging need"),
               _("area")]
    sheet.append([str(h) for h in headers])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    yes, no = str(_("yes")), str(_("no"))
    for group in context["groups"]:
        for need in group["needs"]:
            sheet.append([str(group["label"]), need["audience"], need["description"], need["quantity"],
                          str(need["urgency_label"]), yes if need["emerging"] else no, need["area"]])
            _text_cells(sheet)
    for letter, width in zip("ABCDEFG", (26, 16, 60, 10, 12, 12, 18), strict=True):
        sheet.column_dimensions[letter].width = width

    totals = workbook.create_sheet(str(_("Totals"))[:31])
    totals.sheet_view.rightToLeft = rtl
    totals.append([str(h) for h in (_("category"), _("needs"), _("urgent"), _("total quantity"), _("emerging"))])
    for cell in totals[1]:
        cell.font = Font(bold=True)
    for group in context["groups"]:
        totals.append([str(group["label"]), group["count"], group["urgent"], group["quantity"], group["emerging"]])
        _text_cells(totals)
    t = context["totals"]
    totals.append([str(_("All categories")), t["count"], t["urgent"], t["quantity"], t["emerging"]])
    for cell in totals[totals.max_row]:
        cell.font = Font(bold=True)
    totals.column_dimensions["A"].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class PdfUnavailable(Exception):
    """WeasyPrint cannot run here: its system libraries (Pango) are not installed."""


def to_pdf(context, request=None) -> bytes:
    """The same list printed by WeasyPrint: an HTML page with <html lang dir>, Noto Sans through
    fontconfig, so Hebrew and Arabic run right to left (WeasyPrint applies bidi to HTML text)."""
    try:
        from weasyprint import HTML  # heavy: loaded only when a PDF is asked for
    except OSError as missing:  # the Python package is there, Pango is not (see README)
        raise PdfUnavailable from missing

    html = render_to_string("resources/donors_pdf.html", context, request=request)
    return HTML(string=html).write_pdf()


def csv_columns():
    def col(key, label, hxl):
        return tabular.Column(key, label, hxl, value=lambda row: row[key])

    return [col("category", gettext_lazy("category"), "#sector"), col("audience", gettext_lazy("who needs it"),
                                                                      "#affected"),
            col("description", gettext_lazy("description"), "#description"),
            col("quantity", gettext_lazy("quantity"), "#value"), col("urgency_label", gettext_lazy("urgency"),
                                                                     "#severity"),
            tabular.Column("emerging", gettext_lazy("emerging need"), "#indicator+emerging",
                           value=lambda row: _("yes") if row["emerging"] else _("no")),
            col("area", gettext_lazy("area"), "#loc+area")]


def download(context, fmt, request=None) -> HttpResponse:
    """The list as a file: Excel (a sheet of needs and a sheet of totals), PDF, or CSV (the needs, with HXL
    hashtags as a second header row, like every register's export)."""
    if fmt not in FORMATS:
        raise Http404("Unknown format")
    if fmt == "csv":
        rows = [need for group in context["groups"] for need in group["needs"]]
        response = HttpResponse(tabular.to_csv(rows, csv_columns()), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(to_xlsx(context), content_type=XLSX_TYPE)
    else:
        try:
            response = HttpResponse(to_pdf(context, request), content_type="application/pdf")
        except PdfUnavailable:
            return HttpResponse(_("PDF is not available on this server right now; the Excel download has "
                                        "the same list."), content_type="text/plain; charset=utf-8", status=503)
    response["Content-Disposition"] = f'attachment; filename="donors-needs-{context["today"]:%Y-%m-%d}.{fmt}"'
    return response


# ---- the manager's pages -------------------------------------------------------------------------


class DonorLinkForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("label"), max_length=200, required=False,
                            help_text=gettext_lazy("For you: who the link is for, e.g. the foundation's name."))


def _links(request, emergency):
    if not request.access.can("manage"):
        return []
    links = list(DonorLink.objects.filter(authority=request.authority, emergency=emergency)
                 .select_related("created_by"))
    for link in links:
        if link.revoked_at is None:
            link.url = request.build_absolute_uri(reverse("resources_public:donors",
                                                          kwargs={"donor_token": link.token}))
    return links


def _create_link(request, emergency):
    """(link or None, form)"""
    form = DonorLinkForm(request.POST)
    if emergency is None or not form.is_valid():
        return None, form
    link = DonorLink(authority=request.authority, emergency=emergency, label=form.cleaned_data["label"].strip(),
                     created_by=request.user)
    link._history_user = request.user
    link.save()
    messages.success(request, _("The link is ready: copy it and send it to donors."))
    return link, form


def _page(request, template, emergency, form=None, status=200):
    context = {"emergency": emergency, "can_manage": request.access.can("manage")}
    if emergency is not None:
        context.update(_context(request.authority, emergency))
        context["links"] = _links(request, emergency)
        context["form"] = form or DonorLinkForm()
    return render(request, template, context, status=status)


@authority_view(read="view", write="manage")
def donors(request):
    emergency = current_emergency(request.authority)
    if request.method == "POST":
        link, form = _create_link(request, emergency)
        if link is None:
            return _page(request, "resources/donors_list.html", emergency, form, status=422)
        return redirect(_url(request, "resources:donors") + f"#donor-link-{link.pk}")
    return _page(request, "resources/donors_list.html", emergency)


@authority_view(read="manage", write="manage")
def donor_links(request):
    emergency = current_emergency(request.authority)
    if request.method == "POST":
        link, form = _create_link(request, emergency)
        if link is None:
            return _page(request, "resources/donors_links.html", emergency, form, status=422)
        return redirect(_url(request, "resources:donor_links") + f"#donor-link-{link.pk}")
    return _page(request, "resources/donors_links.html", emergency)


@authority_view(read="manage", write="manage")
def donor_link_revoke(request, donor_link_pk):
    link = get_object_or_404(DonorLink.objects.filter(authority=request.authority), pk=donor_link_pk)
    if request.method == "POST":
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link._history_user = request.user
            link.save(update_fields=["revoked_at"])
            messages.success(request, _("The link is revoked: whoever opens it now sees that it is no longer valid."))
        return redirect(_url(request, "resources:donor_links"))
    return render(request, "resources/donors_link_revoke.html", {"link": link})


@authority_view(read="view")
def donors_download(request, fmt):
    if fmt not in FORMATS:
        raise Http404("Unknown format")
    emergency = current_emergency(request.authority)
    if emergency is None:
        raise Http404("No open emergency")
    return download(_context(request.authority, emergency), fmt, request)


# ---- the shared link -----------------------------------------------------------------------------


def _invalid(request, status):
    return render(request, "field/public_invalid.html", {"gone": status == 410}, status=status)


def _link_or_status(donor_token):
    """(link, None) for a link that works; (None, 404) for no such link; (None, 410) for a revoked link or
    one whose emergency is closed (the list is no longer current)."""
    with scopes_disabled():
        link = DonorLink.objects.select_related("authority", "emergency").filter(token=donor_token).first()
    if link is None:
        return None, 404
    if link.revoked_at is not None or not link.emergency.is_open:
        return None, 410
    return link, None


@token_form_view("donors_public")
def public_donors(request, donor_token):
    link, status = _link_or_status(donor_token)
    if link is None:
        return _invalid(request, status)
    with scope(authority=link.authority):
        context = _context(link.authority, link.emergency)
    return render(request, "resources/donors_public.html", {**context, "authority": link.authority,
                                                            "link": link})


@token_form_view("donors_public")
def public_donors_download(request, donor_token, fmt):
    if fmt not in FORMATS:
        raise Http404("Unknown format")
    link, status = _link_or_status(donor_token)
    if link is None:
        return _invalid(request, status)
    with scope(authority=link.authority):
        context = _context(link.authority, link.emergency)
    return download(context, fmt, request)
