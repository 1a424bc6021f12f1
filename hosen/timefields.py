"""Local date-times in forms, across the clock changes.

A `datetime-local` input gives a wall-clock time with no offset. Most of the year that is one moment, but
not on the two nights a year the clocks change (in Asia/Jerusalem: the Friday before the last Sunday of
March, 02:00 → 03:00, and the last Sunday of October, 02:00 → 01:00):

- in autumn the hour 01:00–01:59 happens twice, first in summer time (+03:00), then in winter time
  (+02:00). `LocalDateTimeField` asks which one is meant: its widget shows a choice of the two next to the
  input, only when the time typed is such a time, and the form says why it is asking. Editing a value that
  is in that hour shows which of the two it is, so saving without a change keeps it.
- in spring the hour 02:00–02:59 does not exist; the form says so and offers the time an hour later.

Django's own DateTimeField turns such times into an error that does not say what to do (and offers no way
to enter the repeated hour at all). This field resolves them with zoneinfo's `fold`.

    happened_at = LocalDateTimeField(label=_("when"), required=False)

The choice is posted as `<name>_occurrence` ("first" or "second"); the input keeps the field's own name
and id, so labels and templates that name the field need nothing new.
"""

from datetime import UTC, datetime

from django import forms
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
INPUT_FORMATS = [LOCAL_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
OCCURRENCE_SUFFIX = "_occurrence"
FIRST, SECOND = "first", "second"
FOLD = {FIRST: 0, SECOND: 1}


# ---- the clock ---------------------------------------------------------------------------------


def _wall(moment, tz):
    """The wall-clock time (naive, no fold) that `moment` shows in `tz`. Through UTC: `astimezone` to the
    tzinfo a datetime already has changes nothing, not even a time the clocks skip."""
    return moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None, fold=0)


def local_kind(naive, tz=None):
    """"ambiguous" when this wall-clock time happens twice in `tz`, "missing" when it never happens (the
    clocks skip it), else "" — for a naive datetime."""
    tz = tz or timezone.get_current_timezone()
    naive = naive.replace(tzinfo=None, fold=0)
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return ""
    return "ambiguous" if _wall(first, tz) == naive else "missing"


def occurrences(naive, tz=None):
    """The two moments of a repeated wall-clock time, first and second, as aware datetimes in `tz`."""
    tz = tz or timezone.get_current_timezone()
    naive = naive.replace(tzinfo=None)
    return naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)


def occurrence_of(moment, tz=None):
    """FIRST or SECOND for an aware moment in a repeated hour, "" for any other moment (or none)."""
    if not isinstance(moment, datetime):
        return ""
    tz = tz or timezone.get_current_timezone()
    local = moment.astimezone(tz) if timezone.is_aware(moment) else moment
    if local_kind(local, tz) != "ambiguous":
        return ""
    return SECOND if local.fold else FIRST


def parse_local(text):
    """A typed date-time as a datetime: aware when the text carries an offset, else naive. None when the
    text is not a date-time in one of INPUT_FORMATS or ISO 8601."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        parsed = parse_datetime(text)
    except ValueError:
        return None
    if parsed is not None:
        return parsed
    for fmt in INPUT_FORMATS:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007 - a wall-clock time, made aware by the caller
        except ValueError:
            continue
    return None


def _offset(moment):
    """UTC+03:00 for a moment three hours ahead of UTC."""
    return "UTC" + moment.isoformat(timespec="minutes")[-6:] if moment.utcoffset() else "UTC"


def _utc(moment):
    return moment.astimezone(UTC) if timezone.is_aware(moment) else moment


def _date(naive):
    return formats.date_format(naive, "j.n.Y")


def _time(naive):
    return formats.time_format(naive, "H:i")


# ---- the widget --------------------------------------------------------------------------------


class LocalDateTimeWidget(forms.MultiWidget):
    """A `datetime-local` input, and under it — only while its time happens twice — the choice of which
    occurrence is meant. The input keeps the field's name and id; the choice is `<name>_occurrence`."""

    use_fieldset = False  # one input to label; the choice, when shown, is a fieldset of its own

    def __init__(self, attrs=None, format=LOCAL_INPUT):
        widgets = {
            "": forms.DateTimeInput(attrs={"type": "datetime-local", **(attrs or {})}, format=format),
            OCCURRENCE_SUFFIX[1:]: forms.RadioSelect(choices=[(FIRST, FIRST), (SECOND, SECOND)]),
        }
        super().__init__(widgets)
        self.format = format

    def decompress(self, value):
        if isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [local.strftime(self.format), occurrence_of(local)]
        return [value or "", ""]

    def id_for_label(self, id_):
        return id_

    def render(self, name, value, attrs=None, renderer=None):
        text, chosen = value if isinstance(value, (list, tuple)) else self.decompress(value)
        final_attrs = self.build_attrs(self.attrs, attrs)
        html = self.widgets[0].render(name, text, final_attrs, renderer)
        typed = parse_local(text)
        if typed is None or timezone.is_aware(typed) or local_kind(typed) != "ambiguous":
            return html
        return html + self._choice(name, final_attrs.get("id"), typed, chosen)

    def _choice(self, name, id_, typed, chosen):
        first, second = occurrences(typed)
        seasons = bool(first.dst()) and not second.dst()
        options = [
            (FIRST, _("The first time — summer time") if seasons else _("The first time"), _offset(first)),
            (SECOND, _("The second time — winter time") if seasons else _("The second time"), _offset(second)),
        ]
        group_id = f"{id_}{OCCURRENCE_SUFFIX}" if id_ else ""
        radios = format_html_join(
            "",
            '<label><input type="radio" name="{}" value="{}"{}{}> <span>{} <bdi dir="ltr">({})</bdi></span></label>',
            ((name + OCCURRENCE_SUFFIX, value, format_html(' id="{}_{}"', group_id, i) if group_id else "",
              " checked" if value == chosen else "", label, offset)
             for i, (value, label, offset) in enumerate(options)))
        question = _("On %(date)s the clocks go back an hour, so %(time)s happens twice. Which one?") % {
            "date": _date(typed), "time": _time(typed)}
        return format_html(
            '<fieldset class="time-twice"{}><legend>{}</legend><div role="radiogroup">{}</div></fieldset>',
            format_html(' id="{}"', group_id) if group_id else "", question, radios)


