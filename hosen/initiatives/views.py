"""The design-thinking board and its initiatives: the six phase columns of the current emergency, moves one
phase at a time (kept in the initiative's journey), notes per phase answering the guiding questions, links
to the needs, people, facilities and KPIs, and at SHARE the practice write-up and its printable page."""

from collections import defaultdict

from django.contrib import messages
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _

from hosen.field.models import Need, NeedCategory, NeedStatus
from hosen.integrity import versions
from hosen.plan import kpis as plan_kpis
from hosen.plan.models import Kpi, Measurement
from hosen.resources.models import Facility, Person, PersonKind
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as _url
from hosen.workmodel.models import DesignPhase, Stage
from hosen.workmodel.services import current_emergency

from . import services
from .forms import InitiativeForm, LinkForm, MoveForm, NoteForm, PracticeForm
from .models import PHASES, Initiative, PhaseKey, Practice


def _data(request):
    """The posted data, or None for a GET: an empty POST is still a bound form that shows its errors."""
    return request.POST if request.method == "POST" else None


def _initiatives(request):
    return Initiative.objects.filter(authority=request.authority)


def _initiative(request, initiative_pk, *related):
    rows = _initiatives(request)
    return get_object_or_404(rows.select_related(*related) if related else rows, pk=initiative_pk)


def _arrows():
    """(forward, back): the next phase lies to the left in right-to-left languages."""
    return ("←", "→") if get_language_bidi() else ("→", "←")


def _phase_list(names, keys):
    return ", ".join(names[key][0] for key in keys)


def _move_message(result, names):
    """(level, text) telling what a move did, or why it did not."""
    if result.refused == services.STALE:
        return "info", _("It was already in %(phase)s: nothing moved.") % {"phase": names[result.from_phase][0]}
    if result.refused == services.AT_END:
        if result.from_phase == PHASES[0]:
            return "error", _("It is already in the first phase.")
        return "error", _("It is already in the last phase.")
    if result.missing_notes:
        return "warning", _("Moved to %(phase)s. These phases have no notes yet: %(missing)s — the practice "
                            "write-up will have less to draw from.") % {
            "phase": names[result.to_phase][0], "missing": _phase_list(names, result.missing_notes)}
    return "success", _("Moved to %(phase)s.") % {"phase": names[result.to_phase][0]}


def _target(phase, direction):
    """The phase a move from `phase` in `direction` goes to (None beyond either end)."""
    index = PHASES.index(phase) + (1 if direction == services.NEXT else -1)
    return PHASES[index] if 0 <= index < len(PHASES) else None


def _checked_move(request, initiative, direction, expected):
    """Move one phase as the page asked: (level, text, stale). A page loaded before someone changed the
    initiative moves nothing — unless the initiative is already where the tap asked it to go."""
    current = versions.is_stale(request, initiative)
    if current is not None:
        if expected and current.phase == _target(expected, direction):
            names = services.phase_names()
            return "info", _("It was already in %(phase)s: nothing moved.") % {"phase": names[current.phase][0]}, False
        return "error", versions.changed_meanwhile(current), True
    result = services.move(initiative, direction, request.user, expected or None)
    level, text = _move_message(result, services.phase_names())
    return level, text, False


# ---- the board ---------------------------------------------------------------------------------


