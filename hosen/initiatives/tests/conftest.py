import pytest


@pytest.fixture
def client_for(client_for):
    """The shared `client_for`, reading the pages in English: the tests look for the interface's own words,
    which stay the same when the Hebrew and Arabic translations arrive."""

    def sign_in(user):
        client = client_for(user)
        client.cookies["django_language"] = "en"
        return client

    return sign_in
