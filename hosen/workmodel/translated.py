"""Model content in three languages: one column per language, read through the active language."""

from django.db import models
from django.utils.translation import get_language

LANGS = ("he", "ar", "en")


# A text of the model's content (a stage's purpose, a checklist item) in one language: the longest one
# written so far is about 600 characters.
CONTENT_MAX = 4000


def translated_fields(field_class=models.TextField, **kwargs):
    """Three columns for one text: `title_he, title_ar, title_en = translated_fields(...)`."""
    if field_class is models.TextField:
        kwargs.setdefault("max_length", CONTENT_MAX)
    return tuple(field_class(**kwargs) for _ in LANGS)


class Translated:
    """Mixin: `obj.tr("title")` is the title in the active language, Hebrew when that is empty."""

    def tr(self, name: str) -> str:
        lang = (get_language() or "he")[:2]
        if lang not in LANGS:
            lang = "he"
        return getattr(self, f"{name}_{lang}") or getattr(self, f"{name}_he")

    def __str__(self):
        for name in ("title", "name", "text", "readiness"):
            if hasattr(self, f"{name}_he"):
                return self.tr(name)[:80]
        return super().__str__()
