"""The demo's sign-ins keep working with two-step sign-in: the code of the README's key signs them in."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.core.management import CommandError, call_command

from hosen.accounts.models import User
from hosen.tenancy.demo import DEMO_PASSWORD


@pytest.fixture
def demo(db):
    cache.clear()
    for command in ["load_model_content", "load_demo"]:
        call_command(command, verbosity=0)
    yield
    cache.clear()


def demo_code(*args):
    out = StringIO()
    call_command("demo_totp", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_a_demo_manager_signs_in_with_the_code_demo_totp_prints(demo, client):
    response = client.post("/accounts/login/", {"login": "manager@example.org", "password": DEMO_PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": demo_code("manager@example.org")}, follow=True)
    assert response.redirect_chain[-1][0] == "/a/neve-hadgama/"


@pytest.mark.django_db
def test_demo_roles_that_need_it_have_it_and_the_others_sign_in_with_the_password(demo, client):
    enrolled = set(Authenticator.objects.filter(type="totp").values_list("user__email", flat=True))
    assert enrolled == {"network@example.org", "coordinator@example.org", "manager@example.org",
                        "manager2@example.org"}
    response = client.post("/accounts/login/", {"login": "team@example.org", "password": DEMO_PASSWORD},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/a/neve-hadgama/"
    # Loading again enrols no one twice.
    call_command("load_demo", verbosity=0)
    assert Authenticator.objects.filter(type="totp").count() == 4


@pytest.mark.django_db
def test_demo_totp_never_prints_a_real_users_code(demo):
    from hosen.accounts.two_step import enrol_totp

    real = User.objects.create_user("real@test.org", "x-long-enough-password")
    enrol_totp(real, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    for email in ["real@test.org", "team@example.org", "nobody@example.org"]:
        with pytest.raises(CommandError):
            demo_code(email)
    assert demo_code().isdigit()
