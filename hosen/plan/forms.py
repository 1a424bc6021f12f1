"""Forms of the work plan and the KPIs."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hosen.field.models import Site
from hosen.integrity.versions import VersionedForm
from hosen.resources.models import Facility

from .models import (
    RUNNING,
    Activity,
    ActivityAudience,
    ActivityDecision,
    ActivityKind,
    AdaptWay,
    Cadence,
    Decision,
    Direction,
    Kpi,
    Unit,
)

VALUE_MAX = Decimal("9999999999.99")
NOTE_MAX = 2000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _only_this_authority(field, queryset, current_pk):
    """This authority's active rows; the one already chosen stays even if it was since retired."""
    rows = queryset.filter(Q(is_active=True) | Q(pk=current_pk)) if current_pk else queryset.filter(is_active=True)
    field.queryset = rows.only("pk", "name")


class ActivityForm(VersionedForm, forms.ModelForm):
    # Declared here so that no queryset is built before the authority's scope exists.
    facility = forms.ModelChoiceField(label=_("facility"), required=False, queryset=None, empty_label="—")
    site = forms.ModelChoiceField(label=_("site"), required=False, queryset=None, empty_label="—")
    born = forms.BooleanField(label=_("A new response born in this emergency"), required=False,
                              help_text=_("An activity created to answer the emergency, not one of the year's plan."))

    class Meta:
        model = Activity
        fields = ["name", "kind", "audience", "is_essential", "is_stem", "partner", "owner", "place", "facility",
                  "site", "starts_on", "ends_on", "notes", "is_active"]
        widgets = {
            "name": forms.TextInput(attrs={"dir": "auto"}),
            "partner": forms.TextInput(attrs={"dir": "auto"}),
            "owner": forms.TextInput(attrs={"dir": "auto"}),
            "place": forms.TextInput(attrs={"dir": "auto"}),
            "notes": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "kind": forms.RadioSelect,
            "audience": forms.RadioSelect,
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }
        help_texts = {"place": _("Where it is held, in words; or choose a facility or a site below.")}

    @classmethod
    def versioned_fields(cls):
        # "born" is saved as born_in: a change of it meanwhile is a change of what this form edits.
        return super().versioned_fields() | {"born_in"}

    def __init__(self, *args, authority, emergency, **kwargs):
        super().__init__(*args, **kwargs)
        self.emergency = emergency
        _only_this_authority(self.fields["facility"], Facility.objects.filter(authority=authority),
                             self.instance.facility_id)
        _only_this_authority(self.fields["site"], Site.objects.filter(authority=authority), self.instance.site_id)
        self.fields["facility"].help_text = _("A facility from the resources register (protected spaces count).")
        self.fields["kind"].choices = ActivityKind.choices
        self.fields["audience"].choices = ActivityAudience.choices
        born_elsewhere = self.instance.born_in_id and (emergency is None or self.instance.born_in_id != emergency.pk)
        if emergency is None or born_elsewhere:
            del self.fields["born"]
        else:
            # In the form's initial data too, so that a conflict view compares it with what was sent.
            self.initial["born"] = bool(self.instance.pk and self.instance.born_in_id == emergency.pk)
        if not self.instance.pk:
            del self.fields["is_active"]
        self.order_fields(["name", "born"])
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return cleaned

    def save(self, commit=True):
        activity = super().save(commit=False)
        if "born" in self.fields:
            activity.born_in = self.emergency if self.cleaned_data.get("born") else None
        if commit:
            activity.save()
        return activity


class DecisionForm(VersionedForm, forms.ModelForm):
    """A decision for one activity. The reason is required for anything but "continue as is"; adapting
    needs at least one way. Ways and "how" only belong to "adapt".

    Its instance is the activity's current decision (none before the first): a decision taken from a page
    that showed another current decision is a conflict, not a silent replacement. The form saves nothing
    itself: `services.decide` records the new decision and keeps the earlier one as history."""

    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("Choose a decision."),
                                                 "invalid_choice": _("Choose one of the decisions offered.")})
    ways = forms.MultipleChoiceField(label=_("ways to adapt"), choices=AdaptWay.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple,
                                     error_messages={"invalid_choice": _("Choose ways from the list.")})
    how = forms.CharField(label=_("how"), required=False, max_length=500)
    reason = forms.CharField(label=_("reason"), required=False, max_length=NOTE_MAX, widget=forms.Textarea)

    class Meta:
        model = ActivityDecision
        fields = ["decision", "ways", "how", "reason"]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision and decision != Decision.CONTINUE and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Write the reason: it is required to adapt, pause or stop an activity."))
        if decision == Decision.ADAPT:
            order = [value for value, _label in AdaptWay.choices]
            ways = sorted(cleaned.get("ways") or [], key=order.index)
            cleaned["ways"] = ways
            if not ways and "ways" not in self.errors:
                self.add_error("ways", _("Choose at least one way the activity adapts."))
            if AdaptWay.OTHER in ways and not cleaned.get("how", "").strip():
                self.add_error("how", _("Say how, since the way is \"other\"."))
        else:
            cleaned["ways"], cleaned["how"] = [], ""
        return cleaned


UNDECIDED = "undecided"
RUNNING_FILTER = "running"


def _choices(choices, blank):
    return [("", blank)] + [(str(value), label) for value, label in choices]


