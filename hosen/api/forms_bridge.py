"""The API writes through the pages' own forms, so a record is checked the same way whichever way it comes in:
the same limits, the same rules between fields (a need for a site names the site), the same messages in the
caller's language. JSON values become the form's data; for an edit, the record's current values fill what
the request leaves out (PATCH)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _

from hosen.integrity.versions import VERSION_FIELD, VersionedForm

from .problems import Problem


def _as_data(form, name, value) -> dict:
    """One field's value as a browser would post it."""
    field = form.fields[name]
    widget = field.widget
    if isinstance(widget, forms.MultiWidget):
        parts = widget.decompress(value) if not isinstance(value, (list, tuple)) else value
        return {f"{name}{suffix}": part for suffix, part in zip(widget.widgets_names, parts, strict=False)}
    if isinstance(field, forms.ModelMultipleChoiceField) and value is not None:
        return {name: [getattr(item, "pk", item) for item in value]}
    if isinstance(field, forms.ModelChoiceField) and value is not None:
        return {name: getattr(value, "pk", value)}
    if value is None:
        return {name: False if isinstance(field, forms.BooleanField) else ""}
    if isinstance(value, Decimal):
        return {name: str(value)}  # as a browser sends it: some forms clean amounts as text
    if isinstance(value, bool) and not isinstance(field, forms.BooleanField):
        return {name: "1" if value else "0"}
    return {name: value}


def form_errors(form) -> list[dict]:
    """Per field, in the request's language; errors of the whole form under the field name "" ."""
    return [{"field": "" if name == forms.forms.NON_FIELD_ERRORS else name, "message": str(message)}
            for name, messages in form.errors.items() for message in messages]


def bind(form_class, payload: dict, *, instance=None, **kwargs):
    """The form bound to `payload` (field name → JSON value) over `instance`'s current values, validated; 422
    with each field's message when it is not valid. Unknown names in `payload` are the schema's business: the
    API's input schemas list the form's fields only."""
    unbound = form_class(instance=instance, **kwargs) if instance is not None else form_class(**kwargs)
    data: dict = {}
    if instance is not None:
        for name in unbound.fields:
            data.update(_as_data(unbound, name, unbound[name].value()))
    for name, value in payload.items():
        if name in unbound.fields:
            data.update(_as_data(unbound, name, value))
    if instance is not None and issubclass(form_class, VersionedForm):
        # The version was checked against If-Match on the locked row (guard.current_for_edit): the form's own
        # check sees that same row.
        data[VERSION_FIELD] = form_class.version_for(instance)
    form = form_class(data, instance=instance, **kwargs) if instance is not None else form_class(data, **kwargs)
    if not form.is_valid():
        raise Problem(422, "invalid", _("Some values are missing or not valid."), errors=form_errors(form))
    return form

