"""A sentence of ours that names something someone typed, for a place that takes markup (a form field's
help text): the sentence and the name are both escaped, and the name is isolated in <bdi>, so a Hebrew
name in an English sentence (or a Latin one in Hebrew) keeps its own direction and leaves the sentence's
quotes and full stop where they belong."""

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def naming(sentence, **names) -> SafeString:
    """`naming(_("In the emergency “%(name)s”."), name=emergency.name)`."""
    isolated = {key: format_html("<bdi>{}</bdi>", value) for key, value in names.items()}
    return mark_safe(conditional_escape(sentence) % isolated)  # noqa: S308  every part escaped just above