class ActivityFilterForm(forms.Form):
    """The plan's filters, read from the query string. A value that does not fit is ignored."""

    decision = forms.ChoiceField(label=_("decision"), required=False, choices=[
        ("", _("Any decision")), (RUNNING_FILTER, _("Running (continue or adapt)")), *Decision.choices,
        (UNDECIDED, _("Not decided yet"))])
    essential = forms.ChoiceField(label=_("essential"), required=False, choices=[
        ("", _("Essential or not")), ("1", _("Essential only")), ("0", _("Not essential"))])
    audience = forms.ChoiceField(label=_("audience"), required=False,
                                 choices=_choices(ActivityAudience.choices, _("Every audience")))
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=_choices(ActivityKind.choices, _("Every kind")))
    born = forms.ChoiceField(label=_("new responses"), required=False, choices=[
        ("", _("All activities")), ("1", _("New responses only"))])
    archived = forms.ChoiceField(label=_("archived"), required=False, choices=[
        ("", _("Active in the plan")), ("1", _("Archived"))])

    def __init__(self, *args, emergency=None, **kwargs):
        super().__init__(*args, **kwargs)
        if emergency is None:
            del self.fields["decision"]
            del self.fields["born"]
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def values(self) -> dict:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def apply(self, activities, emergency):
        """`activities` must be annotated with `current` (the current decision) when there is an emergency."""
        values = self.values()
        activities = activities.filter(is_active=values.get("archived") != "1")
        if "decision" in values:
            if values["decision"] == UNDECIDED:
                activities = activities.filter(current__isnull=True)
            elif values["decision"] == RUNNING_FILTER:
                activities = activities.filter(current__in=RUNNING)
            else:
                activities = activities.filter(current=values["decision"])
        if "essential" in values:
            activities = activities.filter(is_essential=values["essential"] == "1")
        if "audience" in values:
            activities = activities.filter(audience=values["audience"])
        if "kind" in values:
            activities = activities.filter(kind=values["kind"])
        if values.get("born") == "1" and emergency is not None:
            activities = activities.filter(born_in=emergency)
        return activities

    @property
    def active(self) -> bool:
        return bool(self.values())

    def summary(self) -> list[str]:
        return [str(dict(self.fields[name].choices).get(str(value), value)) for name, value in self.values().items()]


# ---- KPIs ------------------------------------------------------------------------------------------


def _amount(label, required):
    return forms.DecimalField(
        label=label, required=required, min_value=0, max_value=VALUE_MAX, max_digits=12, decimal_places=2,
        localize=False, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": 0}),
        error_messages={
            "required": _("Enter a number."),
            "invalid": _("Enter a number, like 42 or 12.5."),
            "min_value": _("The value cannot be negative."),
            "max_value": _("That number is too large."),
            "max_decimal_places": _("Use at most two digits after the decimal point."),
            "max_digits": _("That number is too large."),
        },
    )


def _not_over_100(form, names, unit):
    if unit != Unit.PERCENT:
        return
    for name in names:
        value = form.cleaned_data.get(name)
        if value is not None and value > 100:
            form.add_error(name, _("A percentage cannot be more than 100."))


class MeasurementForm(forms.Form):
    value = _amount(_("value"), required=True)
    measured_for = forms.DateField(label=_("for the date"), widget=DateInput(),
                                   error_messages={"required": _("Enter the date the value is for."),
                                                   "invalid": _("Enter a valid date.")})
    note = forms.CharField(label=_("note"), required=False, max_length=300,
                           widget=forms.TextInput(attrs={"dir": "auto"}))

    def __init__(self, *args, kpi, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        self.fields["measured_for"].initial = timezone.localdate()
        if kpi.is_percent:
            self.fields["value"].widget.attrs["max"] = 100
            self.fields["value"].help_text = _("A percentage, from 0 to 100.")
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def clean_measured_for(self):
        day = self.cleaned_data["measured_for"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        _not_over_100(self, ["value"], self.kpi.unit)
        return cleaned


class KpiSettingsForm(VersionedForm, forms.ModelForm):
    """The manager sets a KPI's baseline, target and cadence."""

    baseline = _amount(_("baseline"), required=False)
    target = _amount(_("target"), required=False)

    class Meta:
        model = Kpi
        fields = ["baseline", "target", "cadence", "direction"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadence"].choices = Cadence.choices
        self.fields["direction"].choices = Direction.choices
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def clean(self):
        cleaned = super().clean()
        _not_over_100(self, ["baseline", "target"], self.instance.unit)
        return cleaned


class CustomKpiForm(forms.ModelForm):
    """A KPI of the manager's own, entered by hand."""

    name = forms.CharField(label=_("name"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}),
                           error_messages={"required": _("Give the KPI a name.")})
    baseline = _amount(_("baseline"), required=False)
    target = _amount(_("target"), required=False)

    class Meta:
        model = Kpi
        fields = ["name", "unit", "cadence", "direction", "baseline", "target"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="custom", **kwargs)
        self.fields["unit"].choices = Unit.choices
        self.fields["cadence"].choices = Cadence.choices
        self.fields["direction"].choices = Direction.choices
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def clean(self):
        cleaned = super().clean()
        _not_over_100(self, ["baseline", "target"], cleaned.get("unit"))
        return cleaned


class KpiChooseForm(forms.Form):
    templates = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    routine = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    custom = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, offered, routine, custom, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["templates"].choices = [(str(t.pk), t.tr("name")) for t in offered]
        self.fields["routine"].choices = [(str(t.pk), t.tr("name")) for t in routine]
        self.fields["custom"].choices = [(str(k.pk), k.title) for k in custom]