def _board_context(request, emergency, flash=None):
    """The six columns and their cards. A card's words are put together here rather than in the template: a board
    can hold dozens of cards, and per-card template tags (plurals, URLs) were most of the page's time."""
    names = services.phase_names()
    rows = services.with_card_facts(_initiatives(request).filter(emergency=emergency)).order_by("-active_at", "-pk")
    board_url = _url(request, "initiatives:board")
    by_phase = defaultdict(list)
    for initiative in rows:
        initiative.url = f"{board_url}{initiative.pk}/"  # initiatives:detail
        initiative.counts = [
            ngettext("%(n)d need", "%(n)d needs", initiative.n_needs) % {"n": initiative.n_needs},
            ngettext("%(n)d person", "%(n)d people", initiative.n_people) % {"n": initiative.n_people},
            ngettext("%(n)d KPI", "%(n)d KPIs", initiative.n_kpis) % {"n": initiative.n_kpis},
        ]
        if initiative.next_phase:
            initiative.next_name = names[initiative.next_phase][0]
            initiative.next_label = _("Move on to %(name)s") % {"name": initiative.next_name}
        if initiative.previous_phase:
            initiative.previous_name = names[initiative.previous_phase][0]
            initiative.previous_label = _("Back to %(name)s") % {"name": initiative.previous_name}
        initiative.last_note_phase_name = names[initiative.last_note_phase][0] if initiative.last_note_phase else ""
        by_phase[initiative.phase].append(initiative)
    columns = [{"key": key, "number": number, "name": names[key][0], "meaning": names[key][1],
                "cards": by_phase[key]} for number, key in enumerate(PHASES, start=1)]
    forward, back = _arrows()
    return {
        "emergency": emergency, "columns": columns, "total": sum(len(c["cards"]) for c in columns),
        "flash": flash or {}, "can_change": request.access.can("change"), "forward": forward, "back": back,
        "board_url": board_url,
    }


@authority_view(read="view", write="change")
def board(request):
    """GET: the board. POST: move one initiative a phase forward or back (htmx swaps the board in place and
    the moved card takes the focus, which scrolls its new column into view; a plain form comes back here)."""
    emergency = current_emergency(request.authority)
    flash, status = None, 200
    if request.method == "POST":
        form = MoveForm(request.POST)
        stale = False
        if not form.is_valid():
            level, text, initiative_pk = "error", _("That move is not possible: choose next or previous."), None
        else:
            initiative = _initiative(request, form.cleaned_data["initiative"])
            level, text, stale = _checked_move(request, initiative, form.cleaned_data["direction"],
                                               form.cleaned_data["expected"])
            initiative_pk = initiative.pk
        if not request.htmx:
            messages.add_message(request, getattr(messages, level.upper()), text)
            return redirect(_url(request, "initiatives:board") + (f"#initiative-{initiative_pk}" if initiative_pk
                                                                   else ""))
        flash = {"pk": initiative_pk, "level": level, "text": text}
        status = (409 if stale else 422) if level == "error" else 200
    context = _board_context(request, emergency, flash)
    template = "initiatives/_board.html" if request.htmx and request.method == "POST" else "initiatives/board.html"
    return render(request, template, context, status=status)


# ---- new and edit --------------------------------------------------------------------------------


def _need_from(request, value):
    if not value or not str(value).isdigit():
        return None
    return Need.objects.filter(authority=request.authority, pk=value).first()


@authority_view(read="change", write="change")
def initiative_new(request):
    emergency = current_emergency(request.authority)
    need_value = request.POST.get("need") if request.method == "POST" else request.GET.get("need")
    need = _need_from(request, need_value) if request.method == "GET" else None
    form = InitiativeForm(_data(request), authority=request.authority, with_need=bool(need_value),
                          initial={"need": need.pk} if need else None)
    if request.method == "POST" and form.is_valid():
        initiative = form.save(commit=False)
        initiative.authority = request.authority
        initiative.emergency = emergency
        initiative.created_by = request.user
        initiative.save()
        need = form.cleaned_data.get("need")
        if need is not None:
            services.link(initiative, "need", need, request.user)
        messages.success(request, _("The initiative is on the board, in %(phase)s.") % {
            "phase": services.phase_names()[initiative.phase][0]})
        return redirect(_url(request, "initiatives:detail", initiative_pk=initiative.pk))
    if request.method == "POST" and "need" in form.cleaned_data:
        need = form.cleaned_data["need"]
    return render(request, "initiatives/initiative_form.html", {"form": form, "emergency": emergency, "need": need},
                  status=422 if form.errors else 200)


@authority_view(read="change", write="change")
def initiative_edit(request, initiative_pk):
    initiative = _initiative(request, initiative_pk)
    form = InitiativeForm(_data(request), instance=initiative, authority=request.authority)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The initiative is updated."))
        return redirect(_url(request, "initiatives:detail", initiative_pk=initiative.pk))
    return render(request, "initiatives/initiative_form.html", {"form": form, "initiative": initiative},
                  status=(409 if form.conflict else 422) if form.errors else 200)


