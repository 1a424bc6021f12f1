"""An API client for a person: a personal access token in every request's Authorization header."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hosen.api import tokens


class ApiClient(Client):
    """Django's test client through the real middleware and URLs, with a bearer token and JSON bodies."""

    def __init__(self, token_text=None, **defaults):
        if token_text:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_text}"
        super().__init__(**defaults)

    def post_json(self, path, data, **extra):
        return self.post(path, data, content_type="application/json", **extra)

    def patch_json(self, path, data, **extra):
        return self.patch(path, data, content_type="application/json", **extra)


def make_token(user, *, can_write=True, authority=None, days=30, name="integration"):
    token, text = tokens.issue(user, name=name, can_write=can_write, authority=authority,
                               expires_at=timezone.now() + timedelta(days=days))
    return token, text


@pytest.fixture
def api_for(db):
    """`api_for(user, can_write=True, authority=None)`: an ApiClient with a fresh token of that user."""

    def make(user, **options):
        _token, text = make_token(user, **options)
        return ApiClient(text)

    return make


@pytest.fixture
def manager_api(cast):
    """The cast's manager through the API, with a token that may read and write."""
    return ApiClient(make_token(cast.manager)[1])


@pytest.fixture
def team_api(cast):
    return ApiClient(make_token(cast.team)[1])


def count(model, **filters):
    """Records of a model across every authority (the assertion's view, outside any scope)."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        return model.objects.filter(**filters).count()
