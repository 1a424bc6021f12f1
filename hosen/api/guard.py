"""Where every API operation passes: the authority and the caller's role in it (the one permission table,
hosen/accounts/access.py), the token's scope, and for writes the request's one transaction, the
`Idempotency-Key` ledger and the `If-Match` version check — the same guarantees the pages give.

    with authority_scope(request, slug, "change") as authority:
        ...queries of tenant models, inside the authority's scope...
"""

import hashlib
import json
import uuid
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django_scopes import scope
from ninja.responses import NinjaJSONEncoder

from hosen.accounts.access import access_for
from hosen.integrity.models import Submission
from hosen.integrity.versions import locked, version_of
from hosen.tenancy.models import Authority

from .problems import Problem
from .tokens import may_write, token_authority_id

# Idempotency keys are the client's own strings; in the ledger they become UUIDs within the caller's namespace,
# so two callers who happen to pick the same key never see each other's answers.
KEY_NAMESPACE = uuid.UUID("5d0b1c1e-7a51-4c1b-9a7e-4f3b1d2c9e10")
MAX_KEY_LENGTH = 255


def authority_for(request, slug, permission="view"):
    """The authority `slug` names, if the caller may `permission` in it; 404 for an outsider (exactly like a
    missing authority), 403 for a role (or a read-only token) that may not."""
    authority = Authority.objects.select_related("cluster__network").filter(slug=slug).first()
    bound = token_authority_id(request)
    if authority is None or (bound is not None and bound != authority.pk):
        raise Http404
    access = access_for(request.user, authority)
    if access is None:
        raise Http404
    if permission != "view" and not may_write(request):
        raise Problem(403, "forbidden", _("This access token may only read. Make one that may change records."))
    if not access.can(permission):
        raise Problem(403, "forbidden", _("Your role in this authority does not allow this."))
    request.authority, request.access = authority, access
    return authority


@contextmanager
def authority_scope(request, slug, permission="view"):
    authority = authority_for(request, slug, permission)
    with scope(authority=authority):
        yield authority


def json_response(status, body, headers=None) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False, cls=NinjaJSONEncoder), status=status,
                            content_type="application/json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _ledger_key(request):
    text = request.headers.get("Idempotency-Key")
    if text is None:
        return None
    text = text.strip()
    if not text or len(text) > MAX_KEY_LENGTH:
        raise Problem(400, "bad-request", _("Idempotency-Key must be 1 to 255 characters."))
    return uuid.uuid5(KEY_NAMESPACE, f"{request.user.pk}:{text}")


def _replay(request, first, digest):
    if first.content_hash != digest or first.path != request.path[:500]:
        raise Problem(422, "idempotency-mismatch",
                      _("This Idempotency-Key was already used for a different request. Use a new key for a new "
                        "record."))
    response = HttpResponse(first.body, status=first.status, content_type=first.content_type or "application/json")
    response["Idempotent-Replayed"] = "true"
    if first.location:
        response["Location"] = first.location
    return response


def _body_is_an_object(request):
    """A JSON body that is not an object (`[null, null]`, `7`) would reach an operation whose fields are all
    optional as if nothing had been sent: refused instead."""
    if not request.body or "json" not in request.content_type:
        return
    try:
        body = json.loads(request.body)
    except ValueError:
        return  # not JSON at all: the operation's own parsing answers that
    if not isinstance(body, dict):
        raise Problem(422, "invalid", _("The request's body must be a JSON object."),
                      errors=[{"field": "", "message": _("The request's body must be a JSON object.")}])


def write(request, make_response, *, creates=False) -> HttpResponse:
    """Run `make_response()` (which returns an HttpResponse, or raises Problem) in one transaction. A create
    with an `Idempotency-Key` is written to the ledger with its answer, so the same key again gets that
    answer again and creates nothing. A unique constraint that a concurrent request won is tried once more
    (the handler then sees the other record); should that fail too, 409."""
    _body_is_an_object(request)
    key = _ledger_key(request) if creates else None
    digest = hashlib.blake2b(request.body, digest_size=16).hexdigest() if key else ""
    for _attempt in (1, 2):
        try:
            with transaction.atomic():
                claim = None
                if key is not None:
                    first = Submission.objects.filter(key=key, user=request.user).first()
                    if first is not None:
                        return _replay(request, first, digest)
                    claim = Submission.objects.create(key=key, user=request.user, path=request.path[:500],
                                                      content_hash=digest)
                response = make_response()
                if response.status_code >= 400:
                    transaction.set_rollback(True)
                    return response
                if claim is not None:
                    claim.status = response.status_code
                    claim.body = response.content.decode()
                    claim.content_type = response["Content-Type"][:100]
                    claim.location = response.get("Location", "")[:1000]
                    claim.save(update_fields=["status", "body", "content_type", "location"])
                return response
        except IntegrityError:
            continue
    raise Problem(409, "race", _("Someone else saved the same thing at the same moment. Load it again and "
                                 "check before sending again."))


def sent_version(request) -> str:
    """The version in `If-Match` ("…", W/"…" or bare); 428 when there is none: an edit must say what it saw."""
    value = (request.headers.get("If-Match") or "").strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"').strip()
    if not value:
        raise Problem(428, "version-needed",
                      _("Send the record's version in If-Match (its ETag, or the \"version\" field), so that "
                        "nobody's change is overwritten unseen."))
    return value


def current_for_edit(request, model, pk, present):
    """The record as stored now, locked for this transaction, after checking that the caller saw this version:
    412 with the record as it is now when someone changed it meanwhile. `present(record)` renders it."""
    record = locked(model, pk)
    if record is None or record.authority_id != request.authority.pk:
        raise Http404
    sent = sent_version(request)
    if sent != version_of(record):
        raise Problem(412, "conflict",
                      _("This record was changed since you loaded it, so your change was not applied. The record "
                        "as it is now is in \"current\": apply your change to it and send again."),
                      extra={"current": present(record)}, headers={"ETag": etag(record)})
    return record


def etag(record) -> str:
    return f'"{version_of(record)}"'
