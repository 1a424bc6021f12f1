"""Errors as RFC 9457 problem details (`application/problem+json`), titled in the request's language.

Every refusal of the API goes through `problem()`: `type` is a stable URI per kind (clients branch on it),
`title` and `detail` are for people, `errors` lists what was wrong with each field of a request body.
"""

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import NinjaJSONEncoder

from .tokens import RateLimited, TokenRefused

TYPE_BASE = "https://hosen.org.il/problems/"
CONTENT_TYPE = "application/problem+json"


def _titles():
    # Built per call: the titles are translated into the language of the request being answered.
    return {
        "not-found": _("Not found"),
        "not-authenticated": _("Sign-in needed"),
        "forbidden": _("Not allowed"),
        "invalid": _("The request has errors"),
        "conflict": _("Changed meanwhile"),
        "version-needed": _("The record's version is needed"),
        "idempotency-mismatch": _("The key was used for another request"),
        "rate-limited": _("Too many requests"),
        "bad-request": _("Bad request"),
        "race": _("Someone else saved at the same moment"),
    }


class Problem(Exception):
    """Raised anywhere in an API handler to end the request with a problem answer."""

    def __init__(self, status, kind, detail="", *, errors=None, extra=None, headers=None):
        super().__init__(detail or kind)
        self.status, self.kind, self.detail = status, kind, detail
        self.errors, self.extra, self.headers = errors, extra or {}, headers or {}


def problem(request, status, kind, detail="", *, errors=None, extra=None, headers=None) -> HttpResponse:
    body = {"type": TYPE_BASE + kind, "title": _titles().get(kind, kind), "status": status}
    if detail:
        body["detail"] = str(detail)
    body["instance"] = request.get_full_path()
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = HttpResponse(json.dumps(body, ensure_ascii=False, cls=NinjaJSONEncoder), status=status,
                            content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _location(loc):
    """Where in the request a validation error is: ('body', 'payload', 'quantity') → 'quantity'."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload", "filters")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def install(api):
    """Hang the handlers on the NinjaAPI instance."""

    @api.exception_handler(Problem)
    def on_problem(request, exc):
        return problem(request, exc.status, exc.kind, exc.detail, errors=exc.errors, extra=exc.extra,
                       headers=exc.headers)

    @api.exception_handler(ValidationError)
    def on_validation(request, exc):
        errors = [{"field": _location(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
        return problem(request, 422, "invalid", _("Some values are missing or not valid."), errors=errors)

    @api.exception_handler(TokenRefused)
    def on_token(request, exc):
        return problem(request, 401, "not-authenticated", exc.detail, headers={"WWW-Authenticate": "Bearer"})

    @api.exception_handler(AuthenticationError)
    def on_anonymous(request, exc):
        return problem(request, 401, "not-authenticated",
                       _("Send a personal access token (Authorization: Bearer …) or sign in."),
                       headers={"WWW-Authenticate": "Bearer"})

    @api.exception_handler(RateLimited)
    def on_rate(request, exc):
        return problem(request, 429, "rate-limited", _("Too many requests. Wait a minute and try again."),
                       headers={"Retry-After": "60"})

    @api.exception_handler(Http404)
    def on_missing(request, exc):
        return problem(request, 404, "not-found", _("There is nothing here, or it is not yours to see."))

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request, exc):
        return problem(request, 403, "forbidden", str(exc) or _("Your role does not allow this."))

    @api.exception_handler(OverflowError)
    def on_overflow(request, exc):
        # A number beyond what the database stores (an id of 2**70, say): no record has it.
        return problem(request, 422, "invalid", _("A number in the request is too large."))

    @api.exception_handler(HttpError)
    def on_http(request, exc):
        kind = {403: "forbidden", 404: "not-found", 401: "not-authenticated"}.get(exc.status_code, "bad-request")
        return problem(request, exc.status_code, kind, str(exc))
