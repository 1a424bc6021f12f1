"""Hosen's API, version 1, at /api/v1/ (schema at /api/v1/openapi.json, its reference at /api/v1/docs).

A breaking change — a field removed or renamed, a meaning changed — is a new version beside this one; adding an
operation or a field is not. Every operation answers as the pages do: the same permission table, the same
forms' checks, the same versions and submission keys (hosen/api/guard.py)."""

from ninja import NinjaAPI

from . import problems
from .resources import authorities, field
from .resources import checklist as checklist_resources
from .resources import emergencies as emergency_writes  # noqa: F401
from .resources import initiatives as initiative_resources
from .resources import network as network_resources
from .resources import partners as partner_resources
from .resources import people as people_resources
from .resources import plan as plan_resources
from .resources import situation as situation_resources
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
api.add_router("/authorities/", checklist_resources.router)
api.add_router("/authorities/", people_resources.router)
# emergency_writes adds its operations to authorities.router: they share its paths, and one URL has one view.
api.add_router("/authorities/", plan_resources.router)
api.add_router("/authorities/", situation_resources.router)
api.add_router("/authorities/", partner_resources.router)
api.add_router("/authorities/", initiative_resources.router)
# The network's summaries, for its admins and cluster coordinators, across the authorities they support.
api.add_router("/network/", network_resources.router)
