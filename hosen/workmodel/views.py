"""Pages of the working model in one authority. The authority comes from the URL, resolved by
`AuthorityMiddleware`; every view here runs inside that authority's scope."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_scopes import scope

from hosen.integrity import versions
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as _url

from . import registers, services, wheel
from .evidence import EvidenceContext, evidence_for
from .forms import AnswerForm, CheckInForm, CloseEmergencyForm, EmergencyForm, PhaseForm, RoundForm
from .models import (
    Answer,
    AnswerStatus,
    CheckIn,
    ChecklistItem,
    Component,
    Emergency,
    LeadershipLevel,
    ModelText,
    Principle,
    Stage,
)
from .progress import items_per_stage, progress_for_rounds


def _situation(request):
    """The current emergency and round of the request's authority (two queries)."""
    emergency = services.current_emergency(request.authority)
    return emergency, services.current_round(emergency)


@authority_view(read="view")
def authority_home(request):
    emergency, current = _situation(request)
    stages = list(Stage.objects.all())
    progress = progress_for_rounds([current.pk])[current.pk] if current else {}
    slices = wheel.stage_slices(
        [s for s in stages if not s.is_axis], progress,
        lambda stage: _url(request, "workmodel:stage", key=stage.key),
    )
    axis = next((s for s in stages if s.is_axis), None)
    principles = list(Principle.objects.all())
    return render(request, "workmodel/home.html", {
        "emergency": emergency,
        "round": current,
        "slices": slices,
        "axis": axis,
        "axis_progress": progress.get(Stage.AXIS),
        "principles": wheel.principle_labels(principles),
        "principle_list": principles,
        "ring_path": wheel.ring_path(),
        "lessons": [] if emergency else services.previous_lessons(request.authority),
        "registers": registers.by_stage(stages, request.authority, request.access),
    })


# ---- emergencies ------------------------------------------------------------------------------


@authority_view(read="view")
def emergency_list(request):
    emergencies = Emergency.objects.filter(authority=request.authority).select_related("created_by")
    return render(request, "workmodel/emergency_list.html", {"emergencies": emergencies})


@authority_view(read="manage", write="manage")
def emergency_new(request):
    if services.current_emergency(request.authority):
        messages.error(request, _("This authority already has an open emergency. Close it before opening another."))
        return redirect(_url(request, "workmodel:emergencies"))
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.open_emergency(request.authority, request.user, **form.cleaned_data)
        messages.success(request, _("The emergency is open. Round 1 of the checklist has started."))
        return redirect(_url(request, "workmodel:home"))
    return render(request, "workmodel/emergency_form.html", {
        "form": form, "lessons": services.previous_lessons(request.authority),
    }, status=422 if form.errors else 200)


@authority_view(read="view", write="manage")
def emergency_detail(request, pk):
    emergency = get_object_or_404(Emergency.objects.filter(authority=request.authority), pk=pk)
    form = PhaseForm(request.POST or None, initial={"phase": emergency.phase})
    if request.method == "POST":
        if not emergency.is_open:
            messages.error(request, _("A closed emergency cannot change phase."))
        elif form.is_valid():
            current = versions.is_stale(request, emergency)
            if current is not None and current.phase != form.cleaned_data["phase"]:
                messages.error(request, versions.changed_meanwhile(current))
            else:
                emergency.phase = form.cleaned_data["phase"]
                emergency.save(update_fields=["phase"])
                messages.success(request, _("Phase updated."))
            return redirect(_url(request, "workmodel:emergency", pk=pk))
    rounds = emergency.rounds.select_related("started_by")
    return render(request, "workmodel/emergency_detail.html", {
        "emergency": emergency, "form": form, "rounds": rounds,
    }, status=422 if form.errors else 200)


@authority_view(read="manage", write="manage")
def emergency_close(request, pk):
    emergency = get_object_or_404(Emergency.objects.filter(authority=request.authority), pk=pk)
    form = CloseEmergencyForm(request.POST or None)
    if not emergency.is_open and request.method != "POST":
        raise Http404("Already closed")
    if request.method == "POST" and form.is_valid():
        current = versions.locked(Emergency, emergency.pk)
        if current.is_open:
            services.close_emergency(current, form.cleaned_data["lessons"])
            messages.success(request, _("The emergency is closed and its lessons are kept."))
        elif form.cleaned_data["lessons"] not in current.lessons:
            # Closed meanwhile by someone else: their lessons and these are both kept, one after the other.
            current.lessons = f"{current.lessons}\n\n{form.cleaned_data['lessons']}".strip()
            current.save(update_fields=["lessons"])
            messages.info(request, _("The emergency was closed meanwhile by someone else. Your lessons were added "
                                     "to theirs, nothing was lost."))
        return redirect(_url(request, "workmodel:emergencies"))
    return render(request, "workmodel/emergency_close.html", {"emergency": emergency, "form": form},
                  status=422 if form.errors else 200)


