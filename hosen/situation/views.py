"""The situation room: the live log of the current emergency, tasks done in place, corrections, and the
outgoing updates composed from the current picture.

The log refreshes itself by polling `room/` with htmx; such a poll (and the quick add's htmx answer)
gets only the log partial, never the add form, so nothing being typed is ever swapped away.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.mail import EmailMessage, get_connection
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hosen.integrity import versions
from hosen.resources.models import Person
from hosen.tenancy.middleware import authority_view
from hosen.tenancy.navigation import authority_url as _url
from hosen.workmodel.services import current_emergency

from .compose import compose
from .forms import SHOW_CHOICES, EntryForm, UpdateForm, channels_for, email_recipients
from .models import EntryKind, LogEntry, OutgoingUpdate, UpdateMethod, UpdateStatus

logger = logging.getLogger(__name__)

PAGE_SIZE = 30
UPDATES_PAGE_SIZE = 30
PEOPLE_SUGGESTED = 500
# Addresses per message: many mail servers refuse a message with hundreds of recipients.
BCC_BATCH = 50
LOG_TARGET = "room-log"


def poll_seconds():
    """How often the room's log refreshes itself (HOSEN_ROOM_POLL_SECONDS; tests use a short one)."""
    return max(1, int(getattr(settings, "HOSEN_ROOM_POLL_SECONDS", 20)))


# ---- the log ---------------------------------------------------------------------------------


def _show(request):
    value = request.GET.get("show", "")
    return value if value in dict(SHOW_CHOICES) else ""


def _filtered(entries, show, now):
    open_tasks = entries.filter(kind=EntryKind.TASK, done_at__isnull=True)
    if show == "open":
        return open_tasks.order_by("due_at", "-happened_at", "-pk")  # the most pressing first; no due time last
    if show == "overdue":
        return open_tasks.filter(due_at__lt=now).order_by("due_at", "-pk")
    if show == "decisions":
        return entries.filter(kind=EntryKind.DECISION)
    if show == "events":
        return entries.filter(kind=EntryKind.EVENT)
    return entries


def _counts(entries, now):
    """The filters' counts in one query."""
    task = Q(kind=EntryKind.TASK, done_at__isnull=True)
    return entries.aggregate(
        all=Count("pk"), open=Count("pk", filter=task), overdue=Count("pk", filter=task & Q(due_at__lt=now)),
        decisions=Count("pk", filter=Q(kind=EntryKind.DECISION)), events=Count("pk", filter=Q(kind=EntryKind.EVENT)),
    )


def _log_context(request, emergency, now):
    show = _show(request)
    entries = LogEntry.objects.filter(authority=request.authority, emergency=emergency)
    counts = _counts(entries, now)
    shown = _filtered(entries, show, now).select_related("created_by", "done_by", "owner_person")
    paginator = Paginator(shown, PAGE_SIZE)
    paginator.count = counts[show or "all"]  # already counted: no second COUNT query
    page = paginator.get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.overdue = entry.is_overdue(now)
    params = request.GET.copy()
    params.pop("page", None)
    poll_query = f"?{params.urlencode()}" if params else ""
    room_url = _url(request, "situation:room")
    return {
        "emergency": emergency,
        "now": now,
        "show": show,
        "page": page,
        "counts": counts,
        "filters": [{"value": value, "label": label, "n": counts[value or "all"], "chosen": value == show,
                     "href": room_url + (f"?show={value}" if value else "")} for value, label in SHOW_CHOICES],
        # Only the newest page refreshes itself: an older page does not change under the reader.
        "poll": poll_seconds() if page.number == 1 else None,
        "poll_url": room_url + poll_query,
        "can_change": request.access.can("change") and emergency.is_open,
    }


def _render_log(request, context, status=200):
    response = render(request, "situation/_log.html", context, status=status)
    # situation.js swaps a polled answer in only when it carries this mark (not, say, a sign-in page).
    response["X-Hosen-Log"] = "1"
    return response


def _people(authority):
    return list(Person.objects.filter(authority=authority, is_active=True).order_by("name")
                .values_list("name", flat=True)[:PEOPLE_SUGGESTED])


