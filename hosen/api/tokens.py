"""Making, checking and naming personal access tokens, and the two ways a request to the API signs in.

A token reads `hsn_<prefix>_<secret>`: the prefix finds the row, the secret is compared with the kept SHA-256
(a token is 256 random bits, so a fast hash is as safe as a slow one and keeps every request cheap).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja.security import APIKeyCookie, HttpBearer

from .models import AccessToken

SCHEME = "hsn"
# last_used_at is written at most this often per token: a busy integration should not write on every read.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenRefused(Exception):
    """A token was sent but cannot be used: the answer is 401 with the reason."""

    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


class RateLimited(Exception):
    """Too many requests through one token (or one signed-in person): 429."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(user, *, name, can_write, authority, expires_at) -> tuple[AccessToken, str]:
    """A new token and its text, which is shown once and kept nowhere."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = AccessToken.objects.create(user=user, name=name, prefix=prefix, digest=_digest(secret),
                                       can_write=can_write, authority=authority, expires_at=expires_at)
    return token, f"{SCHEME}_{prefix}_{secret}"


def find(text: str) -> AccessToken:
    """The usable token that `text` is, or TokenRefused saying why not."""
    scheme, _sep, rest = text.strip().partition("_")
    prefix, _sep, secret = rest.partition("_")
    token = None
    if scheme == SCHEME and prefix and secret:
        token = AccessToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        raise TokenRefused(_("This access token is not known. Check that it was copied whole."))
    if token.revoked_at is not None:
        raise TokenRefused(_("This access token was revoked."))
    if token.expires_at <= timezone.now():
        raise TokenRefused(_("This access token has expired. Make a new one on your access tokens page."))
    if not token.user.is_active:
        raise TokenRefused(_("The account of this access token is closed."))
    return token


def _note_use(token):
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _limit(request, key):
    if is_ratelimited(request, group="api", key=lambda group, req: key, rate=settings.RATELIMIT_API,
                      increment=True):
        raise RateLimited


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hsn_…`. The request then acts as the token's person, within the token's scope."""

    def authenticate(self, request, token_text):
        token = find(token_text)
        _limit(request, f"token:{token.prefix}")  # the prefix is unique, and never reused as an id can be
        _note_use(token)
        request.user = token.user
        request.api_token = token
        return token


class SessionAuth(APIKeyCookie):
    """Hosen's own pages calling the API with the session cookie; writes need the CSRF token, as forms do."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        _limit(request, f"user:{request.user.pk}")
        request.api_token = None
        return request.user


def may_write(request) -> bool:
    token = getattr(request, "api_token", None)
    return token is None or token.can_write


def token_authority_id(request):
    """The one authority a token is bound to, or None (every authority of its person, or a session)."""
    token = getattr(request, "api_token", None)
    return token.authority_id if token is not None else None
