"""Forms of the axis: a partner, a contact, a contact-log entry, an achievement and the list's filters."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hosen.integrity.versions import VersionedForm
from hosen.names import NameField, normalize_name
from hosen.timefields import LocalDateTimeField

from .models import (
    STATUSES_FOR,
    Achievement,
    AchievementKind,
    AchievementStatus,
    Contact,
    ContactLog,
    Partner,
    PartnerKind,
)

SUMMARY_MAX = 2000
FUTURE_SLACK = timedelta(minutes=10)


def _capitalise(form):
    for field in form.fields.values():
        field.label = capfirst(field.label)


class PartnerForm(VersionedForm, forms.ModelForm):
    """Add or edit a partner. The name is normalised (spaces, invisible direction marks) and checked against
    the authority's other partners here, so a taken name — even one saved a moment ago by someone else — is a
    message on the form, never a database error."""

    new_collaboration = forms.BooleanField(
        label=_("A new collaboration, born in this emergency"), required=False)

    class Meta:
        model = Partner
        fields = ["name", "kind", "is_key", "is_decision_maker", "since", "reminder_days", "notes", "is_active"]
        field_classes = {"name": NameField}
        widgets = {
            "name": forms.TextInput(attrs={"dir": "auto"}),
            "since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reminder_days": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 365}),
            "notes": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        }

    def __init__(self, *args, authority, emergency, **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.emergency = emergency
        self.fields["kind"].choices = [("", "—")] + list(PartnerKind.choices)
        self.fields["reminder_days"].error_messages.update({
            "min_value": _("Remind after at least 1 day, or leave it empty."),
            "max_value": _("Remind after at most 365 days."),
        })
        if emergency is None:
            del self.fields["new_collaboration"]
        else:
            # On the form's initial data (not the field's), so the conflict view compares it too.
            self.initial["new_collaboration"] = (
                self.instance.born_in_id == emergency.pk if self.instance.pk else False)
        if not self.instance.pk:
            del self.fields["is_active"]
        _capitalise(self)

    def clean_name(self):
        name = normalize_name(self.cleaned_data["name"])
        others = Partner.objects.filter(authority=self.authority, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("There is already a partner named “%(name)s”."), params={"name": name},
                                        code="unique")
        return name

    def save(self, commit=True):
        partner = super().save(commit=False)
        if self.emergency is not None and "new_collaboration" in self.cleaned_data:
            if self.cleaned_data["new_collaboration"]:
                partner.born_in = self.emergency
            elif partner.born_in_id == self.emergency.pk:
                partner.born_in = None
        if commit:
            partner.save()
        return partner


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "phone", "email"]
        field_classes = {"name": NameField}
        widgets = {
            "name": forms.TextInput(attrs={"dir": "auto"}),
            "role": forms.TextInput(attrs={"dir": "auto"}),
            "phone": forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _capitalise(self)


class ContactLogForm(forms.ModelForm):
    happened_at = LocalDateTimeField(label=_("when"), required=False, help_text=_("Leave empty for now."))
    # Declared here so that no queryset is built before the authority's scope exists.
    contact = forms.ModelChoiceField(label=_("with"), queryset=None, required=False, empty_label="—")
    summary = forms.CharField(label=_("summary"), max_length=SUMMARY_MAX,
                              widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
                              error_messages={"required": _("Write in a line what was said or agreed.")})

    class Meta:
        model = ContactLog
        fields = ["channel", "contact", "summary", "happened_at"]
        widgets = {"channel": forms.RadioSelect}

    def __init__(self, *args, partner, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.fields["contact"].queryset = Contact.objects.filter(partner=partner)
        _capitalise(self)

    def clean_summary(self):
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise forms.ValidationError(self.fields["summary"].error_messages["required"], code="required")
        return summary

    def clean_happened_at(self):
        when = self.cleaned_data.get("happened_at")
        if when is None:
            return self.now
        if when > self.now + FUTURE_SLACK:
            raise forms.ValidationError(_("This time is still in the future: log a contact once it happened."))
        return when


class AchievementForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=AchievementKind.choices, initial=AchievementKind.KEEP,
                             widget=forms.RadioSelect)

    class Meta:
        model = Achievement
        fields = ["kind", "title", "description", "status"]
        widgets = {
            "title": forms.TextInput(attrs={"dir": "auto"}),
            "description": forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "—")] + list(AchievementStatus.choices)
        self.fields["status"].required = False
        self.fields["status"].help_text = _("Empty: kept for an achievement, continues for a STEM activity.")
        _capitalise(self)

    def clean(self):
        data = super().clean()
        kind, status = data.get("kind"), data.get("status")
        if kind:
            if not status:
                data["status"] = STATUSES_FOR[kind][0]
            elif status not in STATUSES_FOR[kind]:
                labels = dict(AchievementStatus.choices)
                self.add_error("status", _("For this kind choose one of: %(statuses)s.") % {
                    "statuses": ", ".join(str(labels[s]) for s in STATUSES_FOR[kind])})
        return data


class AchievementStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AchievementStatus.choices)

    def __init__(self, *args, achievement, **kwargs):
        super().__init__(*args, **kwargs)
        self.achievement = achievement

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status not in STATUSES_FOR[self.achievement.kind]:
            raise forms.ValidationError(_("Choose one of the statuses offered."))
        return status


# The list's filters.
YES = "1"


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}))
    kind = forms.ChoiceField(label=_("kind"), required=False,
                             choices=[("", _("All kinds"))] + list(PartnerKind.choices))
    key = forms.BooleanField(label=_("Key partners"), required=False)
    decision = forms.BooleanField(label=_("Decision makers"), required=False)
    new = forms.BooleanField(label=_("New collaborations"), required=False)
    overdue = forms.BooleanField(label=_("Contact overdue"), required=False)
    inactive = forms.BooleanField(label=_("Include inactive partners"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _capitalise(self)

    def values(self) -> dict:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}

    @property
    def active(self):
        return bool(self.values())