# ---- the field ---------------------------------------------------------------------------------


class LocalDateTimeField(forms.DateTimeField):
    """A date-time typed as local wall-clock time in the current time zone, cleaned to an aware datetime.
    The repeated autumn hour needs the occurrence chosen; the skipped spring hour is refused with the
    time an hour later offered instead."""

    widget = LocalDateTimeWidget
    # With %(time)s, %(date)s, %(later)s (the skipped time an hour on), %(first)s and %(second)s (the two
    # moments of a repeated time in ISO 8601 with their offsets). A form that offers no choice — a row of an
    # imported file — can pass its own "ambiguous_time" message through `error_messages`.
    default_error_messages = {
        "missing_time": gettext_lazy("%(time)s on %(date)s does not exist: the clocks go forward an hour that "
                                     "night. Did you mean %(later)s?"),
        "ambiguous_time": gettext_lazy("%(time)s on %(date)s happens twice, because the clocks go back an hour "
                                       "that night. Choose which one you mean."),
    }

    def __init__(self, *, input_formats=None, **kwargs):
        super().__init__(input_formats=input_formats or INPUT_FORMATS, **kwargs)

    @staticmethod
    def _parts(value):
        if isinstance(value, (list, tuple)):
            text = value[0] if value else ""
            chosen = value[1] if len(value) > 1 else ""
            return text, chosen
        return value, ""

    def bound_data(self, data, initial):
        if self.disabled:
            return initial
        text, _chosen = self._parts(data)
        # An empty input is an empty value, whatever was left in the choice (templates test `.value`).
        return data if (text or "").strip() else ""

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value)  # keeps `fold`: the widget shows which occurrence it is
        return value

    def to_python(self, value):
        text, chosen = self._parts(value)
        if isinstance(text, datetime):
            moment = text
        else:
            if text in self.empty_values or not str(text).strip():
                return None
            moment = parse_local(str(text))
            if moment is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if timezone.is_aware(moment):
            return moment  # an explicit offset is one moment, whatever the clocks did
        return self._resolve(moment, chosen)

    def _resolve(self, naive, chosen):
        tz = timezone.get_current_timezone()
        kind = local_kind(naive, tz)
        if kind == "missing":
            later = _wall(naive.replace(tzinfo=tz, fold=0), tz)
            raise forms.ValidationError(self.error_messages["missing_time"], code="missing_time", params={
                "time": _time(naive), "date": _date(naive), "later": _time(later)})
        if kind == "ambiguous":
            if chosen not in FOLD:
                first, second = occurrences(naive, tz)
                raise forms.ValidationError(self.error_messages["ambiguous_time"], code="ambiguous_time", params={
                    "time": _time(naive), "date": _date(naive),
                    "first": first.isoformat(timespec="seconds"), "second": second.isoformat(timespec="seconds")})
            return naive.replace(tzinfo=tz, fold=FOLD[chosen])
        # fold is meaningless outside the repeated hour; a naive fold=1 never reaches the database
        return naive.replace(tzinfo=tz, fold=0)

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            data = self.to_python(data)
            initial = self.to_python(initial)
        except forms.ValidationError:
            return True
        if initial is None or data is None:
            return (initial is None) != (data is None)
        # In UTC: two aware datetimes with the same tzinfo compare their wall clocks and ignore `fold`.
        return _utc(initial) != _utc(data)