@authority_view(read="view", write="change")
def room(request):
    emergency = current_emergency(request.authority)
    if emergency is None:
        if request.htmx:
            # The emergency closed while the room was open: the whole page changes, so it is reloaded.
            if request.method == "POST":
                messages.error(request, _("There is no open emergency, so nothing can be logged."))
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        if request.method == "POST":
            messages.error(request, _("There is no open emergency, so nothing can be logged."))
            return redirect(_url(request, "situation:room"))
        return render(request, "situation/room.html", {"emergency": None})
    now = timezone.now()

    form = None
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST, authority=request.authority, now=now)
        if form.is_valid():
            entry = form.save(commit=False)
            entry.authority = request.authority
            entry.emergency = emergency
            entry.created_by = request.user
            entry.save()
            if not request.htmx:
                messages.success(request, _("Added to the log."))
                return redirect(_url(request, "situation:room") + f"#entry-{entry.pk}")
            context = _log_context(request, emergency, now)
            context.update(added=entry.pk, form=_blank_form(request, entry.kind), people=None, oob_form=True)
            return _render_log(request, context)
        status = 422
        if request.htmx:
            # Only the form comes back, with what was typed and the errors; the log stays as it is.
            response = render(request, "situation/_add_form.html", {"form": form, "emergency": emergency}, status=422)
            response["HX-Retarget"] = "#quick-add"
            response["HX-Reswap"] = "outerHTML"
            return response
        messages.error(request, _("Nothing was added: please correct the marked fields."))

    context = _log_context(request, emergency, now)
    if request.htmx and request.htmx.target == LOG_TARGET:
        return _render_log(request, context)
    context.update(form=form or _blank_form(request), people=_people(request.authority) if context["can_change"]
                   else [])
    return render(request, "situation/room.html", context, status=status)


def _blank_form(request, kind=None):
    return EntryForm(authority=request.authority, initial={"kind": kind} if kind else None)


def _entry(request, entry_pk):
    return get_object_or_404(
        LogEntry.objects.filter(authority=request.authority).select_related("emergency", "created_by", "done_by",
                                                                             "owner_person"),
        pk=entry_pk,
    )


@authority_view(read="view", write="change")
def task_done(request, entry_pk):
    """Mark a task done (or open again) in place. htmx gets the entry back; a plain form goes back to the room.
    A tap on an entry that changed since the page showed it applies only if the task is already as asked."""
    entry = _entry(request, entry_pk)
    can_change = request.access.can("change") and entry.emergency.is_open
    error, current = None, None
    if request.method == "POST":
        done = request.POST.get("done", "1") != "0"
        if not entry.emergency.is_open:
            error = _("This entry belongs to a closed emergency and can no longer change.")
        elif (current := versions.is_stale(request, entry)) is not None and (current.done_at is not None) != done:
            entry = _entry(request, entry.pk)
            error = versions.changed_meanwhile(current)
        elif not entry.is_task:
            error = _("Only a task can be marked done.")
        elif done and entry.done_at is None:
            entry.done_at, entry.done_by = timezone.now(), request.user
            entry._history_user = request.user
            entry.save(update_fields=["done_at", "done_by"])
        elif not done and entry.done_at is not None:
            entry.done_at, entry.done_by = None, None
            entry._history_user = request.user
            entry.save(update_fields=["done_at", "done_by"])
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect(_url(request, "situation:room") + f"#entry-{entry.pk}")
    now = timezone.now()
    entry.overdue = entry.is_overdue(now)
    return render(request, "situation/_entry.html", {
        "entry": entry, "can_change": can_change, "error": error, "now": now,
        "just_changed": request.method == "POST" and not error,
    }, status=(409 if current is not None else 422) if error else 200)


