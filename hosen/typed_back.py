"""What someone typed into a token form that can no longer take it (the link was revoked or expired while
they wrote), given back to them in words: each field's label and what they wrote or chose, and the whole
as one text to copy and send again through a new link. Nothing of it is stored.

A link that no longer works shows nothing of the authority's records: a choice among them (a site of a
group link) is left out, even if the person sent its id. Choices from the shared vocabulary (skills)
and the form's own fixed choices are shown in words.
"""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hosen.tenancy.models import TenantModel


def _private_choice(field) -> bool:
    """A choice among the authority's own rows: never named on a page a dead link opens."""
    if not isinstance(field, forms.ModelChoiceField):
        return False
    return field.queryset is None or issubclass(field.queryset.model, TenantModel)


def _choice_words(field) -> dict[str, str]:
    if isinstance(field, forms.ModelChoiceField):
        return {str(obj.pk): str(field.label_from_instance(obj)) for obj in field.queryset}
    words = {}
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # a group of choices
            words.update({str(v): str(text) for v, text in label})
        else:
            words[str(value)] = str(label)
    return words


def _shown_fields(fields):
    for name, field in fields.items():
        if field.widget.is_hidden or isinstance(field.widget, forms.PasswordInput) or _private_choice(field):
            continue
        yield name, field


def _chosen(field, values) -> str:
    values = [str(v) for v in values if v not in (None, "")]
    if not values:
        return ""
    # The choice the form starts with (an urgency already ticked) says nothing the person chose.
    if not isinstance(field, forms.MultipleChoiceField) and field.initial is not None and values == [
            str(field.initial)]:
        return ""
    if isinstance(field, forms.ModelChoiceField):
        try:
            found = {str(obj.pk): str(field.label_from_instance(obj))
                     for obj in field.queryset.filter(pk__in=values)}
        except (ValueError, TypeError, ValidationError):  # a forged id that is not an id
            found = {}
        return ", ".join(found[v] for v in values if v in found)
    words = _choice_words(field)
    return ", ".join(words.get(v, v) for v in values)


def typed_back(fields, data) -> list[tuple[str, str]]:
    """[(label, what was written or chosen)] of every field of `fields` (a form's fields) that holds
    something in `data` (request.POST), in the form's order. A ticked box reads "Yes"."""
    rows = []
    for name, field in _shown_fields(fields):
        value = field.widget.value_from_datadict(data, {}, name)
        if isinstance(field.widget, forms.CheckboxInput):
            text = _("Yes") if value else ""
        elif isinstance(field, forms.ChoiceField):
            text = _chosen(field, value if isinstance(value, list | tuple) else [value])
        else:
            text = value.strip() if isinstance(value, str) else ""
        if text:
            rows.append((str(field.label), text))
    return rows


def as_text(rows) -> str:
    """The rows as one plain text, to copy into a message or a new form."""
    lines = []
    for label, text in rows:
        if "\n" in text:
            lines.append(f"{label}\n{text}")
        else:
            lines.append(f"{label}{' ' if label.endswith(('?', ':', '؟')) else ': '}{text}")
    return "\n".join(lines)


def field_guide(fields) -> str:
    """The same fields for the page's script, which reads a draft kept on the phone: a JSON list of
    [name, label, kind, {value: words}, initial], kind "bool" for a box, "choice" or "text"."""
    guide = []
    for name, field in _shown_fields(fields):
        if isinstance(field.widget, forms.CheckboxInput):
            guide.append([name, str(field.label), "bool", {}, ""])
        elif isinstance(field, forms.ChoiceField):
            initial = "" if isinstance(field, forms.MultipleChoiceField) or field.initial is None else str(
                field.initial)
            guide.append([name, str(field.label), "choice", _choice_words(field), initial])
        else:
            guide.append([name, str(field.label), "text", {}, ""])
    return json.dumps(guide, ensure_ascii=False)


def gone_context(request, *, fields, keep, authority=None, shared_by=None) -> dict:
    """The context of a "no longer valid" page: whom to ask for a new link (the authority, and by name the
    person who shared the link: a name only, never their e-mail or phone), and what was typed — from the
    request when it was sent, else from the phone's kept draft by the page's script."""
    context = {"authority": authority, "shared_by": (shared_by.full_name or "").strip() if shared_by else ""}
    if request.method == "POST":
        rows = typed_back(fields, request.POST)
        context.update(typed=rows, typed_text=as_text(rows))
    else:
        context.update(keep=keep, guide=field_guide(fields))
    return context
