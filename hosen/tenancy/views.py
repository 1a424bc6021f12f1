"""The network's and clusters' pages, and the authority's audit history."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_scopes import scopes_disabled

from hosen.accounts.forms import NetworkInviteForm
from hosen.accounts.invitations import send_invitation
from hosen.accounts.models import Invitation, Role
from hosen.field.queries import network_field_summary
from hosen.integrity.submissions import write_view
from hosen.workmodel import services
from hosen.workmodel.forms import EmergencyForm
from hosen.workmodel.models import Emergency, Phase, Round, Stage
from hosen.workmodel.progress import progress_for_rounds

from .audit import recent_changes, tenant_models
from .history_filter import HistoryFilter
from .middleware import authority_view
from .models import Authority, Cluster


def _overseen_authorities(user):
    """Authorities a network admin or cluster coordinator supports; 403 for anyone else."""
    memberships = user.memberships.filter(role__in=[Role.NETWORK_ADMIN, Role.CLUSTER_COORDINATOR])
    if not memberships:
        raise PermissionDenied
    networks = [m.network_id for m in memberships if m.network_id]
    clusters = [m.cluster_id for m in memberships if m.cluster_id]
    return (
        Authority.objects.filter(Q(cluster__network_id__in=networks) | Q(cluster_id__in=clusters))
        .select_related("cluster"),
        bool(networks),
    )


@login_required
def network_dashboard(request):
    """Every supported authority at a glance: its emergency, phase, round and progress per stage.

    Reads across authorities on purpose, so it leaves the tenant scope explicitly; it never touches
    check-ins. A constant number of queries for any number of authorities.
    """
    authorities, is_network_admin = _overseen_authorities(request.user)
    authorities_all = authorities
    cluster_id = request.GET.get("cluster", "")
    with scopes_disabled():
        clusters = list(Cluster.objects.filter(pk__in=authorities.values("cluster")).order_by("name"))
        if cluster_id.isdigit():
            authorities = authorities.filter(cluster_id=int(cluster_id))
        # 50 authorities a page: the national list has hundreds, a phone shows a few at a time.
        page = Paginator(authorities.order_by("cluster__name", "name"), 50).get_page(request.GET.get("page"))
        authorities = list(page.object_list)
        emergencies = {
            e.authority_id: e
            for e in Emergency.objects.filter(authority_id__in=[a.pk for a in authorities])
            .exclude(phase=Phase.CLOSED)
            .annotate(latest_round_id=Subquery(
                Round.objects.filter(emergency=OuterRef("pk")).order_by("-number").values("pk")[:1]))
        }
        latest_rounds = {r.emergency_id: r for r in Round.objects.filter(
            pk__in=[e.latest_round_id for e in emergencies.values() if e.latest_round_id])}
        progress = progress_for_rounds([r.pk for r in latest_rounds.values()])
        field = network_field_summary(list(emergencies.values()))
    stages = list(Stage.objects.all())
    rows = []
    for authority in authorities:
        emergency = emergencies.get(authority.pk)
        current = latest_rounds.get(emergency.pk) if emergency else None
        stage_progress = progress.get(current.pk, {}) if current else {}
        rows.append({"authority": authority, "emergency": emergency, "round": current,
                     "progress": [stage_progress.get(s.key) for s in stages],
                     "field": field.get(authority.pk)})
    with scopes_disabled():
        by_phase = dict(Emergency.objects.filter(authority__in=authorities_all).exclude(phase=Phase.CLOSED)
                        .values_list("phase").annotate(n=Count("pk")))
    counts = [(label, by_phase.get(phase, 0), phase) for phase, label in Phase.choices if phase != Phase.CLOSED]
    return render(request, "tenancy/network.html", {
        "rows": rows, "stages": stages, "clusters": clusters, "cluster_id": cluster_id,
        "is_network_admin": is_network_admin, "counts": counts, "page": page,
    })


class ManyEmergencyForm(EmergencyForm):
    authorities = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Authorities"), queryset=Authority.objects.none(), widget=forms.CheckboxSelectMultiple
    )


def _network_admin_authorities(request):
    authorities, is_network_admin = _overseen_authorities(request.user)
    if not is_network_admin:
        raise PermissionDenied
    return authorities


@login_required
@write_view
def network_open_emergency(request):
    authorities = _network_admin_authorities(request)
    form = ManyEmergencyForm(request.POST or None)
    form.fields["authorities"].queryset = authorities.order_by("cluster__name", "name")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("authorities")
        with scopes_disabled():
            opened, skipped = services.open_for_many(chosen, request.user, **data)
        messages.success(request, ngettext("The emergency was opened for %(count)d authority.",
                                           "The emergency was opened for %(count)d authorities.", len(opened))
                         % {"count": len(opened)})
        if skipped:
            messages.warning(request, _("Already in an open emergency, so not opened again: %(names)s") % {
                "names": ", ".join(a.name for a in skipped)})
        response = redirect("tenancy:network")
        # Nothing opened is nothing to replay: the same form sent again later (after closing) tries again.
        response.replayable = bool(opened)
        return response
    return render(request, "tenancy/network_emergency_form.html", {"form": form},
                  status=422 if form.errors else 200)


@login_required
@write_view
def network_invite(request):
    authorities = _network_admin_authorities(request)
    form = NetworkInviteForm(request.POST or None, authorities=authorities.order_by("name"))
    if request.method == "POST" and form.is_valid():
        invitation = Invitation.objects.create(
            email=form.cleaned_data["email"].lower(), role=Role.MANAGER, authority=form.cleaned_data["authority"],
            invited_by=request.user,
        )
        send_invitation(invitation, request)
        messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.email})
        return redirect("tenancy:network")
    return render(request, "tenancy/network_invite.html", {"form": form}, status=422 if form.errors else 200)


@authority_view(read="manage")
def history(request):
    """The authority's audit history, newest first, 50 at a time; ?before= pages back."""
    kinds = {m._meta.label_lower: m._meta.verbose_name for m in tenant_models()}
    params = HistoryFilter(request.GET, kinds=kinds)
    params.is_valid()  # a bad parameter is set aside with a note (params.notes), never a 500
    kind = params.value("kind") or ""
    changes = recent_changes(request.authority, limit=50, model_label=kind or None, before=params.value("before"))
    return render(request, "tenancy/history.html", {
        "changes": changes, "kinds": sorted(kinds.items(), key=lambda kv: str(kv[1])), "kind": kind,
        "next_before": changes[-1].when.isoformat() if len(changes) == 50 else "", "notes": params.notes(),
    })