# ---- one initiative ----------------------------------------------------------------------------


def _steps(initiative, notes):
    """The six phases with their names, meanings, guiding questions and this initiative's notes. Two queries
    (the phases and their questions); the built-in labels stand in when the model's content is missing."""
    content = {p.key: p for p in DesignPhase.objects.filter(key__in=PHASES).prefetch_related("questions")}
    labels = dict(PhaseKey.choices)
    by_phase = defaultdict(list)
    for note in notes:
        by_phase[note.phase].append(note)
    current = initiative.phase_index
    steps = []
    for index, key in enumerate(PHASES):
        phase = content.get(key)
        steps.append({
            "key": key, "number": index + 1,
            "name": phase.tr("name") if phase else str(labels[key]),
            "meaning": phase.tr("meaning") if phase else "",
            "questions": [q.tr("text") for q in phase.questions.all()] if phase else [],
            "notes": by_phase[key],
            "state": "done" if index < current else ("current" if index == current else "todo"),
        })
    return steps


def _latest_value():
    return Subquery(Measurement.objects.filter(kpi=OuterRef("pk"))
                    .order_by("-measured_for", "-measured_at", "-pk").values("value")[:1])


def _linked(request, initiative):
    """What the initiative is linked to: four queries, one per register."""
    kpis = list(initiative.kpis.select_related("template").annotate(latest_value=_latest_value()))
    for kpi in kpis:
        kpi.latest_text = plan_kpis.format_value(kpi.latest_value, kpi.unit)
        kpi.target_text = plan_kpis.target_text(kpi)
    return {
        "need": list(initiative.needs.only("pk", "category", "description", "status", "urgency", "is_emerging")),
        "person": list(initiative.people.only("pk", "name", "kind", "role")),
        "facility": list(initiative.facilities.only("pk", "name", "kind", "is_protected", "capacity")),
        "kpi": kpis,
    }


def _offered(request, initiative):
    """The querysets a link may choose from: only this authority's records, and among them the needs of the
    initiative's emergency, the active people and facilities, and the KPIs of its emergency's set or routine."""
    authority = request.authority
    needs = (Need.objects.filter(authority=authority, emergency_id=initiative.emergency_id)
             if initiative.emergency_id else Need.objects.none())
    return {
        "need": needs.only("pk", "category", "description", "status", "urgency"),
        "person": Person.objects.filter(authority=authority, is_active=True).only("pk", "name", "kind"),
        "facility": Facility.objects.filter(authority=authority, is_active=True).only("pk", "name", "is_protected"),
        "kpi": Kpi.objects.filter(Q(emergency_id=initiative.emergency_id) | Q(emergency__isnull=True),
                                  authority=authority, is_active=True).select_related("template"),
    }


def _option_labels():
    """How each register's record reads in the link form's list. The choice labels are translated once per page,
    not once per row: a list can hold a few hundred needs and people."""
    category = {value: str(label) for value, label in NeedCategory.choices}
    status = {value: str(label) for value, label in NeedStatus.choices}
    kind = {value: str(label) for value, label in PersonKind.choices}
    protected = _("protected space")
    return {
        "need": lambda n: f"{category.get(n.category, n.category)} · {Truncator(n.description).chars(60)} "
                          f"({status.get(n.status, n.status)})",
        "person": lambda p: f"{p.name} · {kind.get(p.kind, p.kind)}",
        "facility": lambda f: f"{f.name} · {protected}" if f.is_protected else f.name,
        "kpi": lambda k: k.title,
    }


def _links_context(request, initiative, errors=None, done=None):
    linked = _linked(request, initiative)
    offered = _offered(request, initiative)
    labels = _option_labels()
    blocks = []
    titles = {"need": _("Needs it answers"), "person": _("People"), "facility": _("Facilities"),
              "kpi": _("KPIs that judge it")}
    for kind in ("need", "person", "facility", "kpi"):
        taken = {row.pk for row in linked[kind]}
        blocks.append({
            "kind": kind, "title": titles[kind], "linked": linked[kind],
            "options": [(row.pk, labels[kind](row)) for row in offered[kind] if row.pk not in taken],
            "error": (errors or {}).get(kind), "done": (done or {}).get(kind),
        })
    return {"initiative": initiative, "blocks": blocks, "linked": linked,
            "can_change": request.access.can("change")}


