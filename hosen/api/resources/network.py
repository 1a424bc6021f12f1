"""For the network's roles — the network admin and the cluster coordinators — what the network overview page shows
(hosen/tenancy/views.py, network_dashboard): every authority they support with its open emergency and phase, its
latest checklist round, its open urgent needs, its stale sites and its checklist progress per stage, and the
emergencies counted by phase. A coordinator sees her own cluster; anyone else is refused (403).

It reads across authorities on purpose, as the page does, with the page's queries: a constant number for any
number of authorities. It never shows people's contacts, and never the private check-in."""

from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django_scopes import scopes_disabled
from ninja import Field, Query, Router, Schema

from hosen.field.queries import network_field_summary
from hosen.tenancy.models import Cluster
from hosen.tenancy.views import _overseen_authorities as overseen_authorities
from hosen.workmodel.models import Emergency, EmergencyKind, Phase, Round, Stage
from hosen.workmodel.progress import progress_for_rounds

from ..listing import ListQuery, _next_url
from ..schemas import documented
from ..tokens import token_authority_id
from .common import READ_ERRORS, one_of

router = Router(tags=["network"])

OPEN_PHASES = [phase for phase in Phase.values if phase != Phase.CLOSED]


class EmergencySummary(Schema):
    id: int
    name: str
    kind: one_of(EmergencyKind)
    phase: one_of(Phase)
    started_on: str = Field(description="A date (YYYY-MM-DD).")


class StageProgress(Schema):
    stage: str = Field(description="The stage's key: 1 to 4, X for the accompanying axis.")
    percent: int = Field(description="Done counts whole, partly half; items not relevant leave the count.")
    answered: int
    total: int


class AuthoritySummary(Schema):
    slug: str
    name: str
    cluster: int
    cluster_name: str
    emergency: EmergencySummary | None = Field(description="Its open emergency; null when none is open.")
    round: int | None = Field(description="The number of the emergency's latest checklist round.")
    urgent_needs: int | None = Field(description="Open needs of high or critical urgency in the open emergency.")
    sites: int | None = Field(description="Its active sites (with an open emergency).")
    stale_sites: int | None = Field(description="Active sites without a status from the last 48 hours.")
    progress: list[StageProgress] = Field(description="Checklist progress of the latest round, per stage.")


class PhaseCount(Schema):
    phase: one_of(Phase)
    count: int


class ClusterRef(Schema):
    id: int
    name: str


class Overview(Schema):
    counts: list[PhaseCount] = Field(description="Open emergencies by phase, across every authority you support.")
    clusters: list[ClusterRef] = Field(description="The clusters of the authorities you support.")
    results: list[AuthoritySummary]
    next: str | None = None


class ClusterOverview(Schema):
    id: int
    name: str
    counts: list[PhaseCount] = Field(description="Open emergencies by phase, across the cluster's authorities.")
    results: list[AuthoritySummary]
    next: str | None = None


class OverviewFilters(Schema):
    cluster: int | None = Field(None, description="A cluster's id: its authorities only.")


def _supported(request):
    """The authorities the caller supports (403 for a role that supports none), within the token's one authority
    when it is bound to one."""
    authorities, _is_network_admin = overseen_authorities(request.user)
    bound = token_authority_id(request)
    return authorities.filter(pk=bound) if bound is not None else authorities


def _counts(authorities):
    by_phase = dict(Emergency.objects.filter(authority__in=authorities).exclude(phase=Phase.CLOSED)
                    .values_list("phase").annotate(n=Count("pk")))
    return [{"phase": phase, "count": by_phase.get(phase, 0)} for phase in OPEN_PHASES]


def _rows(request, authorities, page):
    """One page of authorities, by id, each with what the overview's row shows: the page's queries."""
    after = page.cursor or 0
    chosen = list(authorities.filter(pk__gt=after).order_by("pk")[: page.limit + 1])
    more = len(chosen) > page.limit
    chosen = chosen[: page.limit]
    emergencies = {
        e.authority_id: e
        for e in Emergency.objects.filter(authority_id__in=[a.pk for a in chosen]).exclude(phase=Phase.CLOSED)
        .annotate(latest_round_id=Subquery(
            Round.objects.filter(emergency=OuterRef("pk")).order_by("-number").values("pk")[:1]))
    }
    latest_rounds = {r.emergency_id: r for r in Round.objects.filter(
        pk__in=[e.latest_round_id for e in emergencies.values() if e.latest_round_id])}
    progress = progress_for_rounds([r.pk for r in latest_rounds.values()])
    field = network_field_summary(list(emergencies.values()))
    stages = [s.key for s in Stage.objects.order_by("order")]
    rows = []
    for authority in chosen:
        emergency = emergencies.get(authority.pk)
        current = latest_rounds.get(emergency.pk) if emergency else None
        stage_progress = progress.get(current.pk, {}) if current else {}
        counts = field.get(authority.pk)
        rows.append({
            "slug": authority.slug, "name": authority.name, "cluster": authority.cluster_id,
            "cluster_name": authority.cluster.name,
            "emergency": {"id": emergency.pk, "name": emergency.name, "kind": emergency.kind, "phase": emergency.phase,
                          "started_on": emergency.started_on.isoformat()} if emergency else None,
            "round": current.number if current else None,
            "urgent_needs": counts["urgent"] if counts else None,
            "sites": counts["sites"] if counts else None,
            "stale_sites": counts["stale"] if counts else None,
            "progress": [{"stage": key, "percent": stage_progress[key].percent,
                          "answered": stage_progress[key].answered, "total": stage_progress[key].total}
                         for key in stages if key in stage_progress],
        })
    return rows, (_next_url(request, chosen[-1].pk) if more else None)


@router.get("/overview/", response=Overview, url_name="network_overview", openapi_extra=documented(READ_ERRORS))
def overview(request, filters: Query[OverviewFilters], page: Query[ListQuery]):
    """Every authority you support at a glance, a page at a time: its open emergency and phase, its latest round,
    its open urgent needs, its stale sites and its checklist progress per stage. For network admins and cluster
    coordinators; 403 for anyone else."""
    authorities = _supported(request)
    with scopes_disabled():
        clusters = list(Cluster.objects.filter(pk__in=authorities.values("cluster")).order_by("name", "pk"))
        shown = authorities.filter(cluster_id=filters.cluster) if filters.cluster is not None else authorities
        rows, next_url = _rows(request, shown, page)
        counts = _counts(authorities)
    return {"counts": counts, "clusters": [{"id": c.pk, "name": c.name} for c in clusters], "results": rows,
            "next": next_url}


@router.get("/clusters/{cluster_id}/", response=ClusterOverview, url_name="network_cluster",
            openapi_extra=documented(READ_ERRORS))
def cluster(request, cluster_id: int, page: Query[ListQuery]):
    """One cluster you support: its authorities as the overview shows them, and its open emergencies by phase. A
    coordinator reaches her own cluster only (another is not found); 403 for anyone who supports none."""
    authorities = _supported(request)
    with scopes_disabled():
        found = Cluster.objects.filter(pk=cluster_id, pk__in=authorities.values("cluster")).first()
        if found is None:
            raise Http404
        mine = authorities.filter(cluster=found)
        rows, next_url = _rows(request, mine, page)
        counts = _counts(mine)
    return {"id": found.pk, "name": found.name, "counts": counts, "results": rows, "next": next_url}

