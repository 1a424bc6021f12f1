"""The national network, its clusters and their authorities, and the base of every tenant-owned model."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords


class Network(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    # Days a network admin, coordinator or manager may sign in without two-step sign-in, from the day her
    # role first needed it; then she can reach nothing but enrolment. Set by the network admin.
    two_step_grace_days = models.PositiveSmallIntegerField(
        _("days to set up two-step sign-in"), default=14, db_default=14,
        validators=[MaxValueValidator(365)],
    )

    def __str__(self):
        return self.name


class Cluster(models.Model):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="clusters")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Authority(models.Model):
    """A municipality or local council: the tenant. Its pages live under /a/<slug>/."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="authorities")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True, allow_unicode=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self):
        return self.name


class TenantModel(models.Model):
    """Base of every record an authority owns.

    The scoped manager refuses any query made outside `scope(authority=...)` (or an explicit
    `scopes_disabled()`), so a view that forgets to filter by authority fails loudly in tests instead
    of leaking another authority's data. Every change is kept in the audit history.
    """

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(authority="authority")
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