@authority_view(read="change", write="change")
def entry_edit(request, entry_pk):
    entry = _entry(request, entry_pk)
    if not entry.emergency.is_open:
        messages.error(request, _("This entry belongs to a closed emergency and can no longer change."))
        return redirect(_url(request, "situation:room"))
    form = EntryForm(request.POST or None, instance=entry, authority=request.authority)
    if request.method == "POST" and form.is_valid():
        entry = form.save(commit=False)
        entry.edited_at = timezone.now()
        entry._history_user = request.user
        entry.save()
        messages.success(request, _("The entry is corrected; its earlier wording stays in the history."))
        return redirect(_url(request, "situation:room") + f"#entry-{entry.pk}")
    history = list(entry.history.select_related("history_user").order_by("-history_date", "-history_id")[:20])
    earlier = [v for v in history[1:] if v.text != history[0].text] if history else []
    return render(request, "situation/entry_form.html", {
        "form": form, "entry": entry, "earlier": earlier, "people": _people(request.authority),
    }, status=(409 if form.conflict else 422) if form.errors else 200)


# ---- outgoing updates ------------------------------------------------------------------------


def _emailed(count, channel):
    return ngettext("The update was e-mailed to %(count)d recipient of %(channel)s.",
                    "The update was e-mailed to %(count)d recipients of %(channel)s.", count) % {
        "count": count, "channel": channel}


def _send_email(request, emergency, channel, text, recipients):
    """Send the update to the recipients in Bcc, in batches; returns (sent to how many, error or "")."""
    subject = _("%(authority)s: situation update — %(emergency)s") % {
        "authority": request.authority.name, "emergency": emergency.name}
    reply_to = [request.user.email] if request.user.email else None
    batches = [recipients[i:i + BCC_BATCH] for i in range(0, len(recipients), BCC_BATCH)]
    sent = 0
    try:
        connection = get_connection(fail_silently=False)
        for batch in batches:
            message = EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, to=[], bcc=batch, reply_to=reply_to,
                                   connection=connection)
            message.send()
            sent += len(batch)
    except Exception as error:  # noqa: BLE001  any failure of the mail server is the user's message, not a 500
        logger.exception("Sending an update to channel %s failed", channel.pk)
        return sent, str(error)[:300] or error.__class__.__name__
    return sent, ""


def _record(request, emergency, channel, text, method, recipients=None, status=UpdateStatus.SENT, error=""):
    return OutgoingUpdate.objects.create(
        authority=request.authority, emergency=emergency, channel=channel, channel_name=channel.name, text=text,
        composed_by=request.user, method=method, recipients=recipients, status=status, error=error,
    )


def _email_and_record(request, emergency, channel, text):
    """E-mail the update and keep it, sent or not. Returns the update and an error message or None."""
    recipients = email_recipients(channel)
    sent, error = _send_email(request, emergency, channel, text, recipients)
    if error:
        update = _record(request, emergency, channel, text, UpdateMethod.EMAIL, sent, UpdateStatus.FAILED, error)
        if sent:
            return update, _("The e-mail reached only %(sent)d of %(total)d recipients before the mail server "
                             "failed. The text is kept below: try again, or copy it.") % {
                "sent": sent, "total": len(recipients)}
        return update, _("The e-mail could not be sent (the mail server did not accept it). Nothing went out; the "
                         "text is kept below: try again, or copy it.")
    return _record(request, emergency, channel, text, UpdateMethod.EMAIL, sent), None


def _chosen_channel(request, channels):
    """The channel named in the request (?channel= or the posted one). Another authority's channel, or one
    that does not exist, is not found (404), as any object outside the authority is."""
    value = (request.POST if request.method == "POST" else request.GET).get("channel", "")
    if not value.isdigit():
        return None
    channel = channels.filter(pk=int(value)).first()
    if channel is None:
        raise Http404("No such channel")
    return channel


