"""The accompanying axis: partners and decision makers, their contacts and contact log, the reminders to
call, and the ecosystem's achievements to keep.

An authority has tens to a few hundred partners, so the list loads them all in one query (each with its
last contact) and filters and counts them in Python; that keeps the reminder rule in one pure function.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from hosen.integrity import versions
from hosen.reports import tabular
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as _url
from hosen.workmodel.services import current_emergency

from .forms import (
    AchievementForm,
    AchievementStatusForm,
    ContactForm,
    ContactLogForm,
    PartnerFilterForm,
    PartnerForm,
)
from .models import Achievement, AchievementKind, Contact, ContactLog, Partner, PartnerKind
from .queries import due_first, mark, partners_due, with_last_contact

PAGE_SIZE = 50
LOG_SHOWN = 50
REMINDERS_ON_LIST = 5
FORMATS = {"xlsx", "csv"}


def _partners(request):
    return Partner.objects.filter(authority=request.authority)


def _partner(request, partner_pk, *related):
    return get_object_or_404(_partners(request).select_related(*related) if related else _partners(request),
                             pk=partner_pk)


# ---- the list --------------------------------------------------------------------------------


def _apply(rows, values, emergency):
    if "q" in values and values["q"].strip():
        text = values["q"].strip().casefold()
        rows = [p for p in rows if text in p.name.casefold() or text in p.notes.casefold()]
    if "kind" in values:
        rows = [p for p in rows if p.kind == values["kind"]]
    if values.get("key"):
        rows = [p for p in rows if p.is_key]
    if values.get("decision"):
        rows = [p for p in rows if p.is_decision_maker]
    if values.get("new"):
        rows = [p for p in rows if emergency is not None and p.born_in_id == emergency.pk]
    if values.get("overdue"):
        rows = [p for p in rows if p.due]
    return rows


def _toggle(request, key, chosen):
    params = request.GET.copy()
    params.pop("page", None)
    if chosen:
        params.pop(key, None)
    else:
        params[key] = "1"
    return "?" + params.urlencode() if params else "?"


@authority_view(read="view")
def partner_list(request):
    emergency = current_emergency(request.authority)
    now = timezone.now()
    filters = PartnerFilterForm(request.GET)
    values = filters.values()
    everyone = with_last_contact(_partners(request))
    if not values.get("inactive"):
        everyone = everyone.filter(is_active=True)
    everyone = mark(list(everyone.order_by("name", "pk")), now)
    rows = _apply(everyone, values, emergency)
    due = due_first([p for p in everyone if p.due])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    prefetch_related_objects(list({p.pk: p for p in shown + due[:REMINDERS_ON_LIST]}.values()), "contacts")
    counts = {
        "key": sum(p.is_key for p in everyone),
        "decision": sum(p.is_decision_maker for p in everyone),
        "new": sum(1 for p in everyone if emergency is not None and p.born_in_id == emergency.pk),
        "overdue": len(due),
    }
    toggles = [
        {"key": key, "label": label, "n": counts[key], "chosen": bool(values.get(key)),
         "href": _toggle(request, key, bool(values.get(key)))}
        for key, label in [("overdue", _("Contact overdue")), ("decision", _("Decision makers")),
                           ("key", _("Key partners")), ("new", _("New collaborations"))]
        if key != "new" or emergency is not None
    ]
    return render(request, "partners/partner_list.html", {
        "emergency": emergency,
        "filters": filters,
        "filtered": filters.active,
        "toggles": toggles,
        "page": page,
        "rows": shown,
        "total": len(everyone),
        "due": due[:REMINDERS_ON_LIST],
        "due_count": len(due),
        "kinds": PartnerKind.choices,
        "can_change": request.access.can("change"),
    })


@authority_view(read="view")
def reminders(request):
    """Call these today: the key partners and decision makers whose reminder is on, with their phones."""
    due = partners_due(request.authority, timezone.now())
    prefetch_related_objects(due, "contacts")
    return render(request, "partners/reminders.html", {
        "due": due, "emergency": current_emergency(request.authority)})


# ---- a partner -------------------------------------------------------------------------------


def _log_context(request, partner, emergency, form=None, added=None):
    logs = list(ContactLog.objects.filter(partner=partner).select_related("contact", "created_by")[:LOG_SHOWN + 1])
    can_change = request.access.can("change")
    return {
        "partner": partner,
        "emergency": emergency,
        "logs": logs[:LOG_SHOWN],
        "more_logs": len(logs) > LOG_SHOWN,
        "log_form": (form or ContactLogForm(partner=partner)) if can_change else None,
        "added": added,
        "can_change": can_change,
    }


@authority_view(read="view", write="change")
def partner_detail(request, partner_pk):
    partner = get_object_or_404(
        with_last_contact(_partners(request)).select_related("born_in")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("name", "pk"))),
        pk=partner_pk,
    )
    now = timezone.now()
    mark([partner], now)
    emergency = current_emergency(request.authority)
    if request.method == "POST":
        form = ContactLogForm(request.POST, partner=partner, now=now)
        if form.is_valid():
            log = form.save(commit=False)
            log.authority = request.authority
            log.partner = partner
            log.emergency = emergency
            log.created_by = request.user
            log.save()
            if not request.htmx:
                messages.success(request, _("The contact is in the log."))
                return redirect(_url(request, "partners:detail", partner_pk=partner.pk) + "#contact-log")
            partner.last_contact_at = max(filter(None, [partner.last_contact_at, log.happened_at]))
            mark([partner], now)
            context = _log_context(request, partner, emergency, added=log.pk)
            context["oob_last"] = True
            return render(request, "partners/_contact_log.html", context)
        if request.htmx:
            context = _log_context(request, partner, emergency, form)
            return render(request, "partners/_contact_log.html", context, status=422)
        messages.error(request, _("Nothing was added: please correct the marked fields."))
        context = _log_context(request, partner, emergency, form)
        return render(request, "partners/partner_detail.html", context, status=422)
    return render(request, "partners/partner_detail.html", _log_context(request, partner, emergency))


@authority_view(read="change", write="change")
def partner_new(request):
    emergency = current_emergency(request.authority)
    form = PartnerForm(request.POST or None, authority=request.authority, emergency=emergency)
    if request.method == "POST" and form.is_valid():
        partner = form.save(commit=False)
        partner.authority = request.authority
        partner.save()
        messages.success(request, _("The partner is on the register. Add the people you talk to there."))
        return redirect(_url(request, "partners:detail", partner_pk=partner.pk))
    return render(request, "partners/partner_form.html", {"form": form, "emergency": emergency},
                  status=422 if form.errors else 200)


@authority_view(read="change", write="change")
def partner_edit(request, partner_pk):
    partner = _partner(request, partner_pk)
    emergency = current_emergency(request.authority)
    form = PartnerForm(request.POST or None, instance=partner, authority=request.authority, emergency=emergency)
    if request.method == "POST" and form.is_valid():
        partner = form.save(commit=False)
        partner._history_user = request.user
        partner.save()
        messages.success(request, _("The partner is updated."))
        return redirect(_url(request, "partners:detail", partner_pk=partner.pk))
    return render(request, "partners/partner_form.html", {"form": form, "partner": partner, "emergency": emergency},
                  status=(409 if form.conflict else 422) if form.errors else 200)


@authority_view(read="change", write="change")
def contact_new(request, partner_pk):
    partner = _partner(request, partner_pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.authority = request.authority
        contact.partner = partner
        contact.save()
        messages.success(request, _("%(name)s is added to %(partner)s.") % {"name": contact.name,
                                                                           "partner": partner.name})
        return redirect(_url(request, "partners:detail", partner_pk=partner.pk))
    return render(request, "partners/contact_form.html", {"form": form, "partner": partner},
                  status=422 if form.errors else 200)


# ---- export ----------------------------------------------------------------------------------


def _yes_no(value):
    return _("yes") if value else _("no")


def export_columns(emergency):
    field = Partner._meta.get_field
    return [
        tabular.Column("pk", gettext_lazy("number"), "#meta+id"),
        tabular.Column("name", field("name").verbose_name, "#org+name"),
        tabular.Column("kind", field("kind").verbose_name, "#org+type"),
        tabular.Column("is_key", field("is_key").verbose_name, "#indicator+key", value=lambda p: _yes_no(p.is_key)),
        tabular.Column("is_decision_maker", field("is_decision_maker").verbose_name, "#indicator+decision",
                       value=lambda p: _yes_no(p.is_decision_maker)),
        tabular.Column("born_in", gettext_lazy("new collaboration"), "#indicator+new",
                       value=lambda p: _yes_no(emergency is not None and p.born_in_id == emergency.pk)),
        tabular.Column("since", field("since").verbose_name, "#date+start"),
        tabular.Column("is_active", field("is_active").verbose_name, "#status",
                       value=lambda p: _yes_no(p.is_active)),
        tabular.Column("last_contact_at", gettext_lazy("last contact"), "#date+contact"),
        tabular.Column("due", gettext_lazy("contact overdue"), "#indicator+overdue", value=lambda p: _yes_no(p.due)),
        tabular.Column("contacts", gettext_lazy("contacts"), "#contact+name",
                       value=lambda p: "; ".join(", ".join(filter(None, [c.name, c.role, c.phone, c.email]))
                                                 for c in p.contacts.all())),
        tabular.Column("notes", field("notes").verbose_name, "#description"),
    ]


@authority_view(read="view")
def partner_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404("Unknown format")
    emergency = current_emergency(request.authority)
    partners = mark(list(with_last_contact(_partners(request)).prefetch_related("contacts").order_by("name", "pk")),
                    timezone.now())
    return tabular.download(partners, export_columns(emergency), "partners", fmt, rtl=get_language_bidi())


# ---- achievements ----------------------------------------------------------------------------


def _achievement_groups(request):
    items = list(Achievement.objects.filter(authority=request.authority).select_related("updated_by"))
    return [{"kind": value, "label": label, "items": [a for a in items if a.kind == value]}
            for value, label in AchievementKind.choices]


@authority_view(read="view", write="change")
def achievements(request):
    form = AchievementForm(request.POST or None) if request.access.can("change") else None
    added = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            achievement = form.save(commit=False)
            achievement.authority = request.authority
            achievement.updated_by = request.user
            achievement.save()
            if not request.htmx:
                messages.success(request, _("Added."))
                return redirect(_url(request, "partners:achievements") + f"#achievement-{achievement.pk}")
            added, form = achievement.pk, AchievementForm(initial={"kind": achievement.kind})
        else:
            status = 422
    context = {"groups": _achievement_groups(request), "form": form, "added": added,
               "can_change": request.access.can("change")}
    if request.htmx and request.method == "POST":
        return render(request, "partners/_achievements.html", context, status=status)
    return render(request, "partners/achievements.html", context, status=status)


@authority_view(read="view", write="change")
def achievement_status(request, achievement_pk):
    achievement = get_object_or_404(Achievement.objects.filter(authority=request.authority)
                                    .select_related("updated_by"), pk=achievement_pk)
    error, changed, current = None, False, None
    if request.method == "POST":
        form = AchievementStatusForm(request.POST, achievement=achievement)
        if not form.is_valid():
            error = _("Choose one of the statuses offered.")
        elif (current := versions.is_stale(request, achievement)) is not None:
            # The page showed an older state: apply nothing, show it as it is now.
            achievement = get_object_or_404(Achievement.objects.filter(authority=request.authority)
                                            .select_related("updated_by"), pk=achievement.pk)
            if achievement.status == form.cleaned_data["status"]:
                changed, current = True, None  # already what was asked
            else:
                error = versions.changed_meanwhile(current)
        else:
            achievement.status = form.cleaned_data["status"]
            achievement.updated_at = timezone.now()
            achievement.updated_by = request.user
            achievement._history_user = request.user
            achievement.save(update_fields=["status", "updated_at", "updated_by"])
            changed = True
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect(_url(request, "partners:achievements") + f"#achievement-{achievement.pk}")
    return render(request, "partners/_achievement.html", {
        "achievement": achievement, "can_change": request.access.can("change"), "changed": changed, "error": error,
    }, status=(409 if current is not None else 422) if error else 200)

