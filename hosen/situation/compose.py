"""The current picture, and the update text composed from it.

`current_picture` reads the registers (a handful of queries whatever their size); `whatsapp_text` turns a
picture into text for a WhatsApp group or an e-mail, in the active language: *bold* headings, short lines,
bullets, no HTML. The two are apart so the text can be checked against a picture made by hand.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hosen.field.models import NeedCategory, Site, SiteState, SiteStatus, Urgency
from hosen.field.queries import fresh_since, open_urgent_needs

from .models import EntryKind, LogEntry

TOP_NEEDS = 3
DECISIONS_SHOWN = 5
DECISIONS_SINCE = timedelta(hours=24)
LINE_MAX = 70  # characters of user text on one line of the update


@dataclass
class Picture:
    authority_name: str
    emergency_name: str
    at: datetime
    # Open urgent needs: total, [(category label, count)] largest first, and the top items' texts.
    urgent_total: int = 0
    urgent_by_category: list[tuple[str, int]] = field(default_factory=list)
    urgent_top: list[str] = field(default_factory=list)
    # Sites: active sites, [(status label, count)] in the status order, those with no status, and stale ones
    # (no status in the last 48 hours, never-reported included).
    sites_total: int = 0
    sites_by_status: list[tuple[str, int]] = field(default_factory=list)
    sites_no_status: int = 0
    sites_stale: int = 0
    # Decisions logged in the last 24 hours: [(when, text)] newest first.
    decisions: list[tuple[datetime, str]] = field(default_factory=list)


def current_picture(authority, emergency, now=None) -> Picture:
    """What the registers show now. Five queries."""
    now = now or timezone.now()
    picture = Picture(authority.name, emergency.name, now)

    urgent = open_urgent_needs(emergency).filter(authority=authority)
    labels = dict(NeedCategory.choices)
    rows = sorted(urgent.order_by().values("category").annotate(n=Count("pk")), key=lambda r: (-r["n"], r["category"]))
    picture.urgent_by_category = [(str(labels.get(r["category"], r["category"])), r["n"]) for r in rows]
    picture.urgent_total = sum(n for _label, n in picture.urgent_by_category)
    urgency_labels = dict(Urgency.choices)
    picture.urgent_top = [
        f"{_short(need.description)} ({urgency_labels[need.urgency]})"
        for need in urgent.order_by("-urgency", "created_at", "pk").only("description", "urgency")[:TOP_NEEDS]
    ]

    latest = Subquery(SiteStatus.objects.filter(site=OuterRef("pk"), emergency=emergency)
                      .order_by("-reported_at", "-pk").values("status")[:1])
    by_status = {}
    for row in (Site.objects.filter(authority=authority, is_active=True).annotate(current=latest)
                .order_by().values("current").annotate(n=Count("pk"))):
        by_status[row["current"]] = row["n"]
    picture.sites_total = sum(by_status.values())
    picture.sites_no_status = by_status.get(None, 0)
    picture.sites_by_status = [(str(label), by_status[value]) for value, label in SiteState.choices
                               if by_status.get(value)]
    fresh = (SiteStatus.objects.filter(emergency=emergency, site__is_active=True, reported_at__gte=fresh_since())
             .values("site").distinct().count())
    picture.sites_stale = picture.sites_total - fresh

    decisions = (LogEntry.objects.filter(emergency=emergency, kind=EntryKind.DECISION,
                                         happened_at__gte=now - DECISIONS_SINCE, happened_at__lte=now)
                 .order_by("-happened_at", "-pk").values_list("happened_at", "text")[:DECISIONS_SHOWN])
    picture.decisions = list(decisions)
    return picture


def _short(text, limit=LINE_MAX):
    """User text on one short line: newlines folded, WhatsApp's formatting marks left inert, cut at a word."""
    line = " ".join((text or "").split())
    line = line.replace("*", "∗").replace("_", " ").replace("~", "-").replace("`", "'")
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0] or line[: limit - 1]
    return cut.rstrip(" ,.;:-") + "…"


def _time(value):
    return formats.date_format(timezone.localtime(value), "H:i")


def whatsapp_text(picture: Picture) -> str:
    """The update as text: *bold* headings, one fact a line, "•" bullets, no HTML."""
    when = formats.date_format(timezone.localtime(picture.at), "j.n.Y H:i")
    lines = [f"*{_short(picture.authority_name)} — {_short(picture.emergency_name)}*",
             _("Situation update, %(when)s") % {"when": when}, ""]

    lines.append("*" + ngettext("%(count)d urgent need open", "%(count)d urgent needs open",
                                picture.urgent_total) % {"count": picture.urgent_total} + "*")
    lines += [f"• {label}: {count}" for label, count in picture.urgent_by_category]
    if picture.urgent_top:
        lines.append(_("Most urgent:"))
        lines += [f"– {text}" for text in picture.urgent_top]
    lines.append("")

    lines.append("*" + ngettext("%(count)d site", "%(count)d sites", picture.sites_total)
                 % {"count": picture.sites_total} + "*")
    lines += [f"• {label}: {count}" for label, count in picture.sites_by_status]
    # Each label translated on its own line: xgettext does not read inside f-strings.
    if picture.sites_no_status:
        no_status = _("No status yet")
        lines.append(f"• {no_status}: {picture.sites_no_status}")
    if picture.sites_stale:
        stale = _("Not updated in 48 hours")
        lines.append(f"• {stale}: {picture.sites_stale}")
    lines.append("")

    lines.append("*" + _("Decisions in the last 24 hours") + "*")
    if picture.decisions:
        lines += [f"• {_time(when)} {_short(text)}" for when, text in picture.decisions]
    else:
        lines.append(_("No new decisions."))
    return "\n".join(lines).strip() + "\n"


def compose(authority, emergency, now=None) -> str:
    return whatsapp_text(current_picture(authority, emergency, now))