# ---- stages and the checklist -----------------------------------------------------------------


def _checklist_rows(request, emergency, current, items, with_evidence=True):
    """Each item with its answer in the current round and the registers' evidence for it.

    The answer form is written out in `_item.html` rather than rendered through Django's widgets:
    a checklist page shows forty of them, and widget rendering was most of the page's time."""
    answers = {}
    if current is not None:
        answers = {a.item_id: a for a in Answer.objects.filter(round=current).select_related("answered_by")}
    evidence = (evidence_for(EvidenceContext(request.authority, emergency, current), [i.number for i in items])
                if with_evidence else {})
    can_answer = current is not None and request.access.can("change")
    rows = []
    for item in items:
        answer = answers.get(item.pk)
        rows.append({
            "item": item,
            "answer": answer,
            "evidence": evidence.get(item.number),
            "can_answer": can_answer and not item.is_private,
            "status_value": answer.status if answer else "",
            "note_value": answer.note if answer else "",
            "version": AnswerForm.version_for(answer),
            "errors": {},
        })
    return rows


@authority_view(read="view")
def stage_detail(request, key):
    stage = get_object_or_404(Stage.objects.prefetch_related(
        Prefetch("components", queryset=Component.objects.prefetch_related("actions", "items")),
        "field_voices",
    ), key=key)
    emergency, current = _situation(request)
    items = [item for component in stage.components.all() for item in component.items.all()]
    progress = progress_for_rounds([current.pk])[current.pk].get(stage.key) if current else None
    context = {
        "stage": stage,
        "emergency": emergency,
        "round": current,
        "progress": progress,
        "rows": _checklist_rows(request, emergency, current, items),
        "stages": Stage.objects.all(),
        "registers": registers.for_stage(stage.key, request.authority, request.access),
        "statuses": AnswerStatus.choices,
    }
    if stage.key == "1":
        context["leadership_levels"] = LeadershipLevel.objects.all()
        context["leadership_intro"] = ModelText.objects.filter(key="leadership.intro").first()
    return render(request, "workmodel/stage.html", context)


@authority_view(read="view")
def checklist(request):
    emergency, current = _situation(request)
    items = list(ChecklistItem.objects.select_related("component__stage"))
    # The registers' evidence for forty items is most of the page's work: it follows in a second request
    # (checklist_evidence), so the answers show at once.
    rows = _checklist_rows(request, emergency, current, items, with_evidence=False)
    progress = progress_for_rounds([current.pk])[current.pk] if current else {}
    stages = [
        {"stage": stage, "progress": progress.get(stage.key),
         "rows": [r for r in rows if r["item"].component.stage_id == stage.pk]}
        for stage in Stage.objects.all()
    ]
    return render(request, "workmodel/checklist.html", {
        "emergency": emergency, "round": current, "stages": stages, "statuses": AnswerStatus.choices,
    })


@authority_view(read="view")
def checklist_evidence(request):
    """The evidence of every checklist item, as out-of-band swaps into the checklist page's items."""
    emergency, current = _situation(request)
    numbers = ChecklistItem.objects.values_list("number", flat=True)
    evidence = evidence_for(EvidenceContext(request.authority, emergency, current), list(numbers))
    return render(request, "workmodel/_evidence_oob.html", {"evidence": sorted(evidence.items())})


