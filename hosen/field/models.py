"""Stage 2 — listening to the field: sites and their status, quick-report links, the team pulse,
and the needs register."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.choice_labels import choice_label
from hosen.tenancy.models import TenantModel
from hosen.workmodel.models import Emergency

# A site status older than this is stale: the board marks it and item 6's evidence leaves it out.
FRESH_FOR = timedelta(hours=48)


def new_token():
    return secrets.token_urlsafe(24)


class SiteKind(models.TextChoices):
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    YOUTH_UNIT = "youth_unit", _("Youth unit")
    STEM_CENTRE = "stem_centre", _("STEM centre")
    COMMUNITY_CENTRE = "community_centre", _("Community centre")
    OTHER = "other", _("Other")


class Site(TenantModel):
    """A place of the ecosystem: school, kindergarten, youth unit, STEM or community centre…"""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    code = models.CharField(_("institution code"), max_length=30, blank=True,
                            help_text=_("The Ministry of Education's institution code, if it has one."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    area = models.CharField(_("area"), max_length=100, blank=True, help_text=_("Neighbourhood or part of town."))
    students = models.PositiveIntegerField(_("students"), null=True, blank=True)
    staff = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    has_protected_space = models.BooleanField(_("has a protected space"), default=False)
    protected_capacity = models.PositiveIntegerField(_("protected space capacity"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="site_name_per_authority"),
            models.UniqueConstraint(fields=["authority", "code"], condition=~models.Q(code=""),
                                    name="site_code_per_authority"),
        ]
        indexes = [models.Index(fields=["authority", "kind"]), models.Index(fields=["authority", "area"])]

    def __str__(self):
        return self.name


class SiteState(models.TextChoices):
    OPEN = "open", _("Open")
    PARTIAL = "partial", _("Partly open")
    REMOTE = "remote", _("Remote learning")
    CLOSED = "closed", _("Closed")
    DAMAGED = "damaged", _("Damaged")
    HOSTING = "hosting", _("Hosting evacuees")


class ReportLink(TenantModel):
    """A quick-report link for people without an account: one site, or a group of sites."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    label = models.CharField(_("label"), max_length=200, blank=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("site"))
    # A group link covers every active site of this kind and/or area (both empty: all sites).
    group_kind = models.CharField(_("kind of site"), max_length=20, choices=SiteKind.choices, blank=True)
    group_area = models.CharField(_("area"), max_length=100, blank=True)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.label or str(self.site or self.group_area or self.get_group_kind_display() or self.pk)

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.emergency.is_open

    def sites(self):
        """The sites this link may report on (runs inside the link's authority scope)."""
        if self.site_id:
            return Site.objects.filter(pk=self.site_id, is_active=True)
        sites = Site.objects.filter(authority_id=self.authority_id, is_active=True)
        if self.group_kind:
            sites = sites.filter(kind=self.group_kind)
        if self.group_area:
            sites = sites.filter(area=self.group_area)
        return sites


class SiteStatus(TenantModel):
    """One report of a site's status in an emergency. Reports are only added, never edited: the newest
    is the site's current status, the rest is its history."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="statuses")
    status = models.CharField(_("status"), max_length=12, choices=SiteState.choices)
    present = models.PositiveIntegerField(_("present"), null=True, blank=True)
    evacuated = models.PositiveIntegerField(_("evacuated"), null=True, blank=True)
    hosted = models.PositiveIntegerField(_("evacuees hosted"), null=True, blank=True)
    protected_space_available = models.BooleanField(_("protected space available"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    reported_at = models.DateTimeField(_("updated at"), default=timezone.now)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reporter_name = models.CharField(_("reported by"), max_length=200, blank=True)
    via_link = models.ForeignKey(ReportLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Set by the public form: a second submission of the same form is recognised and not stored twice.
    submission = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["emergency", "site", "-reported_at"])]

    def __str__(self):
        return f"{self.site_id} {self.status}"

    @property
    def is_fresh(self):
        return timezone.now() - self.reported_at <= FRESH_FOR


class Pulse(TenantModel):
    """A team availability pulse: each person gets a personal link and answers once (and may correct)."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message to the team"), max_length=2000, blank=True)
    expires_at = models.DateTimeField(_("valid until"))
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def is_open(self, now=None):
        return self.closed_at is None and self.expires_at > (now or timezone.now()) and self.emergency.is_open


class Availability(models.TextChoices):
    CAN = "can", _("Can work")
    PARTLY = "partly", _("Partly")
    CANNOT = "cannot", _("Cannot work")


class PulseRecipient(TenantModel):
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="recipients")
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("phone or e-mail"), max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    # The answer, kept on the recipient: one per person, a later answer replaces it (history keeps both).
    availability = models.CharField(_("availability"), max_length=8, choices=Availability.choices, blank=True)
    where = models.CharField(_("where"), max_length=200, blank=True)
    how = models.CharField(_("how"), max_length=200, blank=True)
    needs = models.TextField(_("what I need"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Audience(models.TextChoices):
    STUDENTS = "students", _("Students")
    TEAMS = "teams", _("Teams")
    PARENTS = "parents", _("Parents")
    COMMUNITY = "community", _("Community")
    SITE = "site", _("A site")


class NeedCategory(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment and connectivity")
    LEARNING = "learning", _("Learning content and platforms")
    EMOTIONAL = "emotional", _("Emotional support")
    STAFF = "staff", _("Staff")
    SPACE = "space", _("Space and protection")
    FOOD = "food", _("Food and supplies")
    TRANSPORT = "transport", _("Transport")
    OTHER = "other", _("Other")


class Urgency(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


URGENT = (Urgency.HIGH, Urgency.CRITICAL)


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    MET = "met", _("Met")
    CANNOT = "cannot", _("Cannot be met")


UNMET = (NeedStatus.OPEN, NeedStatus.IN_PROGRESS)


class Need(TenantModel):
    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(_("who needs it"), max_length=12, choices=Audience.choices)
    category = models.CharField(_("category"), max_length=12, choices=NeedCategory.choices)
    description = models.TextField(_("description"), max_length=2000)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.MEDIUM)
    status = models.CharField(_("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    is_emerging = models.BooleanField(_("emerging need"), default=False,
                                      help_text=_("A need that did not exist before the crisis began."))
    source = models.CharField(_("source"), max_length=200, blank=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="needs",
                             verbose_name=_("site"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    via_link = models.ForeignKey(ReportLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submission = models.UUIDField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-urgency", "-created_at"]
        indexes = [
            models.Index(fields=["emergency", "status", "urgency"]),
            models.Index(fields=["emergency", "category"]),
        ]
        constraints = [models.UniqueConstraint(fields=["submission", "category"], name="need_once_per_submission")]

    def __str__(self):
        return self.description[:60]

    # Each card shows four of these labels: read from the enum, not through Django's dict of every choice.
    def get_audience_display(self):
        return choice_label(Audience, self.audience)

    def get_category_display(self):
        return choice_label(NeedCategory, self.category)

    def get_urgency_display(self):
        return choice_label(Urgency, self.urgency)

    def get_status_display(self):
        return choice_label(NeedStatus, self.status)

    @property
    def is_open(self):
        return self.status in UNMET
