"""The form that makes a personal access token."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.accounts.access import authorities_for

NAME_MAX = 100
VALID_FOR = [(30, _("30 days")), (90, _("90 days")), (180, _("180 days")), (365, _("a year"))]
ACCESS = [("read", _("Read only")), ("write", _("Read and change records"))]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX,
                           help_text=_("What uses it, so you know which to revoke: “municipal GIS”, “BI dashboard”."),
                           widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}))
    access = forms.ChoiceField(label=_("Access"), choices=ACCESS, initial="read", widget=forms.RadioSelect)
    authority = forms.ModelChoiceField(label=_("Authority"), queryset=None, required=False,
                                       help_text=_("Bind the token to one authority, or let it reach every "
                                                   "authority you may open."))
    valid_for = forms.TypedChoiceField(label=_("Valid for"), choices=VALID_FOR, coerce=int, initial=90)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities_for(user).order_by("name")
        self.fields["authority"].empty_label = _("Every authority I may open")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the token a name."), code="required")
        return name

    def expires_at(self):
        return timezone.now() + timedelta(days=self.cleaned_data["valid_for"])
