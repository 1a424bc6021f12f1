"""Hosen's own words for what every form says by default, in Hebrew, Arabic and English.

Django's defaults showed through on every form: "---------" as the empty choice, "יש להזין תוכן בשדה זה"
("enter content in this field") for a choice left empty, "יש לוודא שערך זה גדול מ או שווה ל־1" for a number
under its minimum. Giving each of some fifty forms its own messages would miss the next form, so `install()`
(called once at start-up, from the workmodel app's `ready`) sets the defaults that every form field and
validator falls back to. A field or form that names its own message or empty label keeps it.

Messages whose English is already right keep Django's msgid: Hosen's catalog then carries its own Hebrew and
Arabic for them, and it is looked up before Django's.
"""

from django import forms
from django.core import validators
from django.forms import models as model_forms
from django.forms.widgets import ChoiceWidget, RadioSelect
from django.utils.translation import gettext_lazy as _

# What Django writes as the empty choice of a select, and of a radio group for an optional model field.
DJANGO_EMPTY_LABEL = "---------"

REQUIRED = _("This field is required.")
CHOOSE_REQUIRED = _("Choose one of the options.")
EMPTY_SELECT = _("Choose…")
EMPTY_RADIO = _("Not stated")

# Django's message for each (class, key), replaced by Hosen's. Subclasses that set none of their own
# (TypedChoiceField, ModelChoiceField's required…) inherit these through Django's own lookup along the MRO.
FIELD_MESSAGES = {
    forms.Field: {"required": REQUIRED},
    forms.ChoiceField: {
        "required": CHOOSE_REQUIRED,
        "invalid_choice": _("Select a valid choice. “%(value)s” is not one of the options."),
    },
    forms.MultipleChoiceField: {
        "required": _("Choose at least one of the options."),
        "invalid_choice": _("Select a valid choice. “%(value)s” is not one of the options."),
        "invalid_list": _("Choose from the options shown."),
    },
    model_forms.ModelChoiceField: {
        "required": CHOOSE_REQUIRED,
        "invalid_choice": _("Select a valid choice. That one is no longer among the options: choose again."),
    },
    model_forms.ModelMultipleChoiceField: {
        "required": _("Choose at least one of the options."),
        "invalid_choice": _("Select a valid choice. “%(value)s” is not one of the options."),
        "invalid_list": _("Choose from the options shown."),
        "invalid_pk_value": _("Select a valid choice. “%(pk)s” is not one of the options."),
    },
    forms.IntegerField: {"invalid": _("Enter a whole number.")},
    forms.FloatField: {"invalid": _("Enter a number.")},
    forms.DecimalField: {"invalid": _("Enter a number.")},
    forms.DateField: {"invalid": _("Enter a valid date.")},
    forms.TimeField: {"invalid": _("Enter a valid time.")},
    forms.DateTimeField: {"invalid": _("Enter a valid date and time.")},
}

VALIDATOR_MESSAGES = {
    validators.MinValueValidator: _("Enter %(limit_value)s or more."),
    validators.MaxValueValidator: _("Enter %(limit_value)s or less."),
}


def _empty_label(widget, label):
    if label != DJANGO_EMPTY_LABEL:
        return label
    return EMPTY_RADIO if isinstance(widget, RadioSelect) else EMPTY_SELECT


def install():
    for field_class, messages in FIELD_MESSAGES.items():
        # Each class's own dict (Django's class attribute is shared by every form of the process).
        field_class.default_error_messages = {**field_class.__dict__.get("default_error_messages", {}), **messages}
    for validator_class, message in VALIDATOR_MESSAGES.items():
        validator_class.message = message

    # The empty choice: Django bakes "---------" into the choices (model fields with blank=True) and into
    # ModelChoiceField's default empty_label, both as default arguments; renaming it where options are drawn
    # reaches every select and radio group, and leaves a label a form chose itself untouched.
    if getattr(ChoiceWidget.create_option, "hosen_empty_label", False):
        return
    django_create_option = ChoiceWidget.create_option

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        if value in ("", None):
            label = _empty_label(self, label)
        return django_create_option(self, name, value, label, selected, index, subindex=subindex, attrs=attrs)

    create_option.hosen_empty_label = True
    ChoiceWidget.create_option = create_option
