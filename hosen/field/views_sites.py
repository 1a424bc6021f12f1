"""The sites register: the field board, a site and its status, adding and editing sites, import and export.

Every view runs inside the authority's scope (AuthorityMiddleware); statuses follow the current emergency.
"""

import uuid
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hosen.reports import tabular
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as _url
from hosen.workmodel.services import current_emergency

from . import services
from .forms_sites import NO_STATUS, STALE, BoardFilter, ImportForm, SiteForm, SiteImporter, StatusForm
from .models import Site, SiteState, SiteStatus
from .queries import fresh_since, sites_with_status

FORMATS = ("xlsx", "csv")
PER_PAGE = 50
HISTORY_SHOWN = 100


@dataclass
class BoardRow:
    site: Site
    status: SiteStatus | None
    stale: bool


def _board(request, emergency, params):
    """The active sites that pass the filters, each with its latest status: [BoardRow] in three queries."""
    sites = Site.objects.filter(authority=request.authority, is_active=True)
    if params.get("kind"):
        sites = sites.filter(kind=params["kind"])
    if params.get("area"):
        sites = sites.filter(area=params["area"])
    if params.get("q"):
        text = params["q"].strip()
        sites = sites.filter(Q(name__icontains=text) | Q(code__iexact=text) | Q(address__icontains=text))
    since = fresh_since()
    rows = [BoardRow(site, status, status is None or status.reported_at < since)
            for site, status in sites_with_status(sites.order_by("name", "pk"), emergency)]
    wanted = params.get("status")
    if emergency is not None and wanted:
        if wanted == NO_STATUS:
            rows = [r for r in rows if r.status is None]
        elif wanted == STALE:
            rows = [r for r in rows if r.stale]
        else:
            rows = [r for r in rows if r.status is not None and r.status.status == wanted]
    return rows


def _totals(rows):
    statuses = [r.status for r in rows if r.status is not None]
    by_state = Counter(s.status for s in statuses)
    with_space = [r.site for r in rows if r.site.has_protected_space]
    return {
        "sites": len(rows),
        "students": sum(r.site.students or 0 for r in rows),
        "staff": sum(r.site.staff or 0 for r in rows),
        "present": sum(s.present or 0 for s in statuses),
        "evacuated": sum(s.evacuated or 0 for s in statuses),
        "hosted": sum(s.hosted or 0 for s in statuses),
        "by_state": [(value, label, by_state.get(value, 0)) for value, label in SiteState.choices],
        "no_status": len(rows) - len(statuses),
        "stale": sum(1 for r in rows if r.stale),
        "protected_spaces": len(with_space),
        "protected_capacity": sum(s.protected_capacity or 0 for s in with_space),
    }


def _areas(authority):
    return list(Site.objects.filter(authority=authority, is_active=True).exclude(area="")
                .order_by("area").values_list("area", flat=True).distinct())


def _filtered(request, emergency):
    form = BoardFilter(request.GET, areas=_areas(request.authority), with_status=emergency is not None)
    params = form.values()
    return form, params, _board(request, emergency, params)


@authority_view(read="view")
def site_board(request):
    """The field board: every active site with its latest status in the current emergency."""
    emergency = current_emergency(request.authority)
    if request.GET.get("archived"):
        archived = Site.objects.filter(authority=request.authority, is_active=False).order_by("name")
        return render(request, "field/site_archived.html", {"sites": archived, "emergency": emergency})
    form, params, rows = _filtered(request, emergency)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in params.items() if v})
    totals = _totals(rows)
    # Each status with its count is also a link to the board filtered by it (other filters kept).
    base = {k: v for k, v in params.items() if v and k != "status"}
    chips = [(value, label, count, "?" + urlencode(base | {"status": value}))
             for value, label, count in totals["by_state"]]
    chips.append((NO_STATUS, _("No status yet"), totals["no_status"], "?" + urlencode(base | {"status": NO_STATUS})))
    return render(request, "field/site_board.html", {
        "emergency": emergency,
        "form": form,
        "filtered": any(params.values()),
        "page": page,
        "totals": totals,
        "chips": chips,
        "query": query,
        "current_status": params.get("status", ""),
        "archived_count": Site.objects.filter(authority=request.authority, is_active=False).count(),
    })


