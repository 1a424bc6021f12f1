"""The working model as data, and its use in an authority: emergencies, checklist rounds, check-ins."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from hosen.tenancy.models import Authority, TenantModel

from .translated import Translated, translated_fields

# ---------------------------------------------------------------------------------------------
# The model's content. Shared by every authority; network admins edit it in the admin. Rows are
# keyed by stable keys (stage "2", component "2a", item number 6), so editing a text never touches
# the checklist answers that point at it.


class ContentVersion(models.Model):
    """Which version of the model content is loaded, and how many edits were made to it since."""

    version = models.PositiveIntegerField(default=0)
    edits = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    @classmethod
    def current(cls):
        return cls.objects.order_by("pk").first() or cls.objects.create()

    def __str__(self):
        return f"{self.version}.{self.edits}"


class ModelText(Translated, models.Model):
    """Free texts of the model: its title, introduction, guide introductions."""

    key = models.CharField(max_length=100, unique=True)
    text_he, text_ar, text_en = translated_fields()

    def __str__(self):
        return self.key


class Stage(Translated, models.Model):
    AXIS = "X"
    key = models.CharField(max_length=2, unique=True)  # "1".."4", "X" for the accompanying axis
    order = models.PositiveSmallIntegerField()
    title_he, title_ar, title_en = translated_fields()
    wheel_label_he, wheel_label_ar, wheel_label_en = translated_fields()
    purpose_he, purpose_ar, purpose_en = translated_fields()

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.title_he

    @property
    def is_axis(self):
        return self.key == self.AXIS


class Component(Translated, models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="components")
    key = models.CharField(max_length=4, unique=True)  # "1a", "Xd"
    order = models.PositiveSmallIntegerField()
    title_he, title_ar, title_en = translated_fields()
    description_he, description_ar, description_en = translated_fields()

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return f"{self.key} {self.title_he}"


class Action(Translated, models.Model):
    """An operative action of a core component."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="actions")
    order = models.PositiveSmallIntegerField()
    text_he, text_ar, text_en = translated_fields()

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["component", "order"], name="action_order")]


class FieldVoice(Translated, models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="field_voices")
    order = models.PositiveSmallIntegerField()
    text_he, text_ar, text_en = translated_fields()

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["stage", "order"], name="voice_order")]


class Principle(Translated, models.Model):
    """A ring principle of the wheel."""

    key = models.CharField(max_length=40, unique=True)
    order = models.PositiveSmallIntegerField()
    title_he, title_ar, title_en = translated_fields()

    class Meta:
        ordering = ["order"]


class DesignPhase(Translated, models.Model):
    key = models.CharField(max_length=20, unique=True)
    order = models.PositiveSmallIntegerField()
    name_he, name_ar, name_en = translated_fields()
    meaning_he, meaning_ar, meaning_en = translated_fields()

    class Meta:
        ordering = ["order"]


class GuidingQuestion(Translated, models.Model):
    phase = models.ForeignKey(DesignPhase, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    text_he, text_ar, text_en = translated_fields()

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["phase", "order"], name="question_order")]


class LeadershipLevel(Translated, models.Model):
    """Situational leadership: the team's readiness level and the style that fits it."""

    key = models.CharField(max_length=4, unique=True)  # R1..R4
    order = models.PositiveSmallIntegerField()
    readiness_he, readiness_ar, readiness_en = translated_fields()
    style_key = models.CharField(max_length=4)
    style_he, style_ar, style_en = translated_fields()
    advice_he, advice_ar, advice_en = translated_fields()

    class Meta:
        ordering = ["order"]


class ChecklistItem(Translated, models.Model):
    REFLECTION = "reflection"
    CHECK = "check"
    number = models.PositiveSmallIntegerField(unique=True)
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=12, choices=[(REFLECTION, "reflection"), (CHECK, "check")])
    text_he, text_ar, text_en = translated_fields()

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.text_he}"

    @property
    def is_private(self):
        """The reflection item is answered only inside the manager's private check-in."""
        return self.kind == self.REFLECTION


# ---------------------------------------------------------------------------------------------
# The model in use, per authority.


class EmergencyKind(models.TextChoices):
    WAR = "war", _("War / hostilities")
    ROCKETS = "rockets", _("Rocket fire")
    EVACUATION = "evacuation", _("Evacuation")
    EARTHQUAKE = "earthquake", _("Earthquake")
    FIRE = "fire", _("Fire")
    FLOOD = "flood", _("Flood / storm")
    EPIDEMIC = "epidemic", _("Epidemic")
    DRILL = "drill", _("Drill")
    OTHER = "other", _("Other")


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    SEVERE = 4, _("Severe")


class Phase(models.TextChoices):
    READINESS = "readiness", _("Readiness")
    ACTIVE = "active", _("Active")
    RECOVERY = "recovery", _("Recovery")
    CLOSED = "closed", _("Closed")


class Emergency(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=EmergencyKind.choices)
    started_on = models.DateField(_("start date"))
    area = models.CharField(_("affected area"), max_length=300, blank=True)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.ACTIVE)
    lessons = models.TextField(_("lessons learned"), max_length=20000, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Emergencies the network opened together for several authorities share one group key.
    group = models.UUIDField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            # One emergency at a time per authority: every register and the checklist hang on it.
            models.UniqueConstraint(
                fields=["authority"], condition=~models.Q(phase="closed"), name="one_open_emergency"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_open(self):
        return self.phase != Phase.CLOSED


class Round(TenantModel):
    """One pass over the checklist. A new round starts from the previous round's answers."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    label = models.CharField(_("label"), max_length=100, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["emergency", "number"], name="round_number")]

    def __str__(self):
        return f"{self.number}"


class AnswerStatus(models.TextChoices):
    DONE = "done", _("Done")
    PARTLY = "partly", _("Partly")
    NOT_YET = "not_yet", _("Not yet")
    NOT_RELEVANT = "not_relevant", _("Not relevant")


class Answer(TenantModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=14, choices=AnswerStatus.choices)
    note = models.TextField(_("note"), max_length=5000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)
    # True while the answer is only what the previous round said, not yet confirmed in this one.
    carried_over = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "item"], name="one_answer_per_item")]




class CheckIn(models.Model):
    """The manager's private stage-1 check-in. Only its author can ever read it.

    Not tenant-scoped but author-scoped: every query must run inside `scope(author=user)`, so no
    view, export or report can read another person's check-ins by accident. It is deliberately not
    registered in the admin and keeps no audit history (the history would be a second copy).
    """

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    emergency = models.ForeignKey(Emergency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    feeling = models.TextField(_("How am I feeling?"), max_length=4000, blank=True)
    stability = models.PositiveSmallIntegerField(_("Inner stability (1–5)"), null=True, blank=True)
    arrangements = models.TextField(_("Personal arrangements I have made"), max_length=4000,
                                    blank=True)
    notes = models.TextField(_("Free notes"), max_length=4000, blank=True)
    reflection = models.TextField(max_length=4000, blank=True)  # checklist item 1
    team_readiness = models.CharField(max_length=4, blank=True)  # R1..R4, for the leadership guide

    objects = ScopedManager(author="author")

    class Meta:
        ordering = ["-created_at"]
