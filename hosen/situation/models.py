"""Stage 4 — the situation room (חמ"ל): a live log of events, decisions and tasks for the current emergency,
and the updates sent out from it to the communication channels."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.resources.models import Channel, Person
from hosen.tenancy.models import TenantModel
from hosen.workmodel.models import Emergency


class EntryKind(models.TextChoices):
    EVENT = "event", _("Event")
    DECISION = "decision", _("Decision")
    TASK = "task", _("Task")
    NOTE = "note", _("Note")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class LogEntry(TenantModel):
    """One line of the room's log. Corrections edit it in place; the audit history keeps the original."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices, default=EntryKind.EVENT)
    text = models.TextField(_("what happened"), max_length=2000)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    # When it happened: now by default, earlier when it is logged after the fact.
    happened_at = models.DateTimeField(_("when"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)
    # Tasks: who carries it (a name as typed, and the person on record when the name is one of them),
    # by when, and when it was done.
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    owner_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("owner on record"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        ordering = ["-happened_at", "-pk"]
        verbose_name_plural = "log entries"
        indexes = [
            models.Index(fields=["emergency", "-happened_at"]),
            models.Index(fields=["emergency", "kind", "done_at"]),
        ]

    def __str__(self):
        return self.text[:60]

    @property
    def is_task(self):
        return self.kind == EntryKind.TASK

    @property
    def is_open_task(self):
        return self.is_task and self.done_at is None

    def is_overdue(self, now=None):
        """A task past its due time and not done yet."""
        return self.is_open_task and self.due_at is not None and self.due_at < (now or timezone.now())


class UpdateMethod(models.TextChoices):
    COPIED = "copied", _("Copied and sent by hand")
    EMAIL = "email", _("E-mail")


class UpdateStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")


class OutgoingUpdate(TenantModel):
    """An update sent out to a channel: the text as it went, to which channel, when, by whom and how.
    A failed e-mail is kept too (status "not sent"), so nobody believes it went out."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="+")
    # The channel's name is kept as well: the channel may be renamed or removed later.
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("channel"))
    channel_name = models.CharField(_("channel"), max_length=200)
    text = models.TextField(_("text"), max_length=4000)
    composed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    method = models.CharField(_("how"), max_length=8, choices=UpdateMethod.choices)
    recipients = models.PositiveIntegerField(_("recipients"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=UpdateStatus.choices, default=UpdateStatus.SENT)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["emergency", "-sent_at"])]

    def __str__(self):
        return f"{self.channel_name} {self.sent_at:%Y-%m-%d %H:%M}"
