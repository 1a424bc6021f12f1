from datetime import datetime

from django import template
from django.utils import timezone

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


@register.filter
def iso(when):
    """`<time datetime="{{ entry.happened_at|iso }}">`: the moment in ISO 8601 with its offset, to the second, in the
    current time zone as the text beside it. HTML allows at most three digits of a second; `date:"c"` writes six."""
    if not when:
        return ""
    if isinstance(when, datetime):
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        when = when.replace(microsecond=0)
    return when.isoformat()