def _history(site, emergency):
    if emergency is None:
        return []
    return list(SiteStatus.objects.filter(site=site, emergency=emergency)
                .select_related("reported_by", "via_link").order_by("-reported_at", "-pk")[:HISTORY_SHOWN])


def _status_context(request, site, emergency, form=None, saved=False):
    history = _history(site, emergency)
    latest = history[0] if history else None
    can_report = emergency is not None and site.is_active and request.access.can("change")
    if can_report and form is None:
        # A fresh key per form shown: the same form sent twice (a double tap, a resend) is stored once.
        form = StatusForm(initial=StatusForm.initial_from(latest) | {"submission": uuid.uuid4()})
    return {
        "site": site, "emergency": emergency, "history": history, "latest": latest,
        "stale": latest is None or latest.reported_at < fresh_since(),
        "form": form if can_report else None, "saved": saved,
    }


@authority_view(read="view", write="change")
def site_detail(request, site_pk):
    """A site, its status history in this emergency, and the one-screen status update."""
    site = get_object_or_404(Site.objects.filter(authority=request.authority), pk=site_pk)
    emergency = current_emergency(request.authority)
    if request.method == "POST":
        form = StatusForm(request.POST)
        problem = None
        if emergency is None:
            problem = _("A status can only be reported during an open emergency.")
        elif not site.is_active:
            problem = _("This site is archived: restore it before reporting its status.")
        if problem is None and form.is_valid():
            services.record_status(site, emergency, user=request.user,
                                   submission=form.cleaned_data["submission"], **form.report_fields())
            if not request.htmx:
                messages.success(request, _("The status of %(site)s is updated.") % {"site": site.name})
                return redirect(_url(request, "field:site", site_pk=site.pk))
            return render(request, "field/_site_status.html", _status_context(request, site, emergency, saved=True))
        if problem:
            form.add_error(None, problem)
        context = _status_context(request, site, emergency, form=form)
        if request.htmx:
            return render(request, "field/_site_status.html", context, status=422)
        messages.error(request, _("The status was not saved: please correct what is marked."))
        return render(request, "field/site_detail.html", context, status=422)
    return render(request, "field/site_detail.html", _status_context(request, site, emergency))


@authority_view(read="change", write="change")
def site_new(request):
    form = SiteForm(request.POST if request.method == "POST" else None, authority=request.authority)
    if request.method == "POST" and form.is_valid():
        site = form.save()
        messages.success(request, _("The site %(site)s is added.") % {"site": site.name})
        return redirect(_url(request, "field:site", site_pk=site.pk))
    return render(request, "field/site_form.html", {"form": form, "site": None, "areas": _areas(request.authority)},
                  status=422 if form.errors else 200)


@authority_view(read="change", write="change")
def site_edit(request, site_pk):
    """Edit a site; the same page archives and restores it (POST with `action`)."""
    site = get_object_or_404(Site.objects.filter(authority=request.authority), pk=site_pk)
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("archive", "restore"):
        site.is_active = action == "restore"
        site.save(update_fields=["is_active"])
        if site.is_active:
            messages.success(request, _("%(site)s is back on the board.") % {"site": site.name})
        else:
            messages.success(request, _("%(site)s is archived: it is off the board and its history is kept.")
                             % {"site": site.name})
        return redirect(_url(request, "field:site", site_pk=site.pk))
    form = SiteForm(request.POST if request.method == "POST" else None, instance=site, authority=request.authority)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(_url(request, "field:site", site_pk=site.pk))
    return render(request, "field/site_form.html", {"form": form, "site": site, "areas": _areas(request.authority)},
                  status=(409 if form.conflict else 422) if form.errors else 200)


