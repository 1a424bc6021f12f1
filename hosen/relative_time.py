"""How long ago something happened, in words and with each language's plural forms.

Django's `timesince` and humanize's `naturaltime` join a number with a noun through catalogs of their own, in
which Arabic has one form for every number ("منذ 5 ساعة") and Hebrew reads "לפני 0 דקות". Here every count goes
through `ngettext` with Hosen's catalogs (Hebrew: one, two, tens, other; Arabic: zero, one, two, few, many,
other), and under a minute is "just now", not a number of seconds.

    {% load hosen %}{{ status.reported_at|ago }}
"""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Past this, a count of days says less than the date itself.
DAYS_COUNTED = 30


def time_ago(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return ""
    now = now or timezone.now()
    # A time a little in the future (clocks of phones that reported it) reads as now too.
    minutes = int((now - when).total_seconds() // 60)
    if minutes < 1:
        return _("just now")
    if minutes < 60:
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {"count": minutes}
    hours = minutes // 60
    if hours < 24:
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
    days = hours // 24
    if days < DAYS_COUNTED:
        return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}
    return _("on %(date)s") % {"date": formats.date_format(timezone.localtime(when), "j.n.Y")}
