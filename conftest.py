"""The standing cast of test users and the places they belong to, shared by every test."""

import os
from dataclasses import dataclass
from datetime import date

import pytest
from django_scopes import scopes_disabled

# live_server and Playwright's sync API share one thread with the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Assertions read English; a test about another language asks for it (Accept-Language, a cookie, or
    # settings.LANGUAGE_CODE = "he" for the default).
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = False
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def model_content(db):
    """The working model's content; a no-op when this database already has it."""
    from hosen.workmodel import content

    content.load()


@dataclass
class Cast:
    network: object
    cluster: object
    other_cluster: object
    authority: object
    other_authority: object
    network_admin: object
    coordinator: object
    other_coordinator: object
    manager: object
    team: object
    viewer: object
    outsider: object  # manager of another authority, in another cluster
    emergency: object
    round: object

    def user(self, role):
        return None if role == "anonymous" else getattr(self, role)


def make_cast():
    from hosen.accounts.models import Membership, Role, User
    from hosen.tenancy.models import Authority, Cluster, Network
    from hosen.workmodel import services
    from hosen.workmodel.models import EmergencyKind, Severity

    network = Network.objects.create(name="Test network", slug="test-net")
    cluster = Cluster.objects.create(network=network, name="North")
    other_cluster = Cluster.objects.create(network=network, name="South")
    authority = Authority.objects.create(cluster=cluster, name="רשות א", slug="alpha")
    other = Authority.objects.create(cluster=other_cluster, name="רשות ב", slug="beta")

    def person(email, role, **place):
        user = User.objects.create_user(email, PASSWORD, full_name=email.split("@")[0])
        Membership.objects.create(user=user, role=role, **place)
        return user

    cast = dict(
        network_admin=person("network@test.org", Role.NETWORK_ADMIN, network=network),
        coordinator=person("coord@test.org", Role.CLUSTER_COORDINATOR, cluster=cluster),
        other_coordinator=person("coord2@test.org", Role.CLUSTER_COORDINATOR, cluster=other_cluster),
        manager=person("manager@test.org", Role.MANAGER, authority=authority),
        team=person("team@test.org", Role.TEAM, authority=authority),
        viewer=person("viewer@test.org", Role.VIEWER, authority=authority),
        outsider=person("outsider@test.org", Role.MANAGER, authority=other),
    )
    with scopes_disabled():
        emergency = services.open_emergency(
            authority, cast["manager"], name="מלחמה", kind=EmergencyKind.WAR, started_on=date(2026, 10, 7),
            severity=Severity.HIGH, area="",
        )
        services.open_emergency(other, cast["outsider"], name="שריפה", kind=EmergencyKind.FIRE,
                                started_on=date(2026, 10, 1), severity=Severity.LOW, area="")
        first_round = emergency.rounds.get()
    return Cast(network, cluster, other_cluster, authority, other, emergency=emergency, round=first_round, **cast)


@pytest.fixture
def cast(model_content):
    return make_cast()


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's superuser, with the two-step sign-in the admin site requires (hosen/accounts/two_step.py)."""
    from hosen.accounts.two_step import enrol_totp

    enrol_totp(admin_user, "JBSWY3DPEHPK3PXP")
    return admin_user


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client signed in as that user (or anonymous for None)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
