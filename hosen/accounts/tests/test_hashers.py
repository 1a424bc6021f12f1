"""The password hasher the project runs with (hosen/accounts/hashers.py), not the tests' fast MD5."""

import time

import argon2
import pytest
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    check_password,
    get_hasher,
    identify_hasher,
    make_password,
)

from hosen import settings as project_settings
from hosen.accounts.hashers import HosenArgon2PasswordHasher
from hosen.accounts.models import Membership, Role, User

PASSWORD = "a morning of sign-ins 2026"


@pytest.fixture
def project_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def argon2_parameters(encoded):
    return argon2.extract_parameters("$" + encoded.split("$", 1)[1])


def cpu_ms_per_hash(hasher, rounds=5):
    hasher.encode(PASSWORD, hasher.salt())  # the first call loads the library
    started = time.process_time()  # every thread of this process: parallelism 8 shows in full
    for _ in range(rounds):
        hasher.encode(PASSWORD, hasher.salt())
    return (time.process_time() - started) / rounds * 1000


def test_new_passwords_are_hashed_with_argon2id_at_owasp_parameters(project_hashers):
    encoded = make_password(PASSWORD)
    params = argon2_parameters(encoded)
    assert encoded.startswith("argon2$argon2id$")
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19 * 1024, 2, 1)
    assert isinstance(identify_hasher(encoded), HosenArgon2PasswordHasher)
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "!", encoded)


def test_a_hash_costs_a_fraction_of_djangos_default(project_hashers):
    # Django's default (100 MiB, 8 lanes) is about 190 ms of CPU here, this one about 19 ms. CPU time, not
    # wall time, so the machine's other work does not decide the outcome; the margin is wide on purpose.
    ours = cpu_ms_per_hash(get_hasher("default"))
    djangos = cpu_ms_per_hash(Argon2PasswordHasher())
    assert ours < djangos / 3, f"{ours:.1f} ms per hash against Django's {djangos:.1f} ms"


def test_hashes_with_djangos_default_parameters_still_verify_and_ask_for_an_update(project_hashers):
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert argon2_parameters(old).memory_cost == 102400

    hasher = identify_hasher(old)
    assert isinstance(hasher, HosenArgon2PasswordHasher)
    assert hasher.verify(PASSWORD, old)
    assert hasher.must_update(old)
    assert not hasher.must_update(make_password(PASSWORD))


def test_check_password_stores_a_new_hash_only_when_the_password_is_right(project_hashers):
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    stored = []
    assert not check_password("wrong", old, setter=stored.append)
    assert stored == []
    assert check_password(PASSWORD, old, setter=stored.append)
    assert stored == [PASSWORD]


def _team_member_with_hash(encoded):
    from hosen.tenancy.models import Authority, Cluster, Network

    network = Network.objects.create(name="Hash network", slug="hash-net")
    cluster = Cluster.objects.create(network=network, name="Hash cluster")
    authority = Authority.objects.create(cluster=cluster, name="רשות גיבוב", slug="hash-town")
    user = User.objects.create(email="team-hash@test.org", full_name="Team", password=encoded)
    Membership.objects.create(user=user, role=Role.TEAM, authority=authority)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("old_hasher", [Argon2PasswordHasher, PBKDF2PasswordHasher], ids=["argon2-default", "pbkdf2"])
def test_signing_in_through_the_form_upgrades_an_old_hash(project_hashers, client, old_hasher):
    old = old_hasher().encode(PASSWORD, old_hasher().salt())
    user = _team_member_with_hash(old)

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    user.refresh_from_db()
    assert user.password != old
    params = argon2_parameters(user.password)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19 * 1024, 2, 1)

    # The new hash signs in as well, and is left as it is.
    upgraded = user.password
    client.logout()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(user.pk)
    user.refresh_from_db()
    assert user.password == upgraded


@pytest.mark.django_db
def test_a_wrong_password_leaves_an_old_hash_as_it_was(project_hashers, client):
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user = _team_member_with_hash(old)

    response = client.post("/accounts/login/", {"login": user.email, "password": "not the password"})

    assert "_auth_user_id" not in client.session
    assert response.status_code != 302
    user.refresh_from_db()
    assert user.password == old
