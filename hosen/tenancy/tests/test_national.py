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
