"""What the situation room tells the checklist (items 22, 23, 24 and 40)."""

from datetime import timedelta

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hosen.resources.models import Channel, PersonKind
from hosen.workmodel.evidence import Evidence, provides

from .models import EntryKind, LogEntry, OutgoingUpdate, UpdateStatus

COMMUNITY_KINDS = (PersonKind.VOLUNTEER, PersonKind.ACTIVIST)


def _url(ctx, name):
    return reverse(name, kwargs={"authority_slug": ctx.authority.slug})


@provides(22)
def room_active(ctx):
    """Item 22 — is the situation room running: entries in the last 24 hours, open and overdue tasks. One query."""
    now = timezone.now()
    open_task = Q(kind=EntryKind.TASK, done_at__isnull=True)
    counts = LogEntry.objects.filter(emergency=ctx.emergency).aggregate(
        total=Count("pk"),
        day=Count("pk", filter=Q(happened_at__gte=now - timedelta(hours=24))),
        open=Count("pk", filter=open_task),
        overdue=Count("pk", filter=open_task & Q(due_at__lt=now)),
    )
    if not counts["total"]:
        return Evidence(_("Nothing logged in the situation room yet"), _url(ctx, "situation:room"))
    day = ngettext("%(count)d entry in the last 24 hours", "%(count)d entries in the last 24 hours",
                   counts["day"]) % {"count": counts["day"]}
    tasks = ngettext("%(count)d open task", "%(count)d open tasks", counts["open"]) % {"count": counts["open"]}
    return Evidence(_("Situation room: %(day)s, %(tasks)s, %(overdue)d overdue") % {
        "day": day, "tasks": tasks, "overdue": counts["overdue"]}, _url(ctx, "situation:room"))


@provides(23)
def fast_channels(ctx):
    """Item 23 — fast channels: channels active in this emergency and updates sent in the last 48 hours."""
    active = Channel.objects.filter(authority=ctx.authority, active_in=ctx.emergency).count()
    sent = OutgoingUpdate.objects.filter(
        emergency=ctx.emergency, status=UpdateStatus.SENT, sent_at__gte=timezone.now() - timedelta(hours=48),
    ).count()
    channels = ngettext("%(count)d channel active in this emergency", "%(count)d channels active in this emergency",
                        active) % {"count": active}
    updates = ngettext("%(count)d update sent in the last 48 hours", "%(count)d updates sent in the last 48 hours",
                       sent) % {"count": sent}
    return Evidence(f"{channels}; {updates}", _url(ctx, "situation:updates"))


@provides(24)
def community_tasks(ctx):
    """Item 24 — the community harnessed for essential tasks: tasks carried by volunteers and community
    activists on record, open and done. One query."""
    counts = LogEntry.objects.filter(
        emergency=ctx.emergency, kind=EntryKind.TASK, owner_person__kind__in=COMMUNITY_KINDS,
    ).aggregate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)),
                people=Count("owner_person", distinct=True))
    if not counts["total"]:
        return Evidence(_("No task in the situation room is carried by a volunteer or community activist yet"),
                        _url(ctx, "situation:room") + "?show=open")
    counts["open"] = counts["total"] - counts["done"]
    return Evidence(ngettext("%(people)d volunteer or activist carries tasks: %(open)d open, %(done)d done",
                             "%(people)d volunteers and activists carry tasks: %(open)d open, %(done)d done",
                             counts["people"]) % counts, _url(ctx, "situation:room") + "?show=open")


@provides(40)
def platforms_updated(ctx):
    """Item 40 — communication platforms kept up to date: updates sent in the last 7 days and the last one."""
    found = OutgoingUpdate.objects.filter(emergency=ctx.emergency, status=UpdateStatus.SENT).aggregate(
        week=Count("pk", filter=Q(sent_at__gte=timezone.now() - timedelta(days=7))), last=Max("sent_at"))
    if found["last"] is None:
        return Evidence(_("No update sent to the channels yet"), _url(ctx, "situation:updates"))
    return Evidence(ngettext("%(week)d update sent in the last 7 days; the last on %(last)s",
                             "%(week)d updates sent in the last 7 days; the last on %(last)s", found["week"]) % {
        "week": found["week"], "last": formats.date_format(timezone.localtime(found["last"]), "j.n.Y H:i")},
        _url(ctx, "situation:updates"))
