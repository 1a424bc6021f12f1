"""The accompanying axis: partners and decision makers, their contacts and the log of contacts with them,
and the ecosystem's achievements to keep through the emergency."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.tenancy.models import TenantModel
from hosen.workmodel.models import Emergency

# Days without contact before a reminder, when the partner does not set its own.
DEFAULT_REMINDER_DAYS = 14
DECISION_MAKER_REMINDER_DAYS = 7
REMINDER_DAYS_MAX = 365


class PartnerKind(models.TextChoices):
    SCHOOL = "school", _("School")
    NGO = "ngo", _("NGO")
    MUNICIPAL = "municipal", _("Municipal department")
    INDUSTRY = "industry", _("Industry")
    PHILANTHROPY = "philanthropy", _("Philanthropy")
    ACADEMIA = "academia", _("Academia")
    OTHER = "other", _("Other")


class Partner(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=14, choices=PartnerKind.choices)
    is_key = models.BooleanField(_("key partner"), default=False)
    is_decision_maker = models.BooleanField(
        _("decision maker"), default=False,
        help_text=_("In the authority or the community: the mayor's office, the head of education…"))
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("partner since"), null=True, blank=True)
    # A new collaboration: born in this emergency.
    born_in = models.ForeignKey(Emergency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("new collaboration born in"))
    reminder_days = models.PositiveSmallIntegerField(
        _("remind after (days)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(REMINDER_DAYS_MAX)],
        help_text=_("Days without contact before a reminder. Empty: 7 for a decision maker, 14 for a key partner."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="partner_name_per_authority")]
        indexes = [models.Index(fields=["authority", "kind"])]

    def __str__(self):
        return self.name

    @property
    def watched(self):
        """Key partners and decision makers are the ones Hosen reminds about."""
        return self.is_key or self.is_decision_maker

    @property
    def window_days(self) -> int:
        if self.reminder_days:
            return self.reminder_days
        return DECISION_MAKER_REMINDER_DAYS if self.is_decision_maker else DEFAULT_REMINDER_DAYS


def needs_contact(partner, last_contact_at, now) -> bool:
    """Whether Hosen reminds the manager to contact this partner now.

    The rule:
    - only an active key partner or decision maker is ever due; any other partner never is;
    - its window is `partner.reminder_days` when set, else 7 days for a decision maker and 14 for a key
      partner (a key partner who is also a decision maker gets the decision maker's 7);
    - one never contacted is due at once;
    - otherwise it is due once the last contact is at least the window old: exactly N days after the last
      contact it is due, a second earlier it is not.
    """
    if not partner.is_active or not partner.watched:
        return False
    if last_contact_at is None:
        return True
    return now - last_contact_at >= timedelta(days=partner.window_days)


class Contact(TenantModel):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class ContactChannel(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    MESSAGE = "message", _("Message")
    EMAIL = "email", _("E-mail")
    OTHER = "other", _("Other")


class ContactLog(TenantModel):
    """One contact with a partner: who, when, how and what was said."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contact_logs")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("with"))
    happened_at = models.DateTimeField(_("when"), default=timezone.now)
    channel = models.CharField(_("how"), max_length=8, choices=ContactChannel.choices, default=ContactChannel.CALL)
    summary = models.TextField(_("summary"), max_length=2000)
    emergency = models.ForeignKey(Emergency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_at", "-pk"]
        indexes = [models.Index(fields=["partner", "-happened_at"]), models.Index(fields=["emergency"])]

    def __str__(self):
        return self.summary[:60]


class AchievementKind(models.TextChoices):
    KEEP = "keep", _("Achievement to keep")
    STEM = "stem", _("STEM activity that continues")


class AchievementStatus(models.TextChoices):
    KEPT = "kept", _("Kept")
    AT_RISK = "at_risk", _("At risk")
    LOST = "lost", _("Lost")
    CONTINUES = "continues", _("Continues")
    PAUSED = "paused", _("Paused")


# The statuses that fit each kind, in the order they are offered.
STATUSES_FOR = {
    AchievementKind.KEEP: (AchievementStatus.KEPT, AchievementStatus.AT_RISK, AchievementStatus.LOST),
    AchievementKind.STEM: (AchievementStatus.CONTINUES, AchievementStatus.AT_RISK, AchievementStatus.PAUSED),
}


class Achievement(TenantModel):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    kind = models.CharField(_("kind"), max_length=6, choices=AchievementKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=AchievementStatus.choices)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title

    def statuses(self):
        labels = dict(AchievementStatus.choices)
        return [(value, labels[value]) for value in STATUSES_FOR[self.kind]]
