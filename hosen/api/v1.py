"""Hosen's API, version 1, at /api/v1/ (schema at /api/v1/openapi.json, its reference at /api/v1/docs).

A breaking change — a field removed or renamed, a meaning changed — is a new version beside this one; adding an
operation or a field is not. Every operation answers as the pages do: the same permission table, the same
forms' checks, the same versions and submission keys (hosen/api/guard.py)."""

from ninja import NinjaAPI

from . import problems
from .resources import authorities, field
from .tokens import SessionAuth, TokenAuth

api = NinjaAPI(
    title="Hosen API",
    version="1",
    description=(
        "Read and write an authority's emergency work as its pages do. Authenticate with a personal access "
        "token (`Authorization: Bearer hsn_…`), made on your access tokens page. Edits send the record's "
        "`version` in `If-Match`; creates may send an `Idempotency-Key`, and the same key again returns the "
        "first answer. Errors are RFC 9457 problem details."
    ),
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)
problems.install(api)

# Every authority's resources live under /authorities/<slug>/.
api.add_router("/authorities/", authorities.router)
api.add_router("/authorities/", field.router)
