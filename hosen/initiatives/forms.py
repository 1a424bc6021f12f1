"""Forms of the design-thinking board: an initiative, a move, a note, a link, the practice write-up."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hosen.field.models import Need
from hosen.integrity.versions import VersionedForm

from .models import PHASES, Initiative, Practice, StageKey
from .services import NEXT, PREVIOUS

TEXT_MAX = 4000
TAGS_MAX = 10


def _labels(form):
    for f in form.fields.values():
        f.label = capfirst(f.label)


class InitiativeForm(VersionedForm, forms.ModelForm):
    # The need it starts from (`?need=<id>` on the new form); only this authority's needs.
    need = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput,
                                  error_messages={"invalid_choice": _("That need is not on this authority's "
                                                                      "register.")})

    class Meta:
        model = Initiative
        fields = ["title", "summary", "owner"]
        widgets = {
            "title": forms.TextInput(attrs={"dir": "auto"}),
            "summary": forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
            "owner": forms.TextInput(attrs={"dir": "auto"}),
        }
        help_texts = {
            "summary": _("The new response in a few lines: for whom, and what it should change."),
            "owner": _("Who leads it."),
        }

    def __init__(self, *args, authority, with_need=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_need:
            self.fields["need"].queryset = Need.objects.filter(authority=authority).only("pk")
        else:
            del self.fields["need"]
        _labels(self)


class MoveForm(forms.Form):
    initiative = forms.IntegerField(min_value=1)
    direction = forms.ChoiceField(choices=[(NEXT, NEXT), (PREVIOUS, PREVIOUS)])
    # The phase the button was shown in: a second tap on a stale button moves nothing.
    expected = forms.ChoiceField(choices=[(key, key) for key in PHASES], required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Your note"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
                           error_messages={"required": _("Write the note first.")})


class LinkForm(forms.Form):
    """Link or unlink one record. The choices are this authority's records only, so an id from another
    authority (or one this initiative cannot take) is an error and nothing changes."""

    target = forms.ModelChoiceField(queryset=None, error_messages={
        "required": _("Choose one from the list."),
        "invalid_choice": _("That is not one of this authority's records you can link here."),
    })

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = queryset


class PracticeForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Practice
        fields = ["title", "problem", "what_we_did", "what_worked", "watch_for", "resources_needed", "stage", "tags",
                  "ready_for_library"]
        widgets = {
            "title": forms.TextInput(attrs={"dir": "auto"}),
            "problem": forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
            "what_we_did": forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
            "what_worked": forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
            "watch_for": forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
            "resources_needed": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "tags": forms.TextInput(attrs={"dir": "auto"}),
        }
        help_texts = {
            "ready_for_library": _("Mark it when the write-up can be shared with other authorities."),
        }

    def __init__(self, *args, stage_titles=None, **kwargs):
        super().__init__(*args, **kwargs)
        titles = stage_titles or {}
        self.fields["stage"].choices = [(key, f"{label} · {titles[key]}" if titles.get(key) else label)
                                        for key, label in StageKey.choices]
        _labels(self)

    def clean_tags(self):
        tags = []
        for tag in self.cleaned_data["tags"].replace("،", ",").split(","):  # the Arabic comma too
            tag = " ".join(tag.split())
            if tag and tag.casefold() not in {t.casefold() for t in tags}:
                tags.append(tag)
        if len(tags) > TAGS_MAX:
            raise forms.ValidationError(ngettext("At most %(n)d tag.", "At most %(n)d tags.", TAGS_MAX)
                                        % {"n": TAGS_MAX})
        return ", ".join(tags)
