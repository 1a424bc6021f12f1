"""The people register: staff, partners, volunteers and activists with their skills, languages and
availability in the current emergency. List with filters and counts, quick availability changes in place,
a person's page with allocations and history, the form, import and export.

Also the helpers the other stage-3 registers share (links, filter chips, history, safe "next")."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Count, F, Prefetch, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from hosen.field.forms_sites import ImportForm
from hosen.integrity import versions
from hosen.reports import tabular
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as url_for
from hosen.tenancy.navigation import safe_next, toggle_href
from hosen.workmodel.services import current_emergency

from .forms_registers import (
    SOURCE_LABELS,
    AvailabilityForm,
    PeopleFilter,
    PersonForm,
    PersonImporter,
    json_list_has,
    language_label,
    skills_in_language,
)
from .models import Allocation, Availability, Person, PersonKind

PAGE_SIZE = 50
FORMATS = ("xlsx", "csv")
HISTORY_SHOWN = 60
PERSON_HISTORY_FIELDS = ("name", "kind", "organisation", "role", "languages", "area", "phone", "email",
                         "availability", "availability_note", "is_active", "notes")


# ---- shared by the stage-3 registers ---------------------------------------------------------------


def chips(request, key, choices, counts, chosen):
    return [{"value": str(value), "label": label, "n": counts.get(value, 0), "chosen": str(value) == str(chosen),
             "href": toggle_href(request, key, str(value), str(value) == str(chosen))} for value, label in choices]


def query_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def paginate(request, queryset, total, per_page=PAGE_SIZE):
    paginator = Paginator(queryset, per_page)
    paginator.count = total  # counted already: no second COUNT query
    return paginator.get_page(request.GET.get("page"))


def _shown(field, value, labels):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.name in labels:
        return labels[field.name](value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def record_history(obj, field_names, labels=None, limit=HISTORY_SHOWN):
    """The record's versions, newest first: who, when, and each field that changed (before → after).
    One query however long the history (`labels` turn stored values into words without queries)."""
    labels = labels or {}
    model = type(obj)
    fields = [model._meta.get_field(name) for name in field_names]
    versions = list(obj.history.select_related("history_user").order_by("history_date", "history_id"))
    entries, previous = [], None
    for version in versions:
        changes = []
        if previous is not None:
            for field in fields:
                before, after = getattr(previous, field.attname), getattr(version, field.attname)
                if before != after:
                    changes.append((field.verbose_name, _shown(field, before, labels), _shown(field, after, labels)))
        if previous is None or changes or version.history_type == "-":
            entries.append({"when": version.history_date, "who": version.history_user, "kind": version.history_type,
                            "changes": changes, "reason": version.history_change_reason or ""})
        previous = version
    entries.reverse()
    return entries[:limit]


def arrow():
    """The arrow of "before → after": the browser does not mirror it in right-to-left text."""
    return "←" if get_language_bidi() else "→"


def display(model_field):
    """A column value through the field's choices, translated once per export rather than once per cell."""
    labels = {value: str(label) for value, label in model_field.flatchoices}
    return lambda obj: labels.get(getattr(obj, model_field.attname), getattr(obj, model_field.attname))


def yes_no(value):
    return {True: _("yes"), False: _("no")}.get(value, "")


