"""The API's pages in the permission matrix (tests/test_permissions.py). The API's operations themselves are
enumerated from its schema by hosen/api/tests/test_permissions.py, role by role; here are the pages around them."""

ANONYMOUS_SIGNS_IN = {"anonymous": 302}

OTHER_PAGES = {
    "api:tokens": {**ANONYMOUS_SIGNS_IN, "*": 200},
    "api:revoke": {**ANONYMOUS_SIGNS_IN, "*": 405},  # POST only
    "api:network_tokens": {**ANONYMOUS_SIGNS_IN, "network_admin": 200, "*": 403},
    # The schema and its reference page are public: they describe the API, they hold no data.
    "api-v1:openapi-json": {"*": 200},
    "api-v1:openapi-view": {"*": 200},
    "api-v1:api-root": {"*": 404},
}


def url_kwargs(cast):
    from .conftest import make_token

    token, _text = make_token(cast.manager)
    return {"token_pk": token.pk}
