from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.integrity.versions import VersionedForm

from .models import Answer, AnswerStatus, CheckIn, Emergency, Phase


class DateInput(forms.DateInput):
    input_type = "date"


class EmergencyForm(forms.ModelForm):
    class Meta:
        model = Emergency
        fields = ["name", "kind", "started_on", "area", "severity", "phase"]
        widgets = {"started_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new emergency cannot start closed; closing has its own form that asks for lessons.
        self.fields["phase"].choices = [c for c in Phase.choices if c[0] != Phase.CLOSED]
        self.fields["started_on"].initial = timezone.localdate()

    def clean_started_on(self):
        started = self.cleaned_data["started_on"]
        if started > timezone.localdate():
            raise forms.ValidationError(_("The start date cannot be in the future."))
        return started


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("phase"), choices=[c for c in Phase.choices if c[0] != Phase.CLOSED])


class CloseEmergencyForm(forms.Form):
    lessons = forms.CharField(
        label=_("Lessons learned"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text=_("What worked, what did not, what to do differently next time. "
                    "The next emergency will open with these lessons."),
        max_length=20000,
    )

    def clean_lessons(self):
        lessons = self.cleaned_data["lessons"].strip()
        if len(lessons) < 10:
            raise forms.ValidationError(_("Please write at least a sentence of lessons learned."))
        return lessons


class AnswerForm(VersionedForm, forms.ModelForm):
    status = forms.ChoiceField(label=_("status"), choices=AnswerStatus.choices, widget=forms.RadioSelect)

    class Meta:
        model = Answer
        fields = ["status", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2, "dir": "auto"})}


class RoundForm(forms.Form):
    label = forms.CharField(label=_("label (optional)"), max_length=100, required=False)


class CheckInForm(forms.ModelForm):
    STABILITY_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]
    stability = forms.TypedChoiceField(
        label=_("Inner stability (1 shaky – 5 steady)"), choices=STABILITY_CHOICES, coerce=int,
        required=False, empty_value=None, widget=forms.RadioSelect,
    )
    team_readiness = forms.ChoiceField(
        label=_("My team's readiness right now"), required=False,
        choices=[("", "—"), ("R1", "R1"), ("R2", "R2"), ("R3", "R3"), ("R4", "R4")],
    )

    class Meta:
        model = CheckIn
        fields = ["feeling", "stability", "arrangements", "reflection", "notes", "team_readiness"]
        widgets = {name: forms.Textarea(attrs={"rows": 3, "dir": "auto"})
                   for name in ["feeling", "arrangements", "reflection", "notes"]}

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in ["feeling", "stability", "arrangements", "reflection", "notes"]):
            raise forms.ValidationError(_("The check-in is empty: write something or choose a stability level."))
        return data
