"""What the axis registers tell the checklist (items 25, 33–39)."""

from datetime import timedelta

from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hosen.tenancy.models import Authority
from hosen.workmodel.evidence import Evidence, provides

from .models import Achievement, AchievementKind, AchievementStatus, ContactLog, Partner, needs_contact
from .queries import with_last_contact

COLLECTIVE_DAYS = 14


def _url(ctx, name):
    return reverse(name, kwargs={"authority_slug": ctx.authority.slug})


@provides(25)
def mutual_responsibility(ctx):
    """Item 25 — mutual responsibility between the bodies: active partners contacted in this emergency. One query."""
    counts = Partner.objects.filter(authority=ctx.authority, is_active=True).aggregate(
        total=Count("pk", distinct=True),
        contacted=Count("pk", filter=Q(contact_logs__emergency=ctx.emergency), distinct=True),
    )
    if not counts["total"]:
        return Evidence(_("No partners on record yet"), _url(ctx, "partners:list"))
    return Evidence(ngettext("%(contacted)d of %(total)d partner was contacted in this emergency",
                             "%(contacted)d of %(total)d partners were contacted in this emergency",
                             counts["total"]) % counts, _url(ctx, "partners:list"))


@provides(33)
def stem_continues(ctx):
    """Item 33 — STEM kept advancing: STEM activities whose status is "continues". One query."""
    counts = Achievement.objects.filter(authority=ctx.authority, kind=AchievementKind.STEM).aggregate(
        total=Count("pk"), going=Count("pk", filter=Q(status=AchievementStatus.CONTINUES)))
    if not counts["total"]:
        return Evidence(_("No STEM activity on record yet"), _url(ctx, "partners:achievements"))
    return Evidence(ngettext("%(going)d of %(total)d STEM activity continues",
                             "%(going)d of %(total)d STEM activities continue", counts["total"]) % counts,
                    _url(ctx, "partners:achievements"))


@provides(34)
def collective_work(ctx):
    """Item 34 — collective work with the partners: distinct partners in touch in the last 14 days. One query."""
    since = timezone.now() - timedelta(days=COLLECTIVE_DAYS)
    partners = (ContactLog.objects.filter(authority=ctx.authority, happened_at__gte=since)
                .values("partner").distinct().count())
    return Evidence(ngettext("%(count)d partner was in touch in the last %(days)d days",
                             "%(count)d partners were in touch in the last %(days)d days", partners) % {
        "count": partners, "days": COLLECTIVE_DAYS}, _url(ctx, "partners:list"))


@provides(35)
def partners_kept_and_new(ctx):
    """Item 35 — existing partners kept, new collaborations built: of the partners that came before this
    emergency, those contacted in it; and the collaborations born in it. One query."""
    existing = Q(is_active=True) & (Q(born_in__isnull=True) | ~Q(born_in=ctx.emergency))
    counts = Partner.objects.filter(authority=ctx.authority).aggregate(
        existing=Count("pk", filter=existing, distinct=True),
        kept=Count("pk", filter=existing & Q(contact_logs__emergency=ctx.emergency), distinct=True),
        new=Count("pk", filter=Q(born_in=ctx.emergency), distinct=True),
    )
    kept = ngettext("%(kept)d of %(existing)d existing partner kept in touch",
                    "%(kept)d of %(existing)d existing partners kept in touch", counts["existing"]) % counts
    new = ngettext("%(new)d new collaboration born in this emergency",
                   "%(new)d new collaborations born in this emergency", counts["new"]) % counts
    return Evidence(f"{kept}; {new}", _url(ctx, "partners:list") + "?new=1")


@provides(36)
def links_used(ctx):
    """Item 36 — existing links used for the emergency: contacts logged in this emergency. One query."""
    found = ContactLog.objects.filter(emergency=ctx.emergency).aggregate(n=Count("pk"), last=Max("happened_at"))
    if not found["n"]:
        return Evidence(_("No contact with partners logged in this emergency yet"), _url(ctx, "partners:list"))
    return Evidence(ngettext("%(n)d contact with partners logged in this emergency; the last on %(last)s",
                             "%(n)d contacts with partners logged in this emergency; the last on %(last)s",
                             found["n"]) % {
        "n": found["n"], "last": formats.date_format(timezone.localtime(found["last"]), "j.n.Y")},
        _url(ctx, "partners:list"))


def _count_of(model, **filters):
    """A subquery: how many rows of `model` the outer authority has."""
    return Coalesce(Subquery(
        model.objects.filter(authority=OuterRef("pk"), **filters).order_by().values("authority")
        .annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), Value(0))


@provides(37)
def community_assets(ctx):
    """Item 37 — a wide view of the community's assets: partners, people, facilities and funding sources on
    record. One query."""
    from hosen.resources.models import Facility, FundingSource, Person

    counts = Authority.objects.filter(pk=ctx.authority.pk).annotate(
        partners=_count_of(Partner, is_active=True), people=_count_of(Person, is_active=True),
        facilities=_count_of(Facility, is_active=True), funding=_count_of(FundingSource),
    ).values("partners", "people", "facilities", "funding").get()
    parts = [
        ngettext("%(count)d partner", "%(count)d partners", counts["partners"]) % {"count": counts["partners"]},
        ngettext("%(count)d person", "%(count)d people", counts["people"]) % {"count": counts["people"]},
        ngettext("%(count)d facility", "%(count)d facilities", counts["facilities"]) % {"count": counts["facilities"]},
        ngettext("%(count)d funding source", "%(count)d funding sources", counts["funding"]) % {
            "count": counts["funding"]},
    ]
    return Evidence(_("On record: %(parts)s") % {"parts": ", ".join(parts)}, _url(ctx, "partners:list"))


@provides(38)
def decision_makers(ctx):
    """Item 38 — in touch with decision makers: those contacted within their reminder window. One query."""
    now = timezone.now()
    people = list(with_last_contact(Partner.objects.filter(authority=ctx.authority, is_active=True,
                                                           is_decision_maker=True)))
    if not people:
        return Evidence(_("No decision makers marked among the partners yet"), _url(ctx, "partners:list"))
    within = sum(1 for p in people if not needs_contact(p, p.last_contact_at, now))
    return Evidence(ngettext("%(within)d of %(total)d decision maker contacted within their reminder window",
                             "%(within)d of %(total)d decision makers contacted within their reminder window",
                             len(people)) % {"within": within, "total": len(people)},
                    _url(ctx, "partners:list") + "?decision=1")


@provides(39)
def achievements_kept(ctx):
    """Item 39 — the ecosystem's achievements kept: achievements to keep whose status is "kept". One query."""
    counts = Achievement.objects.filter(authority=ctx.authority, kind=AchievementKind.KEEP).aggregate(
        total=Count("pk"), kept=Count("pk", filter=Q(status=AchievementStatus.KEPT)))
    if not counts["total"]:
        return Evidence(_("No achievements to keep on record yet"), _url(ctx, "partners:achievements"))
    return Evidence(ngettext("%(kept)d of %(total)d achievement kept", "%(kept)d of %(total)d achievements kept",
                             counts["total"]) % counts, _url(ctx, "partners:achievements"))
