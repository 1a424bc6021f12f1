"""The history page's parameters, read through a form: a value the page cannot use is set aside with a note
in the user's language, never a 500 (a day that does not exist, an hour the clocks skip, a year past 9999
once read in UTC)."""

from datetime import UTC

from django import forms
from django.utils.translation import gettext_lazy as _

# One note for each parameter, whatever was wrong with it.
NOTES = {
    "kind": _("There is no such kind of record here; all records are shown."),
    "before": _("The date and time in the page's address is not one this page can show; the newest changes "
                "are shown."),
}


class HistoryFilter(forms.Form):
    kind = forms.ChoiceField(required=False)
    before = forms.DateTimeField(required=False)

    def __init__(self, data, *, kinds):
        super().__init__(data)
        self.fields["kind"].choices = [("", "")] + list(kinds.items())

    def clean_before(self):
        before = self.cleaned_data["before"]
        if before is not None:
            try:
                before.astimezone(UTC)  # the database compares in UTC
            except (OverflowError, ValueError):
                raise forms.ValidationError(NOTES["before"], code="invalid") from None
        return before

    def value(self, name):
        """The parameter when it is given and valid, else None."""
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None

    def notes(self):
        return [NOTES[name] for name in self.fields if name in self.errors]
