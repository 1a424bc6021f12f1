from django import template

from hosen.relative_time import time_ago

register = template.Library()


@register.filter
def tr(obj, field):
    """Model content in the active language: `{{ stage|tr:"title" }}`."""
    return obj.tr(field) if obj is not None else ""


@register.filter
def paragraphs(text):
    """Split model text into paragraphs on blank lines or single newlines."""
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


@register.filter
def ago(when):
    """`{{ status.reported_at|ago }}`: "just now", "5 hours ago", with the language's plural forms."""
    return time_ago(when)
