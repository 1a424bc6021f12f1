"""Personal access tokens: how another system (a GIS, a BI dashboard, a volunteer platform) reads and writes
Hosen on a person's behalf, with no more than that person may do, and often less."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.tenancy.models import Authority


class AccessToken(models.Model):
    """The secret is shown once, when made; only its SHA-256 is kept. The prefix (not secret) finds the row
    and names the token in lists and in the history."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    can_write = models.BooleanField(_("may change records"), default=False)
    # One authority, or (empty) every authority the person may open — now and later.
    authority = models.ForeignKey(Authority, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("authority"))
    expires_at = models.DateTimeField(_("valid until"))
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    def is_usable(self, now=None):
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
