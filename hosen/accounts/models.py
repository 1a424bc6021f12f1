"""Users, their memberships (who may do what where) and invitations."""

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.tenancy.models import Authority, Cluster, Network


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an e-mail address."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    # The day she first needed two-step sign-in (her role requires it and she had none): her network's
    # grace period counts from here (hosen/accounts/two_step.py).
    two_step_required_since = models.DateField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    def __str__(self):
        return self.full_name or self.email

    @property
    def display_name(self):
        return self.full_name or self.email


class Role(models.TextChoices):
    NETWORK_ADMIN = "network_admin", _("Network admin")
    CLUSTER_COORDINATOR = "cluster_coordinator", _("Cluster coordinator")
    MANAGER = "manager", _("Ecosystem manager")
    TEAM = "team", _("Team member")
    VIEWER = "viewer", _("Viewer (decision maker)")


AUTHORITY_ROLES = (Role.MANAGER, Role.TEAM, Role.VIEWER)


class Membership(models.Model):
    """One role of one user at one place: a network, a cluster, or an authority."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_place_fits_role",
                condition=(
                    models.Q(role="network_admin", network__isnull=False, cluster__isnull=True,
                             authority__isnull=True)
                    | models.Q(role="cluster_coordinator", cluster__isnull=False, network__isnull=True,
                               authority__isnull=True)
                    | models.Q(role__in=["manager", "team", "viewer"], authority__isnull=False,
                               network__isnull=True, cluster__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "authority"], condition=models.Q(authority__isnull=False),
                name="one_role_per_user_per_authority",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.authority or self.cluster or self.network}"


def _new_token():
    return secrets.token_urlsafe(32)


def _default_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """An e-mailed invitation to take a role; the link lets the invitee set a password and join."""

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    authority = models.ForeignKey(Authority, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_default_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def is_usable(self):
        return self.accepted_at is None and self.expires_at > timezone.now()
