"""Reading the field registers: current site statuses, freshness, totals. Shared by the pages,
the evidence providers and the network overview."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from .models import FRESH_FOR, URGENT, Need, NeedStatus, Site, SiteStatus


def latest_status_ids(emergency):
    """A subquery: the id of the newest status report of the outer site in this emergency."""
    return Subquery(
        SiteStatus.objects.filter(site=OuterRef("pk"), emergency=emergency)
        .order_by("-reported_at", "-pk").values("pk")[:1]
    )


def sites_with_status(sites, emergency):
    """[(site, latest status or None)] in two queries, whatever the number of sites."""
    if emergency is None:
        return [(site, None) for site in sites]
    sites = list(sites.annotate(latest_status_id=latest_status_ids(emergency)))
    ids = [s.latest_status_id for s in sites if s.latest_status_id]
    statuses = {st.pk: st for st in SiteStatus.objects.filter(pk__in=ids).select_related("reported_by")}
    return [(site, statuses.get(site.latest_status_id)) for site in sites]


def fresh_since():
    return timezone.now() - FRESH_FOR


def site_freshness(authority, emergency):
    """(active sites, sites with a status fresher than 48 hours) for item 6 and the network list."""
    total = Site.objects.filter(authority=authority, is_active=True).count()
    if emergency is None:
        return total, 0
    fresh = (
        SiteStatus.objects.filter(emergency=emergency, site__is_active=True, reported_at__gte=fresh_since())
        .values("site").distinct().count()
    )
    return total, fresh


def open_urgent_needs(emergency):
    return Need.objects.filter(emergency=emergency, status=NeedStatus.OPEN, urgency__in=URGENT)


def need_counts(needs):
    """Counts by category, urgency and status for the needs list, in one query."""
    return needs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=NeedStatus.OPEN)),
        in_progress=Count("pk", filter=Q(status=NeedStatus.IN_PROGRESS)),
        met=Count("pk", filter=Q(status=NeedStatus.MET)),
        cannot=Count("pk", filter=Q(status=NeedStatus.CANNOT)),
        urgent_open=Count("pk", filter=Q(status=NeedStatus.OPEN, urgency__in=URGENT)),
        emerging=Count("pk", filter=Q(is_emerging=True)),
    )


def network_field_summary(emergencies) -> dict[int, dict[str, int]]:
    """For the network overview: per authority, active sites, stale sites (no status fresher than 48 h
    in its open emergency) and open urgent needs. Three queries for any number of authorities; the
    caller reads across authorities on purpose, inside scopes_disabled()."""
    emergency_ids = [e.pk for e in emergencies]
    authority_ids = [e.authority_id for e in emergencies]
    summary = {a: {"sites": 0, "stale": 0, "urgent": 0} for a in authority_ids}
    for row in (Site.objects.filter(authority_id__in=authority_ids, is_active=True)
                .values("authority_id").annotate(n=Count("pk"))):
        summary[row["authority_id"]]["sites"] = row["n"]
    fresh = (SiteStatus.objects.filter(emergency_id__in=emergency_ids, site__is_active=True,
                                       reported_at__gte=fresh_since())
             .values("authority_id").annotate(n=Count("site_id", distinct=True)))
    fresh_by_authority = {row["authority_id"]: row["n"] for row in fresh}
    for authority_id, counts in summary.items():
        counts["stale"] = counts["sites"] - fresh_by_authority.get(authority_id, 0)
    for row in (Need.objects.filter(emergency_id__in=emergency_ids, status=NeedStatus.OPEN, urgency__in=URGENT)
                .values("authority_id").annotate(n=Count("pk"))):
        summary[row["authority_id"]]["urgent"] = row["n"]
    return summary