@authority_view(read="change", write="change")
def update_new(request):
    emergency = current_emergency(request.authority)
    if emergency is None:
        return render(request, "situation/update_form.html", {"emergency": None})
    channels = channels_for(request.authority, emergency)
    chosen = _chosen_channel(request, channels)
    initial = None
    if request.method != "POST":
        initial = {"text": compose(request.authority, emergency), "channel": chosen}
    form = UpdateForm(request.POST or None, channels=channels, initial=initial)
    choices = list(channels)
    status = 200
    if request.method == "POST":
        action = request.POST.get("send")
        if form.is_valid():
            channel, text = form.cleaned_data["channel"], form.cleaned_data["text"]
            if action == "copied":
                _record(request, emergency, channel, text, UpdateMethod.COPIED)
                messages.success(request, _("Recorded: the update was sent to %(channel)s.") % {"channel": channel})
                return redirect(_url(request, "situation:updates"))
            if action == "email":
                if not email_recipients(channel):
                    form.add_error("channel", _("This channel has no e-mail recipients. Add them to the channel in "
                                                "the channels register, or copy the text and send it by hand."))
                else:
                    update, error = _email_and_record(request, emergency, channel, text)
                    if error is None:
                        messages.success(request, _emailed(update.recipients, channel))
                        return redirect(_url(request, "situation:updates"))
                    # The attempt is kept (and so answered with a redirect: an error status would undo it), on
                    # the list where it says it did not go out, with its text and "try again".
                    messages.error(request, error)
                    response = redirect(_url(request, "situation:updates") + f"#update-{update.pk}")
                    response.replayable = False  # the same text sent again must try the e-mail again
                    return response
            else:
                form.add_error(None, _("Choose how the update goes out: copy it, or send it by e-mail."))
        status = 422
    return render(request, "situation/update_form.html", {
        "emergency": emergency, "form": form, "channels": choices,
        "any_email": any(email_recipients(c) for c in choices),
    }, status=status)


@authority_view(read="view", write="change")
def updates(request):
    """What was sent, to which channel, when, by whom and how. POST tries a failed e-mail again."""
    emergency = current_emergency(request.authority)
    if request.method == "POST":
        return _retry(request, emergency)
    sent = (OutgoingUpdate.objects.filter(authority=request.authority).annotate(resent=_sent_again())
            .select_related("composed_by", "emergency").order_by("-sent_at", "-pk"))
    if emergency is not None and request.GET.get("all") != "1":
        sent = sent.filter(emergency=emergency)
    page = Paginator(sent, UPDATES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "situation/updates.html", {
        "emergency": emergency, "page": page, "showing_all": request.GET.get("all") == "1" or emergency is None,
        "can_change": request.access.can("change") and emergency is not None,
    })


def _sent_again():
    """Whether a failed e-mail went out later: the same text, to the same channel, e-mailed after it."""
    return Exists(OutgoingUpdate.objects.filter(
        authority=OuterRef("authority"), emergency=OuterRef("emergency"), channel=OuterRef("channel"),
        text=OuterRef("text"), method=UpdateMethod.EMAIL, status=UpdateStatus.SENT, pk__gt=OuterRef("pk")))


def _retry(request, emergency):
    """Send a failed e-mail again, once: a second "try again" (a double tap, another tab, a colleague) finds
    it sent and sends nothing."""
    back = redirect(_url(request, "situation:updates"))
    try:
        update_pk = int(request.POST.get("update", ""))
    except ValueError:
        messages.error(request, _("Choose the update to send again."))
        return back
    update = get_object_or_404(OutgoingUpdate.objects.filter(authority=request.authority)
                               .select_related("channel", "emergency"), pk=update_pk)
    if update.method != UpdateMethod.EMAIL or update.status != UpdateStatus.FAILED:
        messages.error(request, _("Only an e-mail that was not sent can be sent again."))
        return back
    # Held until this request ends: a second "try again" waits here, then finds it sent.
    versions.locked(OutgoingUpdate, update.pk)
    if OutgoingUpdate.objects.filter(pk=update.pk).annotate(resent=_sent_again()).values_list("resent", flat=True)[0]:
        messages.info(request, _("This update was already sent again, so it was not sent a second time."))
        return back
    if emergency is None or update.emergency_id != emergency.pk:
        messages.error(request, _("This update belongs to an emergency that is closed."))
        return back
    if update.channel is None or not email_recipients(update.channel):
        messages.error(request, _("The channel no longer has e-mail recipients."))
        return back
    new, error = _email_and_record(request, emergency, update.channel, update.text)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _emailed(new.recipients, update.channel))
    return back