def _detail_context(request, initiative, note_form=None, links=None):
    notes = list(initiative.notes.select_related("created_by"))
    steps = _steps(initiative, notes)
    names = {step["key"]: (step["name"], step["meaning"]) for step in steps}
    missing = services.phases_without_notes(initiative, noted={note.phase for note in notes})
    try:
        practice = initiative.practice
    except Practice.DoesNotExist:
        practice = None
    forward, back = _arrows()
    moves = list(initiative.moves.select_related("moved_by")[:50])
    for m in moves:
        m.from_name, m.to_name = names[m.from_phase][0], names[m.to_phase][0]
    current = steps[initiative.phase_index]
    return {
        "initiative": initiative,
        "steps": steps,
        "current": current,
        "earlier": [s for s in steps if s["state"] != "current" and s["notes"]],
        "note_form": note_form or NoteForm(),
        "next_name": names[initiative.next_phase][0] if initiative.next_phase else "",
        "previous_name": names[initiative.previous_phase][0] if initiative.previous_phase else "",
        # Moving on to SHARE is allowed without notes in every earlier phase, but the button says what is missing.
        "missing_before_share": _phase_list(names, missing) if initiative.next_phase == PhaseKey.SHARE else "",
        "practice": practice,
        "moves": moves,
        "forward": forward,
        "back": back,
        "can_change": request.access.can("change"),
        **(links or _links_context(request, initiative)),
    }


def _notes_partial(request, initiative, form, saved=False, status=200):
    notes = list(initiative.notes.filter(phase=initiative.phase).select_related("created_by"))
    steps = _steps(initiative, notes)
    return render(request, "initiatives/_notes_now.html", {
        "initiative": initiative, "current": steps[initiative.phase_index], "note_form": form, "saved": saved,
        "can_change": request.access.can("change"),
    }, status=status)


def _own(request, kind):
    """Any of this authority's records of a kind: what an unlink may name, even a record that was unlinked or
    retired meanwhile."""
    model = {"need": Need, "person": Person, "facility": Facility, "kpi": Kpi}[kind]
    return model.objects.filter(authority=request.authority)


def _post_link(request, initiative):
    """Link or unlink one record. Returns (errors, done) per kind for the links section. Both say what they
    found when sent twice or after someone else did the same: linking is once per record (a database
    constraint; a race runs the request again and finds the link), and removing what is gone removes nothing."""
    action = request.POST.get("action")
    kind = request.POST.get("kind", "")
    if kind not in services.LINK_KINDS:
        return {"need": _("Choose what to link: a need, a person, a facility or a KPI.")}, {}
    queryset = _offered(request, initiative)[kind] if action == "link" else _own(request, kind)
    form = LinkForm(request.POST, queryset=queryset)
    if not form.is_valid():
        return {kind: form.errors["target"][0]}, {}
    target = form.cleaned_data["target"]
    if action == "link":
        if services.link(initiative, kind, target, request.user):
            return {}, {kind: _("Linked: %(name)s") % {"name": target}}
        return {}, {kind: _("It was already linked: %(name)s") % {"name": target}}
    if services.unlink(initiative, kind, target):
        return {}, {kind: _("Removed: %(name)s") % {"name": target}}
    return {}, {kind: _("It was already removed: %(name)s") % {"name": target}}


