"""Every write request in one short transaction; a form sent twice creates once; a race ends in a clear
answer, never a 500.

`run_write(request, view)` is how the authority middleware (and `@write_view` for pages outside an
authority) runs a POST:

- one `transaction.atomic()` around the whole view: on SQLite (IMMEDIATE) the write lock is taken once, at
  the start, so writers queue instead of failing half-way; an answer of 400 or more rolls everything back,
  so a refused form changes nothing (a view whose error answer must keep what it wrote sets
  `response.keeps_writes = True`);
- a create form carries a submission key (`{% form_guard %}` renders it): the key is claimed in the ledger
  in the same transaction as what the form creates. The same key again, or the same content from the same
  person on the same page within `SAME_CONTENT_WINDOW`, gets the first answer again and creates nothing
  (unless the view marks its answer `response.replayable = False`: an update whose e-mail failed is kept,
  and the same text sent again must try the e-mail again);
- a unique constraint that a concurrent request won (two first answers to one checklist item, two new sites
  with one name) rolls the transaction back and runs the view once more: it now sees the other record and
  answers with a form error or a conflict view. Should that fail too, the user gets a clear page with what
  they sent, not an error page.
"""

import hashlib
import logging
import random
import uuid
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .drafts import mark_saved
from .models import Submission

log = logging.getLogger(__name__)

SUBMISSION_FIELD = "submission"
SAME_CONTENT_WINDOW = timedelta(minutes=10)
KEEP_FOR = timedelta(days=30)
# Fields that differ between two sendings of the same form without saying anything new.
NOT_CONTENT = {"csrfmiddlewaretoken", SUBMISSION_FIELD, "next"}
# A fragment bigger than this is not kept for a replay (a resend then gets a plain "already saved").
MAX_KEPT_BODY = 200_000


def submission_key(request):
    try:
        return uuid.UUID(request.POST.get(SUBMISSION_FIELD, "").strip())
    except ValueError:
        return None


def content_hash(request) -> str:
    # Passwords never reach the ledger, not even hashed.
    items = sorted((name, tuple(request.POST.getlist(name))) for name in request.POST
                   if name not in NOT_CONTENT and "password" not in name)
    files = sorted((name, f.name, f.size) for name, f in request.FILES.items())
    return hashlib.blake2b(repr((items, files)).encode(), digest_size=16).hexdigest()


def _earlier(request, key, digest):
    if key is not None:
        found = Submission.objects.filter(key=key).first()
        if found is not None:
            return found
    user = request.user if request.user.is_authenticated else None
    return (Submission.objects.filter(path=request.path, content_hash=digest, user=user,
                                      created_at__gte=timezone.now() - SAME_CONTENT_WINDOW)
            .exclude(status=0).order_by("created_at").first())


def _replay(request, first):
    """The first answer again. A redirect goes where the first went, with a word that nothing was doubled."""
    if first.status and 300 <= first.status < 400 and first.location:
        messages.info(request, _("This was already saved. Nothing was added twice."))
        return HttpResponseRedirect(first.location)
    if first.status == 200 and first.body:
        response = HttpResponse(first.body, content_type=first.content_type or "text/html; charset=utf-8")
        response["X-Hosen-Replayed"] = "1"
        return response
    messages.info(request, _("This was already saved. Nothing was added twice."))
    return HttpResponseRedirect(request.path)


def _record(claim, response):
    claim.status = response.status_code
    if response.has_header("Location"):
        claim.location = response["Location"][:1000]
    elif response.status_code == 200 and not response.streaming and len(response.content) <= MAX_KEPT_BODY:
        claim.body = response.content.decode(response.charset or "utf-8", errors="replace")
        claim.content_type = response.get("Content-Type", "")[:100]
    claim.save(update_fields=["status", "location", "body", "content_type"])


def _claim(request, key, digest):
    if random.random() < 0.01:  # the ledger only needs the recent past; trim it now and then
        Submission.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    user = request.user if request.user.is_authenticated else None
    return Submission.objects.create(key=key, user=user, path=request.path[:500], content_hash=digest)


def _rewind(request):
    """Ready the request for a second run: uploaded files from their start, no messages from the first."""
    for upload in request.FILES.values():
        upload.seek(0)
    request._messages = default_storage(request)


def run_write(request, view, *, creates=None):
    """Run a writing view as described above. `creates` says whether the request may create a record;
    by default a request that carries a submission key is taken for a create."""
    if getattr(request, "_hosen_write", False):
        return view()  # already inside run_write (a decorated view behind the authority middleware)
    request._hosen_write = True
    key = submission_key(request)
    creates = key is not None if creates is None else creates
    digest = content_hash(request) if creates else ""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                if creates:
                    first = _earlier(request, key, digest)
                    if first is not None:
                        mark_saved(request)
                        return _replay(request, first)
                    claim = _claim(request, key, digest)
                response = view()
                if response.status_code >= 400 and not getattr(response, "keeps_writes", False):
                    transaction.set_rollback(True)
                    return response
                if creates and getattr(response, "replayable", True):
                    _record(claim, response)
                elif creates:
                    claim.delete()  # an outcome to try again (an e-mail that did not go out), not to replay
                if 300 <= response.status_code < 400:
                    mark_saved(request)
                return response
        except IntegrityError:
            log.info("write race on %s (attempt %s)", request.path, attempt, exc_info=True)
            _rewind(request)
    return race_page(request)


def race_page(request):
    """The last resort of a race that a second run could not settle: what they sent, and a way back."""
    sent = [(name, value) for name in request.POST if name not in NOT_CONTENT
            for value in request.POST.getlist(name) if value.strip()]
    return render(request, "integrity/race.html", {"sent": sent, "back": request.get_full_path()}, status=409)


def write_view(view=None, *, creates=None):
    """`run_write` for a view outside an authority (the network's pages, invitations, the public forms)."""

    def decorate(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return view_func(request, *args, **kwargs)
            return run_write(request, lambda: view_func(request, *args, **kwargs), creates=creates)

        return wrapped

    return decorate(view) if view is not None else decorate
