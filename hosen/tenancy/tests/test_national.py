import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from hosen.accounts.models import Membership, Role, User
from hosen.tenancy import national
from hosen.tenancy.models import Authority, Network
from hosen.workmodel import content
from hosen.workmodel.models import Answer, ChecklistItem, Emergency, Phase, Round


@pytest.mark.django_db
def test_generates_a_small_national_network_with_history():
    content.load()
    counts = national.generate(size=5, seed=3, password="generated-pass-1")

    assert Network.objects.filter(slug="national").count() == 1
    assert Authority.objects.filter(cluster__network__slug="national").count() == 5
    assert counts["authorities"] == 5
    # A manager per authority, a coordinator per cluster, one network admin.
    clusters = counts["clusters"]
    assert User.objects.filter(email__endswith="@national.example.org").count() == 5 + clusters
    assert User.objects.filter(email="national@example.org").exists()
    assert Membership.objects.filter(role=Role.MANAGER, authority__slug__startswith="a-").count() == 5
    assert User.objects.get(email="manager-001@national.example.org").check_password("generated-pass-1")

    with scopes_disabled():
        assert Emergency.objects.exclude(phase=Phase.CLOSED).count() == 4  # 80 % of 5
        closed = Emergency.objects.filter(phase=Phase.CLOSED)
        assert closed.exists() and not closed.filter(lessons="").exists()
        for emergency in Emergency.objects.exclude(phase=Phase.CLOSED):
            assert 2 <= emergency.rounds.count() <= 6
        assert Answer.objects.exists()
        assert not Answer.objects.filter(item__kind=ChecklistItem.REFLECTION).exists()
        assert Answer.history.count() == Answer.objects.count()
        assert Round.history.count() == Round.objects.count()
        assert Emergency.history.count() == Emergency.objects.count()
        assert not Answer.history.filter(history_user__isnull=True).exists()


@pytest.mark.django_db
def test_generating_twice_changes_nothing_and_reset_rebuilds():
    content.load()
    call_command("generate_national", authorities=3, password="generated-pass-1")
    assert national.generate(size=3) is None
    assert Authority.objects.filter(cluster__network__slug="national").count() == 3

    call_command("generate_national", authorities=2, reset=True, password="generated-pass-1")
    assert Authority.objects.filter(cluster__network__slug="national").count() == 2
    with scopes_disabled():
        # The deleted authorities' history went with them.
        assert not Answer.history.exclude(authority_id__in=Authority.objects.values("pk")).exists()


@pytest.mark.django_db
def test_fills_the_registers_of_stages_3_and_4_and_the_axis():
    from django.db.models import Count

    from hosen.field.models import NeedStatus
    from hosen.initiatives.models import Initiative, PhaseNote
    from hosen.partners.models import Achievement, ContactLog, Partner
    from hosen.plan.models import Activity, ActivityDecision, Kpi, Measurement
    from hosen.resources.models import Allocation, Channel, Facility, FundingSource, Person, Skill
    from hosen.situation.models import EntryKind, LogEntry, OutgoingUpdate

    content.load()
    counts = national.generate(size=5, seed=3, password="generated-pass-1")

    def per_authority(model, **filters):
        rows = model.objects.filter(**filters).values("authority").annotate(n=Count("pk"))
        return {row["authority"]: row["n"] for row in rows}

    with scopes_disabled():
        authorities = list(Authority.objects.filter(cluster__network__slug="national").values_list("pk", flat=True))
        open_ones = list(Emergency.objects.exclude(phase=Phase.CLOSED))
        assert len(open_ones) == 4

        # Stage 3: the resources, per authority within the generator's ranges, with their history.
        for model, low, high in ((Person, 70, 160), (Facility, 25, 52), (Channel, 5, 15), (FundingSource, 3, 10)):
            found = per_authority(model)
            assert set(found) == set(authorities), model
            assert all(low <= n <= high for n in found.values()), (model, found)
            assert counts[f"{model._meta.label_lower} (history)"] == counts[model._meta.label_lower]
        assert Skill.objects.exists() and Person.skills.through.objects.count() >= Person.objects.count()
        assert Person.objects.filter(availability_emergency__in=open_ones).exists()
        assert Channel.objects.filter(active_in__in=open_ones).exists()
        # Allocations agree with the needs' status: none active on an open need, most in-progress needs hold one.
        active = Allocation.objects.filter(released_at__isnull=True)
        assert active.exists()
        assert not active.filter(need__status=NeedStatus.OPEN).exists()
        assert active.filter(need__status=NeedStatus.IN_PROGRESS).exists()
        assert not Allocation.history.filter(history_user__isnull=True).exists()

        # Stage 4: the plan with decisions, the KPIs with measurements, the room's log and updates.
        assert all(20 <= n <= 64 for n in per_authority(Activity).values())
        assert ActivityDecision.objects.filter(emergency__in=open_ones, is_current=True).exists()
        assert not (ActivityDecision.objects.filter(is_current=True).values("activity", "emergency")
                    .annotate(n=Count("pk")).filter(n__gt=1).exists())
        for emergency in open_ones:
            assert 4 <= Kpi.objects.filter(emergency=emergency).count() <= 8
            assert 50 <= LogEntry.objects.filter(emergency=emergency).count() <= 200
            assert 3 <= Initiative.objects.filter(emergency=emergency).count() <= 10
        assert Measurement.objects.filter(computed=True).exists()
        assert Measurement.objects.filter(computed=False).exists()
        tasks = LogEntry.objects.filter(kind=EntryKind.TASK)
        assert tasks.filter(owner_person__isnull=False).exists() and tasks.filter(done_at__isnull=False).exists()
        assert OutgoingUpdate.objects.exists()

        # The accompanying axis and the initiatives.
        assert all(10 <= n <= 40 for n in per_authority(Partner).values())
        assert set(per_authority(Partner)) == set(authorities)
        assert ContactLog.objects.exists() and Achievement.objects.exists()
        assert Partner.objects.filter(is_decision_maker=True).exists()
        assert PhaseNote.objects.exists()
        assert len(set(Initiative.objects.values_list("phase", flat=True))) >= 4
        assert counts["situation.logentry (history)"] == counts["situation.logentry"]
