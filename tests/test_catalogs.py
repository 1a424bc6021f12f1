"""The Hebrew and Arabic catalogs are complete: every message translated, every plural in all of its forms.

A plural missing one form shows English for just those numbers (Hebrew's catalog has four forms: one, two,
tens, other; Arabic's six), which no look at one page with one number would catch."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["he", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("gettext's msgfmt is not installed")
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run([msgfmt, "--statistics", "-o", "/dev/null", str(po)],  # noqa: S603 (our own file)
                            capture_output=True, text=True, check=True)
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_has_a_translation_for_every_number(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    plurals = {key[0] for key in catalog._catalog if isinstance(key, tuple)}
    assert plurals
    missing = sorted({(msgid, n) for msgid in plurals for n in range(0, 1001)
                      if not catalog._catalog.get((msgid, catalog.plural(n)))})
    assert not missing, missing[:10]
