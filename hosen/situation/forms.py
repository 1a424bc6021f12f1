"""Forms of the situation room: the quick add, a correction, and the update composer."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hosen.integrity.versions import VersionedForm
from hosen.resources.models import Channel, Person
from hosen.timefields import LocalDateTimeField

from .models import EntryKind, LogEntry, Priority

TEXT_MAX = 2000
UPDATE_MAX = 4000
OWNER_MAX = 200
# A clock a few minutes fast on a phone is not "the future".
FUTURE_SLACK = timedelta(minutes=10)

# "Due in": the one-handed way to set a due time; an exact time wins over it.
DUE_IN = {
    "30m": timedelta(minutes=30),
    "1h": timedelta(hours=1),
    "2h": timedelta(hours=2),
    "4h": timedelta(hours=4),
    "24h": timedelta(hours=24),
}
DUE_IN_CHOICES = [("", _("No due time")), ("30m", _("In 30 minutes")), ("1h", _("In an hour")),
                  ("2h", _("In 2 hours")), ("4h", _("In 4 hours")), ("24h", _("Within a day"))]


def _local_datetime(label, help_text=""):
    return LocalDateTimeField(label=label, required=False, help_text=help_text)


class EntryForm(VersionedForm, forms.ModelForm):
    """The quick add (and, with its instance, a correction). Owner and due time belong to tasks only.
    A correction carries the version of the entry it was loaded from (see hosen/integrity/versions.py)."""

    kind = forms.ChoiceField(label=_("kind"), choices=EntryKind.choices, initial=EntryKind.EVENT,
                             widget=forms.RadioSelect)
    text = forms.CharField(label=_("what happened"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
                           error_messages={"required": _("Write what happened, what was decided or what is to be "
                                                         "done.")})
    urgent = forms.BooleanField(label=_("urgent"), required=False)
    owner = forms.CharField(label=_("owner"), max_length=OWNER_MAX, required=False,
                            widget=forms.TextInput(attrs={"dir": "auto", "list": "room-people", "autocomplete": "off"}),
                            help_text=_("Who carries it: a name, or pick someone on record."))
    due_in = forms.ChoiceField(label=_("due"), choices=DUE_IN_CHOICES, required=False)
    due_at = _local_datetime(_("due at"))
    happened_at = _local_datetime(_("when"), _("Leave empty for now; set it when logging something that "
                                              "happened earlier."))

    class Meta:
        model = LogEntry
        fields = ["kind", "text", "owner", "due_at", "happened_at"]

    @classmethod
    def versioned_fields(cls):
        # "urgent" is saved as the priority, and the owner on record follows the owner's name.
        return super().versioned_fields() | {"priority", "owner_person"}

    def __init__(self, *args, authority, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.now = now or timezone.now()
        if self.instance.pk:
            # In the form's initial data, so that a conflict view compares it with what was sent.
            self.initial["urgent"] = self.instance.priority == Priority.URGENT
            del self.fields["due_in"]
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(self.fields["text"].error_messages["required"], code="required")
        return text

    def clean_owner(self):
        return self.cleaned_data["owner"].strip()

    def clean_happened_at(self):
        when = self.cleaned_data.get("happened_at")
        if when is None:
            return self.instance.happened_at if self.instance.pk else self.now
        if when > self.now + FUTURE_SLACK:
            raise forms.ValidationError(_("This time is still in the future: log it when it happens, or add a task "
                                          "with a due time."), code="future")
        return when

    def clean(self):
        data = super().clean()
        if data.get("kind") != EntryKind.TASK:
            # Owner and due time mean nothing for an event, a decision or a note; they are dropped, not kept.
            data["owner"], data["due_at"] = "", None
            return data
        if data.get("due_at") is None and data.get("due_in"):
            data["due_at"] = self.now + DUE_IN[data["due_in"]]
        return data

    def save(self, commit=True):
        entry = super().save(commit=False)
        entry.priority = Priority.URGENT if self.cleaned_data.get("urgent") else Priority.NORMAL
        entry.owner_person = matching_person(self.authority, entry.owner) if entry.owner else None
        if entry.kind != EntryKind.TASK:
            entry.done_at, entry.done_by = None, None
        if commit:
            entry.save()
        return entry


def matching_person(authority, name):
    """The active person on record with exactly this name (ignoring case), if there is exactly one."""
    people = list(Person.objects.filter(authority=authority, is_active=True, name__iexact=name.strip())[:2])
    return people[0] if len(people) == 1 else None


# The room's filters: value -> label. "" shows everything.
SHOW_CHOICES = [
    ("", _("All")),
    ("open", _("Open tasks")),
    ("overdue", _("Overdue")),
    ("decisions", _("Decisions")),
    ("events", _("Events")),
]


class UpdateForm(forms.Form):
    """The composer: a channel of this authority and the text, edited before it goes out."""

    channel = forms.ModelChoiceField(label=_("channel"), queryset=None, empty_label=None,
                                     error_messages={"invalid_choice": _("Choose one of this authority's channels."),
                                                     "required": _("Choose the channel the update goes to.")})
    text = forms.CharField(label=_("text"), max_length=UPDATE_MAX,
                           widget=forms.Textarea(attrs={"rows": 14, "dir": "auto", "id": "update-text"}),
                           error_messages={"required": _("The update has no text.")})

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels
        self.fields["channel"].label_from_instance = channel_label
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\r\n", "\n").strip()
        if not text:
            raise forms.ValidationError(self.fields["text"].error_messages["required"], code="required")
        return text


def email_recipients(channel) -> list[str]:
    """The channel's e-mail addresses, one per line; lines that are not an address are skipped."""
    from django.core.validators import validate_email

    found, seen = [], set()
    for line in (channel.email_recipients or "").splitlines():
        address = line.strip().strip(",;").strip()
        if not address or address.lower() in seen:
            continue
        try:
            validate_email(address)
        except forms.ValidationError:
            continue
        seen.add(address.lower())
        found.append(address)
    return found


def channel_label(channel):
    label = channel.name
    if getattr(channel, "is_active_now", False):
        active = _("active now")  # not inside the f-string: xgettext would not extract it
        label = f"{label} · {active}"
    count = len(email_recipients(channel))
    if count:
        email = _("e-mail")
        label = f"{label} · {email} ({count})"
    return label


def channels_for(authority, emergency):
    """This authority's channels, those active in the emergency first."""
    from django.db.models import BooleanField, Case, Value, When

    channels = Channel.objects.filter(authority=authority)
    if emergency is None:
        return channels.annotate(is_active_now=Value(False, output_field=BooleanField())).order_by("name", "pk")
    return channels.annotate(
        is_active_now=Case(When(active_in=emergency, then=Value(True)), default=Value(False),
                           output_field=BooleanField()),
    ).order_by("-is_active_now", "name", "pk")