def import_page(request, importer, template, back):
    """The import page of a register: the form, and on POST the all-or-nothing import."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = importer.run(form.cleaned_data["file"])
        if result.ok:
            messages.success(request, _("Import done: %(created)d added, %(updated)d updated, %(unchanged)d "
                                        "unchanged.") % result.counts)
            return redirect(back)
    return render(request, template, {"form": form, "result": result, "columns": importer.columns},
                  status=200 if result is None or result.ok else 422)


def template_download(importer, fmt, filename):
    if fmt not in FORMATS:
        raise Http404("No such format")
    content, content_type = importer.template(fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}-template.{fmt}"'
    return response


# ---- the people list ---------------------------------------------------------------------------


def _people(request):
    return Person.objects.filter(authority=request.authority)


def availability_now(emergency):
    """The availability in this emergency as an expression: anything set in another emergency is unknown."""
    if emergency is None:
        return Value(Availability.UNKNOWN, output_field=CharField())
    return Case(When(availability_emergency=emergency, then=F("availability")),
                default=Value(Availability.UNKNOWN), output_field=CharField())


def person_areas(authority):
    return list(Person.objects.filter(authority=authority, is_active=True).exclude(area="")
                .order_by("area").values_list("area", flat=True).distinct())


def filtered_people(request, emergency, active=True):
    """(filter form, chosen values, the people that pass, annotated with `now`: availability in this emergency)."""
    form = PeopleFilter(request.GET, authority=request.authority, areas=person_areas(request.authority),
                        emergency=emergency)
    values = form.values()
    people = _people(request).filter(is_active=active).annotate(now=availability_now(emergency))
    if values.get("q"):
        text = values["q"].strip()
        people = people.filter(Q(name__icontains=text) | Q(organisation__icontains=text) | Q(role__icontains=text)
                               | Q(email__icontains=text) | Q(phone__contains=text) | Q(area__icontains=text))
    if values.get("kind"):
        people = people.filter(kind=values["kind"])
    if values.get("skill"):
        people = people.filter(skills=values["skill"])
    if values.get("language"):
        people = people.filter(json_list_has("languages", values["language"]))
    if values.get("area"):
        people = people.filter(area=values["area"])
    if values.get("availability"):
        people = people.filter(now=values["availability"])
    return form, values, people


def with_skills(people):
    return people.prefetch_related(Prefetch("skills", queryset=skills_in_language()))


def availability_words():
    """The availabilities with their labels translated once (not once per card)."""
    return [(value, str(label)) for value, label in Availability.choices]


def decorate(person, emergency, words=None, kinds=None):
    """What a card shows that the row does not hold: availability now, kind, skills and languages in words."""
    if not hasattr(person, "now"):
        person.now = person.availability_in(emergency)
    person.now_label = dict(words or availability_words()).get(person.now, person.now)
    person.kind_label = (kinds or dict(PersonKind.choices)).get(person.kind, person.kind)
    person.skill_names = [skill.tr("name") for skill in person.skills.all()]
    person.language_labels = [language_label(code) for code in person.languages or []]
    person.source_label = SOURCE_LABELS.get(person.source, person.source)
    return person


def _card_context(request, person, emergency, **extra):
    return {"person": decorate(person, emergency), "emergency": emergency,
            "can_change": request.access.can("change") and emergency is not None and person.is_active,
            "availability_choices": availability_words(), "next": extra.pop("next", ""), **extra}


@authority_view(read="view")
def people(request):
    emergency = current_emergency(request.authority)
    archived = request.GET.get("archived") == "1"
    form, values, found = filtered_people(request, emergency, active=not archived)
    by_kind, by_now, total = {}, {}, 0
    for row in found.order_by().values("kind", "now").annotate(n=Count("pk")):
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["n"]
        by_now[row["now"]] = by_now.get(row["now"], 0) + row["n"]
        total += row["n"]
    page = paginate(request, with_skills(found).order_by("name", "pk"), total)
    words, kinds = availability_words(), {value: str(label) for value, label in PersonKind.choices}
    for person in page.object_list:
        decorate(person, emergency, words, kinds)
    return render(request, "resources/people_list.html", {
        "emergency": emergency, "form": form, "filtered": bool(values), "archived": archived,
        "total": total, "page": page, "query": query_without_page(request),
        "by_kind": chips(request, "kind", PersonKind.choices, by_kind, values.get("kind", "")),
        "by_now": chips(request, "availability", Availability.choices, by_now, values.get("availability", "")),
        "available_now": by_now.get(Availability.AVAILABLE, 0) + by_now.get(Availability.PARTLY, 0),
        "can_change": request.access.can("change"), "availability_choices": words,
        "next": request.get_full_path(),
        "archived_count": None if archived else _people(request).filter(is_active=False).count(),
    })


@authority_view(read="view", write="change")
def person_availability(request, person_pk):
    """A quick availability change from a card: htmx gets the card back, a plain form goes back to the list."""
    person = get_object_or_404(_people(request), pk=person_pk)
    emergency = current_emergency(request.authority)
    back = safe_next(request, url_for(request, "resources:people"))
    if request.method != "POST":
        return render(request, "resources/_person_card.html", _card_context(request, person, emergency, next=back))
    form = AvailabilityForm(request.POST)
    error, current = None, None
    if emergency is None:
        error = _("Availability belongs to an emergency, and there is no open emergency now.")
    elif not person.is_active:
        error = _("This person is archived: restore them before changing their availability.")
    elif not form.is_valid():
        error = _("Choose one of the availabilities offered.")
    elif ((current := versions.is_stale(request, person)) is not None
          and current.availability_in(emergency) != form.cleaned_data["availability"]):
        # The card was loaded before someone else's change: show it as it is now, and apply nothing.
        person = get_object_or_404(_people(request), pk=person.pk)
        error = versions.changed_meanwhile(current)
    elif person.availability_in(emergency) != form.cleaned_data["availability"]:
        person.availability = form.cleaned_data["availability"]
        person.availability_emergency = emergency
        person.save(update_fields=["availability", "availability_emergency"])
    if request.htmx:
        return render(request, "resources/_person_card.html",
                      _card_context(request, person, emergency, next=back, saved=error is None, error=error,
                                    compact=request.POST.get("compact") == "1"),
                      status=(409 if current is not None else 422) if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s: %(availability)s.") % {
            "name": person.name, "availability": person.get_availability_display()})
    return redirect(back if "#" in back else f"{back}#person-{person.pk}")


# ---- a person, new and edit --------------------------------------------------------------------


def form_status(form):
    """The status of a register's form page: 409 for a stale save (the conflict view), 422 for a form to
    correct, 200 for a form shown."""
    if not (form.is_bound and form.errors):
        return 200
    return 409 if getattr(form, "conflict", None) else 422


def _form_page(request, form, person, emergency):
    return render(request, "resources/person_form.html", {
        "form": form, "person": person, "emergency": emergency, "areas": person_areas(request.authority),
    }, status=form_status(form))


def _saved_messages(request, form, text):
    messages.success(request, text)
    added = getattr(form, "added_skills", [])
    if added:
        messages.info(request, _("Skills on the list now: %(names)s.") % {
            "names": ", ".join(skill.tr("name") for skill in added)})


@authority_view(read="change", write="change")
def person_new(request):
    emergency = current_emergency(request.authority)
    form = PersonForm(request.POST or None, authority=request.authority, emergency=emergency,
                      initial={"kind": request.GET.get("kind") if request.GET.get("kind") in PersonKind.values
                               else None})
    if request.method == "POST" and form.is_valid():
        person = form.save()
        _saved_messages(request, form, _("%(name)s is on the register.") % {"name": person.name})
        return redirect(url_for(request, "resources:person", person_pk=person.pk))
    return _form_page(request, form, None, emergency)


@authority_view(read="change", write="change")
def person_edit(request, person_pk):
    """Edit a person; the same page archives and restores them (POST with `action`)."""
    person = get_object_or_404(_people(request), pk=person_pk)
    emergency = current_emergency(request.authority)
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("archive", "restore"):
        current = versions.is_stale(request, person)
        if current is not None and current.is_active != (action == "restore"):
            messages.error(request, versions.changed_meanwhile(current))
            return redirect(url_for(request, "resources:person_edit", person_pk=person.pk))
        if person.is_active != (action == "restore"):
            person.is_active = action == "restore"
            person.save(update_fields=["is_active"])
        if person.is_active:
            messages.success(request, _("%(name)s is back on the register.") % {"name": person.name})
        else:
            messages.success(request, _("%(name)s is archived: off the lists and the matching; the history is kept.")
                             % {"name": person.name})
        return redirect(url_for(request, "resources:person", person_pk=person.pk))
    form = PersonForm(request.POST or None, instance=person, authority=request.authority, emergency=emergency)
    if request.method == "POST" and form.is_valid():
        form.save()
        _saved_messages(request, form, _("Saved."))
        return redirect(url_for(request, "resources:person", person_pk=person.pk))
    return _form_page(request, form, person, emergency)


def _language_words(codes):
    return ", ".join(str(language_label(code)) for code in codes or []) or "—"


@authority_view(read="view")
def person_detail(request, person_pk):
    person = get_object_or_404(with_skills(_people(request)).select_related("availability_emergency"), pk=person_pk)
    emergency = current_emergency(request.authority)
    allocations = list(Allocation.objects.filter(person=person).select_related("need", "allocated_by", "released_by")
                       .order_by("-allocated_at")[:100])
    return render(request, "resources/person_detail.html", {
        **_card_context(request, person, emergency, next=request.get_full_path()),
        "allocations": allocations, "arrow": arrow(),
        "history": record_history(person, PERSON_HISTORY_FIELDS, {"languages": _language_words}),
    })


# ---- import and export -------------------------------------------------------------------------


def _importer(request, user=None):
    return PersonImporter(user=user, authority=request.authority, emergency=current_emergency(request.authority))


@authority_view(read="change", write="change")
def people_import(request):
    return import_page(request, _importer(request, request.user), "resources/people_import.html",
                       url_for(request, "resources:people"))


@authority_view(read="view")
def people_template(request, fmt):
    return template_download(_importer(request), fmt, "people")


def export_columns(emergency):
    field = Person._meta.get_field
    now = {value: str(label) for value, label in Availability.choices}
    languages = {}

    def language_words(person):
        return ", ".join(languages.setdefault(code, str(language_label(code))) for code in person.languages or [])

    return [
        tabular.Column("name", field("name").verbose_name, "#contact+name"),
        tabular.Column("kind", field("kind").verbose_name, "#contact+type", display(field("kind"))),
        tabular.Column("organisation", field("organisation").verbose_name, "#org+name"),
        tabular.Column("role", field("role").verbose_name, "#contact+role"),
        tabular.Column("skills", field("skills").verbose_name, "#meta+skills",
                       lambda p: ", ".join(skill.tr("name") for skill in p.skills.all())),
        tabular.Column("languages", field("languages").verbose_name, "#meta+languages", language_words),
        tabular.Column("area", field("area").verbose_name, "#loc+adm3"),
        tabular.Column("phone", field("phone").verbose_name, "#contact+phone"),
        tabular.Column("email", field("email").verbose_name, "#contact+email"),
        tabular.Column("availability", gettext_lazy("availability in this emergency"), "#status+availability",
                       lambda p: now.get(p.now, p.now)),
        tabular.Column("availability_note", field("availability_note").verbose_name, "#status+notes"),
        tabular.Column("notes", field("notes").verbose_name, "#description+notes"),
        tabular.Column("source", field("source").verbose_name, "#meta+source",
                       lambda p: SOURCE_LABELS.get(p.source, p.source)),
        tabular.Column("created_at", field("created_at").verbose_name, "#date+created"),
    ]


@authority_view(read="view")
def people_export(request, fmt):
    """The list's filtered people, as Excel or CSV."""
    if fmt not in FORMATS:
        raise Http404("No such format")
    emergency = current_emergency(request.authority)
    _form, _values, found = filtered_people(request, emergency, active=request.GET.get("archived") != "1")
    rows = with_skills(found).order_by("name", "pk").iterator(chunk_size=2000)
    return tabular.download(rows, export_columns(emergency), "people", fmt, rtl=get_language_bidi())
