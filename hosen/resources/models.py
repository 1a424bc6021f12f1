"""Stage 3 — reorganising resources: people and their skills, communication channels, facilities,
funding, and the allocations that fit them to the field's needs."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.field.models import Need, Site, new_token
from hosen.names import normalize_name
from hosen.tenancy.models import TenantModel
from hosen.workmodel.models import Emergency
from hosen.workmodel.translated import Translated, translated_fields


class Skill(Translated, models.Model):
    """A skill people hold. `authority` empty: the network's shared vocabulary (hosen/model_content/skills.json,
    `manage.py load_skills`, and what a network admin adds), which every authority's forms offer. An authority's
    own skill — typed by its team in a person's form — is offered to that authority only, until a network admin
    adds it to the shared vocabulary (hosen/resources/views_vocabulary.py). `categories` are the need
    categories the skill can answer (for matching)."""

    key = models.SlugField(max_length=60, unique=True)
    name_he, name_ar, name_en = translated_fields(models.CharField, max_length=120)
    categories = models.JSONField(default=list, blank=True)  # [NeedCategory values]
    authority = models.ForeignKey("tenancy.Authority", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    # The English name as names compare (normalized and case-folded), kept by save(): one skill of a
    # name in the shared vocabulary, and one per authority.
    name_key = models.CharField(max_length=120, editable=False, default="")

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name_key"], condition=models.Q(authority__isnull=False),
                                    name="skill_name_once_per_authority"),
            models.UniqueConstraint(fields=["name_key"], condition=models.Q(authority__isnull=True),
                                    name="skill_name_once_in_shared_vocabulary"),
        ]

    @property
    def is_shared(self) -> bool:
        return self.authority_id is None

    def save(self, *args, **kwargs):
        self.name_key = normalize_name(self.name_en).casefold()[:120]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)


class PersonKind(models.TextChoices):
    STAFF = "staff", _("Ecosystem staff")
    PARTNER = "partner", _("Partner staff")
    VOLUNTEER = "volunteer", _("Volunteer")
    ACTIVIST = "activist", _("Community activist")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    PARTLY = "partly", _("Partly available")
    UNAVAILABLE = "unavailable", _("Not available")
    UNKNOWN = "unknown", _("Unknown")


LANGUAGE_CHOICES = [
    ("he", _("Hebrew")), ("ar", _("Arabic")), ("en", _("English")), ("ru", _("Russian")),
    ("am", _("Amharic")), ("fr", _("French")), ("es", _("Spanish")), ("other", _("Other")),
]


class Person(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=PersonKind.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="+", verbose_name=_("skills"))
    languages = models.JSONField(_("languages"), default=list, blank=True)  # LANGUAGE_CHOICES values
    area = models.CharField(_("area"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Availability in the current emergency: set per emergency, so a new emergency starts from "unknown".
    availability = models.CharField(_("availability"), max_length=12, choices=Availability.choices,
                                    default=Availability.UNKNOWN)
    availability_emergency = models.ForeignKey(Emergency, null=True, blank=True, on_delete=models.SET_NULL,
                                               related_name="+")
    availability_note = models.CharField(_("availability note"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=100, blank=True)  # e.g. "volunteer sign-up"
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submission = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["authority", "kind"]), models.Index(fields=["authority", "availability"])]

    def __str__(self):
        return self.name

    def availability_in(self, emergency):
        if emergency is None or self.availability_emergency_id != emergency.pk:
            return Availability.UNKNOWN
        return self.availability


class VolunteerLink(TenantModel):
    """A public sign-up link for volunteers (a token form, as the quick reports)."""

    token = models.CharField(max_length=64, unique=True, default=new_token)
    label = models.CharField(_("label"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.label or self.token[:8]

    def is_usable(self, now=None):
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class ChannelKind(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp group")
    MAILING_LIST = "mailing_list", _("Mailing list")
    SMS = "sms", _("SMS list")
    SOCIAL = "social", _("Social media page")
    RADIO = "radio", _("Local radio")
    WEBSITE = "website", _("Website")
    OTHER = "other", _("Other")


class Channel(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=14, choices=ChannelKind.choices)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    reach = models.PositiveIntegerField(_("reach (people)"), null=True, blank=True)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    address = models.CharField(_("link or address"), max_length=500, blank=True)
    # For mailing lists: the addresses updates are e-mailed to, one per line.
    email_recipients = models.TextField(_("e-mail recipients"), max_length=60_000, blank=True)
    active_in = models.ForeignKey(Emergency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("active in emergency"))
    activated_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def is_active_in(self, emergency):
        return emergency is not None and self.active_in_id == emergency.pk


class FacilityKind(models.TextChoices):
    BUILDING = "building", _("Building")
    HALL = "hall", _("Hall")
    CLASSROOM = "classroom", _("Classroom")
    LAB = "lab", _("Laboratory / maker space")
    SHELTER = "shelter", _("Public shelter")
    OUTDOOR = "outdoor", _("Outdoor space")
    OTHER = "other", _("Other")


class Facility(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=FacilityKind.choices)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("site"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    area = models.CharField(_("area"), max_length=100, blank=True)
    is_protected = models.BooleanField(_("protected space"), default=False)
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    equipment = models.TextField(_("equipment"), max_length=5000, blank=True)
    key_holder = models.CharField(_("key holder"), max_length=200, blank=True)
    key_holder_phone = models.CharField(_("key holder phone"), max_length=40, blank=True)
    availability = models.CharField(_("availability"), max_length=12, choices=Availability.choices,
                                    default=Availability.UNKNOWN)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"
        indexes = [models.Index(fields=["authority", "is_protected"])]

    def __str__(self):
        return self.name


class FundingKind(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal")
    NATIONAL = "national", _("National / government")
    PHILANTHROPIC = "philanthropic", _("Philanthropic")
    BUSINESS = "business", _("Business")
    OTHER = "other", _("Other")


class FundingStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    RECEIVED = "received", _("Received")
    REJECTED = "rejected", _("Rejected")


class FundingSource(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=14, choices=FundingKind.choices)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    requested = models.DecimalField(_("requested (₪)"), max_digits=12, decimal_places=2, null=True, blank=True)
    approved = models.DecimalField(_("approved (₪)"), max_digits=12, decimal_places=2, null=True, blank=True)
    received = models.DecimalField(_("received (₪)"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=FundingStatus.choices,
                              default=FundingStatus.IDENTIFIED)
    restrictions = models.TextField(_("restrictions"), max_length=5000, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    categories = models.JSONField(_("need categories it can fund"), default=list, blank=True)
    emergency = models.ForeignKey(Emergency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(_("notes"), max_length=5000, blank=True)

    class Meta:
        ordering = ["deadline", "name"]

    def __str__(self):
        return self.name


class Allocation(TenantModel):
    """A resource given to a need. Active until released; kept with its history either way."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="allocations")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="allocations")
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="allocations")
    funding = models.ForeignKey(FundingSource, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="allocations")
    note = models.CharField(_("note"), max_length=300, blank=True)
    allocated_at = models.DateTimeField(default=timezone.now)
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-allocated_at"]
        constraints = [
            models.CheckConstraint(
                name="allocation_has_one_resource",
                condition=(
                    models.Q(person__isnull=False, facility__isnull=True, funding__isnull=True)
                    | models.Q(person__isnull=True, facility__isnull=False, funding__isnull=True)
                    | models.Q(person__isnull=True, facility__isnull=True, funding__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["need", "person"], condition=models.Q(released_at__isnull=True),
                                    name="allocation_person_once"),
            models.UniqueConstraint(fields=["need", "facility"], condition=models.Q(released_at__isnull=True),
                                    name="allocation_facility_once"),
            models.UniqueConstraint(fields=["need", "funding"], condition=models.Q(released_at__isnull=True),
                                    name="allocation_funding_once"),
        ]

    def __str__(self):
        return f"{self.need_id} ← {self.person_id or self.facility_id or self.funding_id}"

    @property
    def resource(self):
        return self.person or self.facility or self.funding


class DonorLink(TenantModel):
    """A revocable read-only link to the donors' needs list; its creation also records when the
    list was prepared (checklist item 21)."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    label = models.CharField(_("label"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.label or self.token[:8]


