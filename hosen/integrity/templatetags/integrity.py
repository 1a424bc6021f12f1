"""`{% form_guard form %}`: what every writing form carries, right after its `{% csrf_token %}`.

- an edit form (a `VersionedForm` on a stored record): the version it was loaded from, and after a stale
  save the side-by-side conflict view;
- a create form (anything else, or `{% form_guard %}` without a form): its submission key, kept across a
  re-shown form (errors, a forced sign-in) so the sending that finally goes through is still the one.
"""

import uuid

from django import template

from ..submissions import SUBMISSION_FIELD
from ..versions import VERSION_FIELD

register = template.Library()


def _key(form):
    data = getattr(form, "data", None) or {}
    try:
        # Never prefixed: the middleware reads the key by its plain name, whatever the form's prefix.
        return str(uuid.UUID(str(data.get(SUBMISSION_FIELD, "")).strip()))
    except ValueError:
        return str(uuid.uuid4())


@register.inclusion_tag("integrity/_guard.html")
def form_guard(form=None, version=None):
    """`version` lets an in-place form (a status button) carry the version of the record it changes."""
    context = {"version_name": VERSION_FIELD, "submission_name": SUBMISSION_FIELD}
    if version is not None:
        return {**context, "version": version}
    if form is not None and hasattr(form, "version_token") and form.instance.pk is not None:
        return {**context, "version": form.version_token, "version_name": form.add_prefix(VERSION_FIELD),
                "conflict": form.conflict}
    return {**context, "submission": _key(form)}


@register.inclusion_tag("integrity/_saved.html", takes_context=True)
def saved_forms(context):
    """Marks for the browser to forget the drafts of the forms saved just before this page (base.html)."""
    from ..drafts import take_saved

    request = context.get("request")
    return {"saved": take_saved(request) if request is not None else []}


@register.simple_tag
def version_input(record, *m2m):
    """The hidden version input of an in-place form (a status button) that changes `record`."""
    from django.utils.html import format_html

    from ..versions import version_of as fingerprint

    return format_html('<input type="hidden" name="{}" value="{}" data-guard>', VERSION_FIELD, fingerprint(record, m2m))
