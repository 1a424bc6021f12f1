"""Two-step sign-in (allauth's MFA): who must have it, from when, and enrolling it from code.

Network admins, cluster coordinators and ecosystem managers must sign in with a second step (an
authenticator app's code, or a passkey); team members and viewers may. A user who needs it and has none
is asked right after signing in; her network's grace period (`Network.two_step_grace_days`) counts from
the day she first needed it (`User.two_step_required_since`), and after it she can reach nothing but the
enrolment pages. The admin site needs it for every staff user, with no grace period.

What a request needs to know is kept in the session for a few minutes (`state_for`), so that the check costs
no query on most requests; adding or removing an authenticator through the pages, or signing in again, forgets
it at once (two_step_signals.py).
"""

import time
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from hosen.tenancy.models import Network

from .models import Role, User

REQUIRED_ROLES = (Role.NETWORK_ADMIN, Role.CLUSTER_COORDINATOR, Role.MANAGER)
# The second steps that count: recovery codes alone are only a way back in.
SECOND_STEPS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

SESSION_KEY = "hosen.two_step"
# Set when she signs in through the sign-in form: the next page is the request to set it up.
ASK_KEY = "hosen.two_step.ask"
# How long a session trusts what it knows (roles change rarely; authenticators forget it at once).
STATE_SECONDS = 300


@dataclass(frozen=True)
class State:
    enrolled: bool
    required: bool
    deadline: date | None  # the last day she may sign in without it; None when not required

    def days_left(self, today: date | None = None) -> int:
        if self.deadline is None:
            return 0
        return max(0, (self.deadline - (today or timezone.localdate())).days + 1)

    def past_deadline(self, today: date | None = None) -> bool:
        return self.required and self.deadline is not None and (today or timezone.localdate()) > self.deadline


def has_two_step(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_STEPS).exists()


def grace_days_for(user) -> int | None:
    """The shortest grace period of the networks whose required roles she holds; None when no role needs it."""
    networks = Network.objects.filter(
        Q(pk__in=user.memberships.filter(role=Role.NETWORK_ADMIN).values("network"))
        | Q(clusters__in=user.memberships.filter(role=Role.CLUSTER_COORDINATOR).values("cluster"))
        | Q(clusters__authorities__in=user.memberships.filter(role=Role.MANAGER).values("authority"))
    )
    return networks.aggregate(days=Min("two_step_grace_days"))["days"]


def compute_state(user) -> State:
    if has_two_step(user):
        return State(enrolled=True, required=False, deadline=None)
    days = grace_days_for(user)
    if days is None:
        return State(enrolled=False, required=False, deadline=None)
    since = user.two_step_required_since
    if since is None:
        # The first day she needs it: kept once (a conditional update, so two requests agree on the day).
        User.objects.filter(pk=user.pk, two_step_required_since__isnull=True).update(
            two_step_required_since=timezone.localdate())
        since = User.objects.values_list("two_step_required_since", flat=True).get(pk=user.pk)
        user.two_step_required_since = since
    # Day `since` counts as the first of `days` days; with 0 days she is held from the start.
    return State(enrolled=False, required=True, deadline=since + timedelta(days=days - 1))


def state_for(request) -> State:
    """The signed-in user's state, from the session when it was worked out a moment ago."""
    kept = request.session.get(SESSION_KEY)
    if kept and kept.get("user") == request.user.pk and time.time() - kept.get("at", 0) < STATE_SECONDS:
        deadline = date.fromisoformat(kept["deadline"]) if kept["deadline"] else None
        return State(enrolled=kept["enrolled"], required=kept["required"], deadline=deadline)
    state = compute_state(request.user)
    request.session[SESSION_KEY] = {
        "user": request.user.pk, "at": time.time(), "enrolled": state.enrolled, "required": state.required,
        "deadline": state.deadline.isoformat() if state.deadline else None,
    }
    return state


def forget_state(request) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


# ----- Enrolling from code: the demo, tests, and the load test's 180 managers -----

def enrol_totp(user, secret: str, *, recovery_codes: bool = True) -> Authenticator:
    """Give `user` an authenticator app with this base32 `secret` (and recovery codes), as the activation page
    would; replaces an authenticator app she already had. Codes for it come from `totp_code(secret)`."""
    with transaction.atomic():
        Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).delete()
        authenticator = TOTP.activate(user, secret).instance
        if recovery_codes and not Authenticator.objects.filter(
                user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).exists():
            RecoveryCodes.activate(user)
    return authenticator


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` at time `at` (now by default), as allauth checks it."""
    period = getattr(settings, "MFA_TOTP_PERIOD", 30)
    return format_hotp_value(hotp_value(secret, int(time.time() if at is None else at) // period))