# ---- import and export -------------------------------------------------------------------------


@authority_view(read="change", write="change")
def site_import(request):
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    importer = SiteImporter(user=request.user, authority=request.authority)
    result = None
    if request.method == "POST" and form.is_valid():
        result = importer.run(form.cleaned_data["file"])
        if result.ok:
            messages.success(request, _("Import done: %(created)d sites added, %(updated)d updated, "
                                        "%(unchanged)d unchanged.") % result.counts)
            return redirect(_url(request, "field:sites"))
    return render(request, "field/site_import.html", {
        "form": form, "result": result, "columns": importer.columns,
    }, status=422 if request.method == "POST" else 200)


@authority_view(read="view")
def site_template(request, fmt):
    if fmt not in FORMATS:
        raise Http404("No such format")
    content, content_type = SiteImporter(authority=request.authority).template(fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="sites-template.{fmt}"'
    return response


def _status_value(attr):
    def get(row):
        status = row.status
        return None if status is None else getattr(status, attr)
    return get


def _yes_no(value):
    return {True: _("yes"), False: _("no")}.get(value, "")


def _reporter(status):
    if status is None:
        return ""
    if status.reported_by_id:
        return status.reported_by.display_name
    return status.reporter_name or _("quick-report link")


EXPORT_COLUMNS = [
    tabular.Column("name", gettext_lazy("name"), "#loc+name", lambda r: r.site.name),
    tabular.Column("code", gettext_lazy("institution code"), "#loc+code", lambda r: r.site.code),
    tabular.Column("kind", gettext_lazy("kind"), "#org+type", lambda r: r.site.get_kind_display()),
    tabular.Column("area", gettext_lazy("area"), "#loc+adm3", lambda r: r.site.area),
    tabular.Column("address", gettext_lazy("address"), "#loc+address", lambda r: r.site.address),
    tabular.Column("students", gettext_lazy("students"), "#affected+students", lambda r: r.site.students),
    tabular.Column("staff", gettext_lazy("staff"), "#affected+staff", lambda r: r.site.staff),
    tabular.Column("has_protected_space", gettext_lazy("has a protected space"), "#loc+shelter",
                   lambda r: _yes_no(r.site.has_protected_space)),
    tabular.Column("protected_capacity", gettext_lazy("protected space capacity"), "#capacity+shelter",
                   lambda r: r.site.protected_capacity),
    tabular.Column("status", gettext_lazy("status"), "#status",
                   lambda r: r.status.get_status_display() if r.status else ""),
    tabular.Column("present", gettext_lazy("present"), "#affected+present", _status_value("present")),
    tabular.Column("evacuated", gettext_lazy("evacuated"), "#affected+evacuated", _status_value("evacuated")),
    tabular.Column("hosted", gettext_lazy("evacuees hosted"), "#affected+hosted", _status_value("hosted")),
    tabular.Column("protected_space_available", gettext_lazy("protected space available"), "#status+shelter",
                   lambda r: _yes_no(r.status.protected_space_available) if r.status else ""),
    tabular.Column("note", gettext_lazy("note"), "#description+notes", _status_value("note")),
    tabular.Column("reported_at", gettext_lazy("updated at"), "#date+updated", _status_value("reported_at")),
    tabular.Column("reported_by", gettext_lazy("reported by"), "#contact+name", lambda r: _reporter(r.status)),
    tabular.Column("stale", gettext_lazy("stale"), "#status+stale", lambda r: _yes_no(r.stale)),
]


@authority_view(read="view")
def site_export(request, fmt):
    """The board's filtered sites with their current status, as Excel or CSV."""
    if fmt not in FORMATS:
        raise Http404("No such format")
    emergency = current_emergency(request.authority)
    _form, _params, rows = _filtered(request, emergency)
    return tabular.download(rows, EXPORT_COLUMNS, "sites", fmt, rtl=translation.get_language_bidi())