@authority_view(read="view", write="change")
def answer_item(request, number):
    """One checklist item: GET shows its row, POST saves the answer. Serves htmx swaps and plain forms."""
    item = get_object_or_404(ChecklistItem.objects.select_related("component__stage"), number=number)
    if item.is_private:
        raise Http404("The reflection item lives in the private check-in")
    emergency, current = _situation(request)
    if current is None:
        raise Http404("No open emergency")
    answer = Answer.objects.filter(round=current, item=item).first()
    form = AnswerForm(request.POST or None, instance=answer, prefix=f"i{item.number}")
    saved = False
    if request.method == "POST" and form.is_valid():
        answer = form.save(commit=False)
        answer.authority = request.authority
        answer.round = current
        answer.item = item
        answer.answered_by = request.user
        answer.answered_at = timezone.now()
        answer.carried_over = False
        answer.save()
        saved = True
        if not request.htmx:
            messages.success(request, _("Answer saved."))
            back = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = _url(request, "workmodel:checklist") + f"#item-{number}"
            return redirect(back)
    row = _checklist_rows(request, emergency, current, [item])[0]
    if request.method == "POST" and not saved:
        # Show the errors next to what was typed; nothing was saved.
        row.update(status_value=form.data.get(f"{form.prefix}-status", ""),
                   note_value=form.data.get(f"{form.prefix}-note", ""), errors=form.errors,
                   conflict=form.conflict, version=form.version_token if form.conflict else row["version"])
    context = {"row": row, "round": current, "saved": saved, "open": request.method == "POST" and not saved,
               "statuses": AnswerStatus.choices}
    status = (409 if form.conflict else 422) if request.method == "POST" and not form.is_valid() else 200
    return render(request, "workmodel/_item.html", context, status=status)


# ---- rounds ----------------------------------------------------------------------------------


@authority_view(read="view", write="manage")
def rounds(request):
    emergency, current = _situation(request)
    if emergency is None:
        return render(request, "workmodel/rounds.html", {"emergency": None})
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_round = services.start_round(emergency, request.user, form.cleaned_data["label"])
        messages.success(request, _("Round %(number)d has started from the previous answers.") % {
            "number": new_round.number})
        return redirect(_url(request, "workmodel:checklist"))
    all_rounds = list(emergency.rounds.select_related("started_by"))
    progress = progress_for_rounds([r.pk for r in all_rounds], items_per_stage())
    stages = [s for s in Stage.objects.all()]
    rows = [{"round": r, "progress": [progress[r.pk].get(s.key) for s in stages]} for r in all_rounds]
    return render(request, "workmodel/rounds.html", {
        "emergency": emergency, "rows": rows, "stages": stages, "form": form,
    }, status=422 if form.errors else 200)


@authority_view(read="view")
def round_detail(request, number):
    emergency, _current = _situation(request)
    if emergency is None:
        raise Http404("No open emergency")
    this_round = get_object_or_404(emergency.rounds.select_related("started_by"), number=number)
    previous = emergency.rounds.filter(number__lt=number).order_by("-number").first()
    items = {i.pk: i for i in ChecklistItem.objects.all()}
    changes = [
        {"item": items[item_id], "before": before, "after": after}
        for item_id, before, after in services.round_changes(this_round, previous)
    ]
    changes.sort(key=lambda c: c["item"].number)
    return render(request, "workmodel/round_detail.html", {
        "emergency": emergency, "round": this_round, "previous": previous, "changes": changes,
    })


# ---- the private check-in --------------------------------------------------------------------


@authority_view(read="checkin", write="checkin")
def checkin(request):
    """Stage 1, private. Every query runs inside the author's own scope: nobody else's can be read."""
    emergency = services.current_emergency(request.authority)
    reflection_item = ChecklistItem.objects.filter(kind=ChecklistItem.REFLECTION).first()
    with scope(author=request.user):
        form = CheckInForm(request.POST or None)
        if reflection_item:
            form.fields["reflection"].label = reflection_item.tr("text")
        if request.method == "POST" and form.is_valid():
            entry = form.save(commit=False)
            entry.author = request.user
            entry.authority = request.authority
            entry.emergency = emergency
            entry.save()
            messages.success(request, _("Saved. Only you can read your check-in."))
            return redirect(_url(request, "workmodel:checkin"))
        entries = list(CheckIn.objects.filter(authority=request.authority)[:20])
    latest_readiness = next((e.team_readiness for e in entries if e.team_readiness), "")
    return render(request, "workmodel/checkin.html", {
        "form": form, "entries": entries, "emergency": emergency,
        "leadership_levels": LeadershipLevel.objects.all(),
        "leadership_intro": ModelText.objects.filter(key="leadership.intro").first(),
        "readiness": latest_readiness,
    }, status=422 if form.errors else 200)
