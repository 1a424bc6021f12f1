"""Names as people type them — on a phone, in Hebrew or Arabic, pasted from WhatsApp — made comparable: the
same name with a double space, a trailing right-to-left mark or a no-break space is the same name, before
any uniqueness check (the importer reads names the same way)."""

import re
import unicodedata

from django import forms

# Bidirectional marks and embeddings that are invisible in the text but make two equal names differ:
# LRM, RLM, ALM, LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI, and the zero-width joiners and BOM.
INVISIBLE = re.compile("[\u200b-\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")
SPACES = re.compile(r"\s+")


def normalize_name(text) -> str:
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = INVISIBLE.sub("", text)
    return SPACES.sub(" ", text).strip()


class NameField(forms.CharField):
    """A name: trimmed, inner spaces collapsed, invisible direction marks removed."""

    def to_python(self, value):
        return normalize_name(super().to_python(value))
