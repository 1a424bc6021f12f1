"""Forms of the needs register: a need, a quick status change, and the list's filters."""

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hosen.integrity.versions import VersionedForm

from .models import Audience, Need, NeedCategory, NeedStatus, Site, Urgency

DESCRIPTION_MAX = 2000
QUANTITY_MAX = 1_000_000

# A filter value that is not a stored status: open or in progress.
UNMET_FILTER = "unmet"


class NeedForm(forms.ModelForm):
    description = forms.CharField(
        label=_("description"), max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_("What is needed, for whom, and by when."),
    )
    urgency = forms.TypedChoiceField(label=_("urgency"), choices=Urgency.choices, coerce=int,
                                     initial=Urgency.MEDIUM, widget=forms.RadioSelect)
    audience = forms.ChoiceField(label=_("who needs it"), choices=Audience.choices, widget=forms.RadioSelect)
    quantity = forms.IntegerField(
        label=_("quantity"), required=False, min_value=1, max_value=QUANTITY_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"min_value": _("The quantity must be at least 1, or left empty."),
                        "max_value": _("The quantity can be at most %(limit_value)s.")},
    )
    # Declared here so that no queryset is built before the authority's scope exists.
    site = forms.ModelChoiceField(label=_("site"), required=False, queryset=None, empty_label="—")

    class Meta:
        model = Need
        # The site follows the audience: choosing "a site" asks for one right below.
        fields = ["audience", "site", "category", "description", "quantity", "urgency", "is_emerging", "source"]
        widgets = {
            "source": forms.TextInput(attrs={"dir": "auto"}),
        }
        help_texts = {"source": _("Who reported it: a principal, a parent, a partner…")}

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this authority's active sites; the one already chosen stays even if it was since retired.
        sites = Site.objects.filter(authority=authority)
        current_site = self.instance.site_id if self.instance.pk else None
        self.fields["site"].queryset = (
            sites.filter(Q(is_active=True) | Q(pk=current_site)) if current_site else sites.filter(is_active=True)
        ).only("pk", "name")
        self.fields["site"].help_text = _("Required when a site is the one that needs it.")
        self.fields["category"].choices = [("", "—")] + list(NeedCategory.choices)
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("audience") == Audience.SITE and not cleaned.get("site") and "site" not in self.errors:
            self.add_error("site", _("Choose the site that needs it: the need is for a site."))
        return cleaned


class NeedEditForm(VersionedForm, NeedForm):
    status = forms.ChoiceField(label=_("status"), choices=NeedStatus.choices, widget=forms.RadioSelect)

    class Meta(NeedForm.Meta):
        fields = NeedForm.Meta.fields + ["status"]


class NeedStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=NeedStatus.choices)


def _choices(choices, blank):
    return [("", blank)] + [(str(value), label) for value, label in choices]


class NeedFilterForm(forms.Form):
    """The list's filters, read from the query string. A value that does not fit is ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}))
    category = forms.ChoiceField(label=_("category"), required=False,
                                 choices=_choices(NeedCategory.choices, _("All categories")))
    urgency = forms.TypedChoiceField(label=_("urgency"), required=False, coerce=int, empty_value=None,
                                     choices=_choices(Urgency.choices, _("Any urgency")))
    status = forms.ChoiceField(label=_("status"), required=False, choices=[
        ("", _("Any status")), (UNMET_FILTER, _("Not yet met")),
        *NeedStatus.choices,
    ])
    audience = forms.ChoiceField(label=_("who needs it"), required=False,
                                 choices=_choices(Audience.choices, _("Everyone")))
    site = forms.ModelChoiceField(label=_("site"), required=False, queryset=None,
                                  empty_label=_("All sites"))
    emerging = forms.ChoiceField(label=_("emerging need"), required=False, choices=[
        ("", _("Emerging or not")), ("1", _("Emerging only")), ("0", _("Not emerging")),
    ])

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(authority=authority).only("pk", "name")
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def values(self) -> dict:
        """The filters that are set and valid."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def apply(self, needs):
        values = self.values()
        if "q" in values and values["q"].strip():
            needs = needs.filter(description__icontains=values["q"].strip())
        if "category" in values:
            needs = needs.filter(category=values["category"])
        if "urgency" in values:
            needs = needs.filter(urgency=values["urgency"])
        if values.get("status") == UNMET_FILTER:
            needs = needs.filter(status__in=[NeedStatus.OPEN, NeedStatus.IN_PROGRESS])
        elif "status" in values:
            needs = needs.filter(status=values["status"])
        if "audience" in values:
            needs = needs.filter(audience=values["audience"])
        if "site" in values:
            needs = needs.filter(site=values["site"])
        if "emerging" in values:
            needs = needs.filter(is_emerging=values["emerging"] == "1")
        return needs

    @property
    def active(self) -> bool:
        return bool(self.values())

    def summary(self) -> list[str]:
        """The filters that are on, in words, for the collapsed filter panel."""
        shown = []
        for name, value in self.values().items():
            if name == "q":
                shown.append(f"“{value.strip()}”")
            elif name == "site":
                shown.append(value.name)
            else:
                shown.append(str(dict(self.fields[name].choices).get(str(value), value)))
        return shown
