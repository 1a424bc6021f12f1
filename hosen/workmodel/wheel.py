"""Geometry of the wheel: the model's diagram drawn as SVG by the template `workmodel/_wheel.html`.

Four stages on a ring around the accompanying axis, and the seven ring principles on an outer band.
All numbers are in the SVG's 400×400 user space; the template only places what this module computes.
"""

import math
from dataclasses import dataclass

CENTER = 200.0
AXIS_R = 58.0
STAGE_INNER_R, STAGE_OUTER_R = 64.0, 156.0
PROGRESS_R = 161.0
RING_INNER_R, RING_OUTER_R = 167.0, 199.5
GAP_DEG = 2.0
LINE_HEIGHT = 12.5


def _point(radius: float, degrees: float) -> tuple[float, float]:
    # 0° is twelve o'clock and angles grow clockwise, as a reader of the diagram counts stages.
    rad = math.radians(degrees - 90)
    return CENTER + radius * math.cos(rad), CENTER + radius * math.sin(rad)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def annular_sector(r1: float, r2: float, start: float, end: float) -> str:
    large = 1 if end - start > 180 else 0
    x1, y1 = _point(r2, start)
    x2, y2 = _point(r2, end)
    x3, y3 = _point(r1, end)
    x4, y4 = _point(r1, start)
    return (
        f"M{_fmt(x1)} {_fmt(y1)} A{r2:.0f} {r2:.0f} 0 {large} 1 {_fmt(x2)} {_fmt(y2)} "
        f"L{_fmt(x3)} {_fmt(y3)} A{r1:.0f} {r1:.0f} 0 {large} 0 {_fmt(x4)} {_fmt(y4)}Z"
    )


def arc(radius: float, start: float, end: float, reverse: bool = False) -> str:
    """An open arc, for progress and for text paths. `reverse` runs it anticlockwise, so text on the
    lower half of the ring reads upright."""
    a, b = (end, start) if reverse else (start, end)
    x1, y1 = _point(radius, a)
    x2, y2 = _point(radius, b)
    large = 1 if abs(end - start) > 180 else 0
    sweep = 0 if reverse else 1
    return f"M{_fmt(x1)} {_fmt(y1)} A{radius:.0f} {radius:.0f} 0 {large} {sweep} {_fmt(x2)} {_fmt(y2)}"


def wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines[:4]


@dataclass
class StageSlice:
    stage: object
    progress: object  # workmodel.progress.StageProgress or None
    url: str
    path: str
    progress_path: str
    label_x: float
    number_y: float
    lines: list[tuple[str, float]]  # (text, y)
    percent_y: float


@dataclass
class RingLine:
    id: str
    path: str
    text: str


@dataclass
class PrincipleLabel:
    lines: list[RingLine]
    font_size: float


def stage_slices(stages, progress_by_key, url_for) -> list[StageSlice]:
    slices = []
    for index, stage in enumerate(stages):
        start, end = index * 90 + GAP_DEG, (index + 1) * 90 - GAP_DEG
        progress = progress_by_key.get(stage.key)
        share = progress.share if progress else 0
        progress_path = arc(PROGRESS_R, start, start + (end - start) * share) if share > 0 else ""
        x, y = _point((STAGE_INNER_R + STAGE_OUTER_R) / 2 + 6, (start + end) / 2)
        words = wrap(stage.tr("wheel_label"), 13)
        # Number, label lines and percentage stacked and centred on the sector's middle.
        top = y - (LINE_HEIGHT * (len(words) + 2)) / 2 + LINE_HEIGHT
        lines = [(text, round(top + LINE_HEIGHT * (i + 1), 1)) for i, text in enumerate(words)]
        slices.append(
            StageSlice(stage, progress, url_for(stage), annular_sector(STAGE_INNER_R, STAGE_OUTER_R, start, end),
                       progress_path, round(x, 1), round(top, 1), lines,
                       round(top + LINE_HEIGHT * (len(words) + 1), 1))
        )
    return slices


CHAR_EM = 0.52  # average advance of a character, in em, for Hebrew, Arabic and Latin alike
RING_FONT_MAX, RING_FONT_MIN = 10.5, 8.5


def split_in_two(text: str) -> list[str]:
    """Two lines of about equal length, broken between words."""
    words = text.split()
    if len(words) < 2:
        return [text]
    best = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return [" ".join(words[:best]), " ".join(words[best:])]


def principle_labels(principles) -> list[PrincipleLabel]:
    """Each principle on its stretch of the ring; a label too long for one line takes two concentric
    lines, so that nothing is cut or shrunk below legibility on a phone."""
    labels = []
    count = len(principles) or 1
    span = 360 / count
    middle_r = (RING_INNER_R + RING_OUTER_R) / 2
    for index, principle in enumerate(principles):
        start, end = index * span + 1, (index + 1) * span - 1
        lower_half = 90 < (start + end) / 2 < 270
        title = principle.tr("title")
        arc_length = math.radians(end - start) * middle_r * 0.94
        if arc_length / (CHAR_EM * len(title)) >= RING_FONT_MAX + 1:
            texts, radii = [title], [middle_r + (3 if lower_half else -3)]
        else:
            texts = split_in_two(title)
            # Upright text: on the upper half the first line is the outer one, on the lower half the inner.
            radii = [middle_r + 4.5, middle_r - 7.5] if not lower_half else [middle_r - 2, middle_r + 10]
        longest = max(len(t) for t in texts)
        largest = RING_FONT_MAX if len(texts) == 1 else RING_FONT_MAX - 1  # two lines need air between them
        font_size = max(RING_FONT_MIN, min(largest, arc_length / (CHAR_EM * longest)))
        lines = [RingLine(f"ring-{principle.key}-{n}", arc(radius, start, end, reverse=lower_half), text)
                 for n, (text, radius) in enumerate(zip(texts, radii, strict=True))]
        labels.append(PrincipleLabel(lines, round(font_size, 1)))
    return labels


def ring_path() -> str:
    return annular_sector(RING_INNER_R, RING_OUTER_R, 0, 359.99)
