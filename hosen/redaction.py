"""Phone numbers and e-mail addresses taken out of a text that leaves the authority (the donors' list, the
network's library of practices).

People write contacts the way their phone's keyboard, a WhatsApp message or a Word file gives them:
050–123–4567 with an en dash, 050‑123‑4567 with a non-breaking hyphen, 050·123·4567, 050_123_4567,
+972 (0)50 123 4567, Arabic-Indic digits ٠٥٠١٢٣٤٥٦٧, a right-to-left mark in the middle of the number,
dana＠school.org.il, "dana at school dot org dot il". So the text is first read through a normalised copy —
every dash one "-", every space one " ", every dot-like mark one ".", every digit an ASCII digit, fullwidth
letters plain, invisible direction marks dropped — in which simple patterns find the contacts; what they
find is cut from the original text, and everything else comes back exactly as written.

Ordinary numbers stay: a phone number has at least seven digits, and a run of digits that reads as dates,
times or years (12.03.2026, 10.30–12.30, 2024–2026), as a short list of small numbers (sizes 36 38 40), or as
an amount of money (5000000 ₪) is left alone — unless it starts with "+" or "00", the way only phone
numbers start.
"""

import re
import unicodedata

REMOVED = "[…]"

# Invisible in the text, but they can sit inside a number or an address: direction marks and isolates
# (LRM, RLM, ALM, LRE…PDF, LRI…PDI), zero-width characters, the soft hyphen and the word joiner.
INVISIBLE = set("\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                "\u2060\u2066\u2067\u2068\u2069\ufeff")
DOT_LIKE = set(".\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff65\u3002")
SLASH_LIKE = set("/\u2044\u2215")
DASH_LIKE = set("\u2212\u2796\u2e3a\u2e3b")  # minus signs and long dashes outside the Pd category
AT_LIKE = set("@\ufe6b")
LINE_BREAKS = set("\n\r\u2028\u2029\x0b\x0c\x85")


def _plain(char: str) -> str:
    """One character of the normalised copy (always exactly one, so positions map back one to one)."""
    if char in LINE_BREAKS:
        return "\n"  # a phone number never runs across lines
    if char.isspace() or unicodedata.category(char) == "Zs":
        return " "
    if 0xFF01 <= ord(char) <= 0xFF5E:  # fullwidth ASCII: ＠ － ． ０ Ａ
        char = chr(ord(char) - 0xFEE0)
    if char.isdigit():
        value = unicodedata.decimal(char, None)
        return str(value) if value is not None else char
    if char in DASH_LIKE or unicodedata.category(char) == "Pd":
        return "-"
    if char in DOT_LIKE:
        return "."
    if char in SLASH_LIKE:
        return "/"
    if char in AT_LIKE:
        return "@"
    if char == "\u2017":  # double low line
        return "_"
    return char


def normalised(text: str) -> tuple[str, list[int]]:
    """(the normalised copy, for each of its characters the position of the original character)."""
    chars, positions = [], []
    for position, char in enumerate(text):
        if char in INVISIBLE:
            continue
        chars.append(_plain(char))
        positions.append(position)
    return "".join(chars), positions


# ---- e-mail addresses ----------------------------------------------------------------------------

# Starts only where a word starts: tried from inside a long word, it would read that word again at each of
# its letters (seconds for a 5,000-letter "word").
_LOCAL = r"(?<![\w.+-])[\w.+-]*\w"
_LABEL = r"\w[\w-]*"
_TLD = r"[^\W\d_]{2,24}"


def _bracketed(words: str) -> str:
    """A word or sign in brackets of any kind: [at] (at) {at} <at> [.] (dot)."""
    return r"[\[({<]\s*(?:" + words + r")\s*[\])}>]"


# "@" itself, or an "at" in brackets; then a dot — also with spaces on both sides, or as a word.
_AT_SIGN = r"\s*(?:@|" + _bracketed(r"@|at|שטרודל") + r")\s*"
_DOT_WORD = r"\s*" + _bracketed(r"\.|dot|נקודה") + r"\s*|\s+(?:dot|נקודה)\s+"
_LOOSE_DOT = r"(?:\.|\s+\.\s+|" + _DOT_WORD + r")"
# "at" as a bare word: only with a dot that is unmistakable ("." right between the names, or "dot"), so
# that "we meet at school" stays.
_AT_WORD = r"\s+(?:at|שטרודל)\s+"
_TIGHT_DOT = r"(?:\.|" + _DOT_WORD + r")"

EMAIL = re.compile(
    rf"{_LOCAL}{_AT_SIGN}{_LABEL}(?:{_LOOSE_DOT}{_LABEL})*{_LOOSE_DOT}{_TLD}(?![\w])"
    rf"|{_LOCAL}{_AT_WORD}{_LABEL}(?:{_TIGHT_DOT}{_LABEL})*{_TIGHT_DOT}{_TLD}(?![\w])",
    re.IGNORECASE)


# ---- phone numbers -------------------------------------------------------------------------------

MIN_PHONE_DIGITS = 7
_SEPARATOR = r"[-. _/()\[\]]"
# A run of digits joined by at most four separators at a time, with a leading "+" or "(" when written.
NUMBER_RUN = re.compile(rf"(?:\+\s?|\(\s?\+?\s?)?\d(?:{_SEPARATOR}{{0,4}}\d)*")
_GROUPS = re.compile(rf"\d+|{_SEPARATOR}+")
TOLL_FREE = re.compile(r"1(?:800|801|700|599)\d{6}")
MONEY = re.compile(r"[₪$€£]|ש[\"״]ח|\bNIS\b|\bILS\b|שקל|شيكل|شيقل|ش\.ج", re.IGNORECASE)


def _is_date_or_time(groups: list[str], seps: list[str]) -> bool:
    """Whether the digit groups read as a sequence of dates (12.03.2026, 2026-03-12), day.month or
    hour.minute pairs (12.03, 10.30) and years (2026), one after another. `seps[i]` stands between
    `groups[i]` and `groups[i + 1]`. Read from the end, each position once: linear in the groups."""
    n = [int(g) for g in groups]

    def one_mark(i, marks):
        return i < len(seps) and len(seps[i]) == 1 and seps[i] in marks

    def year(i):
        return len(groups[i]) == 4 and 1900 <= n[i] <= 2099

    def date(i):  # groups i, i+1, i+2
        if i + 2 >= len(groups) or not one_mark(i, "./-") or seps[i] != seps[i + 1]:
            return False
        day_first = len(groups[i]) <= 2 and len(groups[i + 1]) <= 2 and len(groups[i + 2]) in (2, 4) \
            and 1 <= n[i] <= 31 and 1 <= n[i + 1] <= 12
        year_first = year(i) and len(groups[i + 1]) <= 2 and len(groups[i + 2]) <= 2 and 1 <= n[i + 1] <= 12 \
            and 1 <= n[i + 2] <= 31
        return day_first or year_first

    def pair(i):  # groups i, i+1
        if i + 1 >= len(groups) or not one_mark(i, "./:") or len(groups[i]) > 2 or len(groups[i + 1]) != 2:
            return False
        return (1 <= n[i] <= 31 and 1 <= n[i + 1] <= 12) or (n[i] <= 24 and n[i + 1] <= 59)

    tiles = [False] * len(groups) + [True]  # tiles[i]: groups[i:] read as dates, times and years
    for i in range(len(groups) - 1, -1, -1):
        tiles[i] = (date(i) and tiles[i + 3]) or (pair(i) and tiles[i + 2]) or (year(i) and tiles[i + 1])
    return tiles[0]


def _small_numbers(groups: list[str]) -> bool:
    """Sizes, rooms, ages: every group at most three digits, none with a leading zero (which a phone
    number's area code has)."""
    return all(len(g) <= 3 and not (g.startswith("0") and len(g) > 1) for g in groups)


def is_phone(run: str, before: str = "", after: str = "") -> bool:
    """Whether a run of digits and separators (of the normalised text) is a phone number."""
    digits = re.sub(r"\D", "", run)
    if len(digits) < MIN_PHONE_DIGITS:
        return False
    if run.lstrip("( ").startswith("+") or digits.startswith("00"):
        return True  # the international prefix: only phone numbers are written so
    if TOLL_FREE.fullmatch(digits):
        return True
    parts = _GROUPS.findall(run.strip("()[] "))
    groups = [p for p in parts if p[0].isdigit()]
    seps = [p for p in parts if not p[0].isdigit()]
    if _is_date_or_time(groups, seps) or _small_numbers(groups):
        return False
    if not digits.startswith("0") and (MONEY.search(before[-6:]) or MONEY.search(after[:6])):
        return False
    return True


# ---- the whole text ------------------------------------------------------------------------------


def contact_spans(text: str) -> list[tuple[int, int]]:
    """[(start, end)] of the phone numbers and e-mail addresses in `text`, in order, not overlapping."""
    plain, positions = normalised(text)
    found = []
    for match in EMAIL.finditer(plain):
        found.append((match.start(), match.end()))
    # An address's characters are out of the phone search (its digits are no phone number of their own).
    masked = list(plain)
    for start, end in found:
        masked[start:end] = "#" * (end - start)
    masked = "".join(masked)
    for match in NUMBER_RUN.finditer(masked):
        start, end = match.span()
        if match.group().startswith("(") and match.group().count("(") > match.group().count(")"):
            start += 1  # "(050-1234567)": the brackets are the sentence's, not the number's
        if is_phone(masked[start:end], masked[max(0, start - 8):start], masked[end:end + 8]):
            found.append((start, end))
    spans = []
    for start, end in sorted(found):
        span = (positions[start], positions[end - 1] + 1)
        if spans and span[0] <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], span[1]))
        else:
            spans.append(span)
    return spans


def redact(text) -> str:
    """`text` with its phone numbers and e-mail addresses replaced by "[…]"; otherwise exactly as written."""
    text = str(text or "")
    pieces, last = [], 0
    for start, end in contact_spans(text):
        pieces += [text[last:start], REMOVED]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