@authority_view(read="view", write="change")
def initiative_detail(request, initiative_pk):
    """GET: the initiative. POST, by `action`: a note in the current phase (the default), a move, a link or an
    unlink. htmx gets the part it swaps; a plain form comes back to the page."""
    initiative = _initiative(request, initiative_pk, "emergency", "created_by", "practice")
    here = _url(request, "initiatives:detail", initiative_pk=initiative.pk)
    if request.method != "POST":
        return render(request, "initiatives/detail.html", _detail_context(request, initiative))

    action = request.POST.get("action", "note")
    if action == "move":
        form = MoveForm({**request.POST.dict(), "initiative": initiative.pk})
        if not form.is_valid():
            messages.error(request, _("That move is not possible: choose next or previous."))
        else:
            level, text, _stale = _checked_move(request, initiative, form.cleaned_data["direction"],
                                                form.cleaned_data["expected"])
            messages.add_message(request, getattr(messages, level.upper()), text)
        return redirect(here)

    if action in ("link", "unlink"):
        errors, done = _post_link(request, initiative)
        status = 422 if errors and request.htmx else 200
        if request.htmx:
            return render(request, "initiatives/_links.html", _links_context(request, initiative, errors, done),
                          status=status)
        if not errors:
            messages.success(request, next(iter(done.values())))
            return redirect(here + "#links")
        return render(request, "initiatives/detail.html",
                      _detail_context(request, initiative, links=_links_context(request, initiative, errors)),
                      status=422)

    form = NoteForm(request.POST)
    if form.is_valid():
        services.add_note(initiative, form.cleaned_data["text"], request.user)
        if request.htmx:
            return _notes_partial(request, initiative, NoteForm(), saved=True)
        messages.success(request, _("Your note is kept."))
        return redirect(here + "#notes")
    if request.htmx:
        return _notes_partial(request, initiative, form, status=422)
    return render(request, "initiatives/detail.html", _detail_context(request, initiative, note_form=form),
                  status=422)


# ---- the practice write-up ---------------------------------------------------------------------


def _practice_of(initiative):
    try:
        return initiative.practice
    except Practice.DoesNotExist:
        return None


@authority_view(read="change", write="change")
def practice_edit(request, initiative_pk):
    """The write-up at SHARE, drafted from the notes and links; saving it shows the printable page."""
    initiative = _initiative(request, initiative_pk, "emergency", "practice")
    practice = _practice_of(initiative)
    if practice is None and initiative.phase != PhaseKey.SHARE:
        if request.method == "POST":
            messages.error(request, _("The practice is written up when the initiative reaches SHARE."))
            return redirect(_url(request, "initiatives:detail", initiative_pk=initiative.pk))
        return render(request, "initiatives/practice_form.html", {"initiative": initiative, "form": None})
    stage_titles = {s.key: s.tr("title") for s in Stage.objects.all()}
    names = services.phase_names()
    notes = list(initiative.notes.all())
    initial = None
    if practice is None:
        linked = _linked(request, initiative)
        initial = services.practice_draft(initiative, notes, names, needs=linked["need"], people=linked["person"],
                                          facilities=linked["facility"])
    form = PracticeForm(_data(request), instance=practice, initial=initial, stage_titles=stage_titles)
    if request.method == "POST" and form.is_valid():
        written = form.save(commit=False)
        if practice is None:
            written.authority = request.authority
            written.initiative = initiative
            written.written_by = request.user
        written.published_at = (written.published_at or timezone.now()) if written.ready_for_library else None
        written.save()
        messages.success(request, _("The practice write-up is saved. This is how it reads."))
        return redirect(_url(request, "initiatives:practice_print", initiative_pk=initiative.pk))
    missing = services.phases_without_notes(initiative, noted={note.phase for note in notes})
    return render(request, "initiatives/practice_form.html", {
        "initiative": initiative, "form": form, "practice": practice,
        "missing": _phase_list(names, missing) if missing else "",
    }, status=(409 if form.conflict else 422) if form.errors else 200)


@authority_view(read="view")
def practice_print(request, initiative_pk):
    """The write-up as a print-friendly page; `?as=md` downloads it as a Markdown file for the library."""
    initiative = _initiative(request, initiative_pk, "emergency", "practice", "practice__written_by")
    practice = _practice_of(initiative)
    if practice is None:
        if request.GET.get("as"):
            raise Http404("No write-up yet")
        return render(request, "initiatives/practice_print.html", {"initiative": initiative, "practice": None})
    stage = Stage.objects.filter(key=practice.stage).first()
    linked = _linked(request, initiative)
    context = {
        "initiative": initiative, "practice": practice, "linked": linked,
        "stage_title": stage.tr("title") if stage else practice.get_stage_display(),
    }
    if request.GET.get("as") == "md":
        text = render_to_string("initiatives/practice.md", context, request=request)
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="practice-{initiative.pk}.md"'
        return response
    return render(request, "initiatives/practice_print.html", context)

